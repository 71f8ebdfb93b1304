using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

/// <summary>With probability p, sets every channel to <c>0.21 R + 0.72 G + 0.07 B</c> (3 channels kept), as MXNet's <c>RandomGrayAug</c>.</summary>
/// <param name="p">The probability, 0 to 1.</param>
public sealed class RandomGrayAug(double p) : Augmenter
{
    /// <summary>Gets the probability.</summary>
    public double P { get; } = p is >= 0 and <= 1 ? p : throw new ArgumentOutOfRangeException(nameof(p), p, "The probability must be in [0, 1].");

    /// <inheritdoc />
    public override NDArray Apply(NDArray src, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (rng.NextDouble() >= P) return src;
        NDArray image = EnsureFloat32(src);
        ColorMath.RequireRgb(image, nameof(RandomGrayAug));
        Span<float> v = image.AsSpan<float>();
        for (int i = 0; i < v.Length; i += 3)
        {
            float gray = (0.21f * v[i]) + (0.72f * v[i + 1]) + (0.07f * v[i + 2]);
            v[i] = gray;
            v[i + 1] = gray;
            v[i + 2] = gray;
        }

        return image;
    }
}
