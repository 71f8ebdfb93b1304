using System.Numerics.Tensors;
using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

/// <summary>Blends with the image's mean luma: <c>src * a + (1 - a) * mean(0.299 R + 0.587 G + 0.114 B)</c>, <c>a = 1 + uniform(-c, c)</c>, as MXNet's <c>ContrastJitterAug</c>.</summary>
/// <param name="contrast">The jitter strength c (0 or more).</param>
public sealed class ContrastJitterAug(float contrast) : Augmenter
{
    /// <summary>Gets the jitter strength.</summary>
    public float Contrast { get; } = contrast >= 0 ? contrast : throw new ArgumentOutOfRangeException(nameof(contrast), contrast, "The strength must not be negative.");

    /// <inheritdoc />
    public override NDArray Apply(NDArray src, Random rng)
    {
        float alpha = 1f + Uniform(rng, Contrast);
        NDArray image = EnsureFloat32(src);
        Span<float> values = image.AsSpan<float>();
        float gray = (1f - alpha) * ColorMath.MeanLuma(values, image.GetLength(2));
        TensorPrimitives.Multiply(values, alpha, values);
        TensorPrimitives.Add(values, gray, values);
        return image;
    }
}
