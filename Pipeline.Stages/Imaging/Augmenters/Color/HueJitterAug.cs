using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

/// <summary>Rotates hue by <c>uniform(-hue, hue) * 180</c> degrees in YIQ space, as MXNet's <c>HueJitterAug</c> (its matrices kept as given, so even a zero rotation is not exactly the identity).</summary>
/// <param name="hue">The jitter strength (0 or more; 0.5 allows +-90 degrees).</param>
public sealed class HueJitterAug(float hue) : Augmenter
{
    private static readonly float[] s_toYiq = [0.299f, 0.587f, 0.114f, 0.596f, -0.274f, -0.321f, 0.211f, -0.523f, 0.311f];
    private static readonly float[] s_fromYiq = [1.0f, 0.956f, 0.621f, 1.0f, -0.272f, -0.647f, 1.0f, -1.107f, 1.705f];

    /// <summary>Gets the jitter strength.</summary>
    public float Hue { get; } = hue >= 0 ? hue : throw new ArgumentOutOfRangeException(nameof(hue), hue, "The strength must not be negative.");

    /// <inheritdoc />
    public override NDArray Apply(NDArray src, Random rng)
    {
        float alpha = Uniform(rng, Hue);
        NDArray image = EnsureFloat32(src);
        ColorMath.RequireRgb(image, nameof(HueJitterAug));
        ColorMath.Transform(image.AsSpan<float>(), Matrix(alpha));
        return image;
    }

    /// <summary>T = ITYIQ * B * TYIQ, B the rotation of the I/Q plane by alpha * pi.</summary>
    internal static float[] Matrix(float alpha)
    {
        float u = MathF.Cos(alpha * MathF.PI);
        float w = MathF.Sin(alpha * MathF.PI);
        float[] b = [1, 0, 0, 0, u, -w, 0, w, u];
        return Multiply(Multiply(s_fromYiq, b), s_toYiq);
    }

    private static float[] Multiply(float[] a, float[] b)
    {
        float[] c = new float[9];
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                c[(i * 3) + j] = (a[i * 3] * b[j]) + (a[(i * 3) + 1] * b[3 + j]) + (a[(i * 3) + 2] * b[6 + j]);
            }
        }

        return c;
    }
}
