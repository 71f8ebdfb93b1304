using System.Numerics.Tensors;
using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

/// <summary>Scales every value by <c>1 + uniform(-b, b)</c>, as MXNet's <c>BrightnessJitterAug</c>; works on float32 (a uint8 input is converted).</summary>
/// <param name="brightness">The jitter strength b (0 or more).</param>
public sealed class BrightnessJitterAug(float brightness) : Augmenter
{
    /// <summary>Gets the jitter strength.</summary>
    public float Brightness { get; } = brightness >= 0 ? brightness : throw new ArgumentOutOfRangeException(nameof(brightness), brightness, "The strength must not be negative.");

    /// <inheritdoc />
    public override NDArray Apply(NDArray src, Random rng)
    {
        float alpha = 1f + Uniform(rng, Brightness);
        NDArray image = EnsureFloat32(src);
        TensorPrimitives.Multiply(image.AsSpan<float>(), alpha, image.AsSpan<float>());
        return image;
    }
}
