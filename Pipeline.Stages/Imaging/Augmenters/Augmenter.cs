using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

/// <summary>The base of the image augmenters, as MXNet's <c>mx.image.Augmenter</c>: a step that turns an (H, W, C) image into another.</summary>
/// <remarks>
/// <see cref="Apply"/> takes ownership of its input: it returns either the same array (changed in place) or a new
/// one, having disposed the input. So a chain is <c>image = aug.Apply(image, rng)</c>. Every random choice comes
/// from the <see cref="Random"/> passed in, so a pipeline can make augmentation a pure function of the sample
/// (see <see cref="SeededRandom"/>).
/// </remarks>
public abstract class Augmenter
{
    /// <summary>Applies the augmentation.</summary>
    /// <param name="src">The image; ownership passes to the augmenter.</param>
    /// <param name="rng">The source of every random choice.</param>
    /// <returns>The augmented image (possibly <paramref name="src"/> itself); the caller owns it.</returns>
    public abstract NDArray Apply(NDArray src, Random rng);

    /// <summary>Returns MXNet's name for the augmenter (the class name in lower case).</summary>
    /// <returns>The name, for example <c>resizeaug</c>.</returns>
    public override string ToString() => GetType().Name.ToLowerInvariant();

    /// <summary>Makes sure an image is float32, converting (and disposing) a uint8 one.</summary>
    /// <param name="src">The image.</param>
    /// <returns>A float32 image.</returns>
    protected static NDArray EnsureFloat32(NDArray src)
    {
        ArgumentNullException.ThrowIfNull(src);
        ImageOps.CheckImage(src);
        if (src.DType == DType.Float32) return src;
        using (src)
        {
            return ImageOps.ToFloat32(src);
        }
    }

    /// <summary>Runs a step that makes a new image from <paramref name="src"/>, then disposes <paramref name="src"/>.</summary>
    /// <param name="src">The input, disposed afterwards (also on failure).</param>
    /// <param name="step">The step.</param>
    /// <returns>The step's result.</returns>
    protected static NDArray Replace(NDArray src, Func<NDArray, NDArray> step)
    {
        ArgumentNullException.ThrowIfNull(src);
        ArgumentNullException.ThrowIfNull(step);
        using (src)
        {
            return step(src);
        }
    }

    /// <summary>Draws uniformly from [-amount, amount), as Python's <c>random.uniform(-amount, amount)</c>.</summary>
    /// <param name="rng">The generator.</param>
    /// <param name="amount">The half-width.</param>
    /// <returns>The draw.</returns>
    protected static float Uniform(Random rng, float amount)
    {
        ArgumentNullException.ThrowIfNull(rng);
        return (float)(-amount + (2.0 * amount * rng.NextDouble()));
    }
}
