using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

/// <summary>Blends each pixel with its own luma: <c>src * a + gray * (1 - a)</c>, <c>a = 1 + uniform(-s, s)</c>, as MXNet's <c>SaturationJitterAug</c>.</summary>
/// <param name="saturation">The jitter strength s (0 or more).</param>
public sealed class SaturationJitterAug(float saturation) : Augmenter
{
    /// <summary>Gets the jitter strength.</summary>
    public float Saturation { get; } = saturation >= 0 ? saturation : throw new ArgumentOutOfRangeException(nameof(saturation), saturation, "The strength must not be negative.");

    /// <inheritdoc />
    public override NDArray Apply(NDArray src, Random rng)
    {
        float alpha = 1f + Uniform(rng, Saturation);
        NDArray image = EnsureFloat32(src);
        ColorMath.RequireRgb(image, nameof(SaturationJitterAug));
        Span<float> v = image.AsSpan<float>();
        float keep = 1f - alpha;
        for (int i = 0; i < v.Length; i += 3)
        {
            float gray = keep * ((ColorMath.LumaR * v[i]) + (ColorMath.LumaG * v[i + 1]) + (ColorMath.LumaB * v[i + 2]));
            v[i] = (v[i] * alpha) + gray;
            v[i + 1] = (v[i + 1] * alpha) + gray;
            v[i + 2] = (v[i + 2] * alpha) + gray;
        }

        return image;
    }
}
