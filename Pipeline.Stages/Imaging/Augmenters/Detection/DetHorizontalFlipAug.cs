using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

/// <summary>With probability <see cref="P"/>, mirrors the image left to right and its boxes with it, as MXNet's <c>DetHorizontalFlipAug</c>.</summary>
public sealed class DetHorizontalFlipAug : DetAugmenter
{
    /// <summary>Initializes the augmenter.</summary>
    /// <param name="p">The probability, 0 to 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is outside [0, 1].</exception>
    public DetHorizontalFlipAug(double p)
    {
        P = p is >= 0 and <= 1 ? p : throw new ArgumentOutOfRangeException(nameof(p), p, "The probability must be in [0, 1].");
    }

    /// <summary>Gets the probability.</summary>
    public double P { get; }

    /// <inheritdoc />
    public override (NDArray Image, float[,] Label) Apply(NDArray src, float[,] label, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        CheckLabel(label);
        (int h, int w, int c) = ImageOps.CheckImage(src);
        if (rng.NextDouble() >= P) return (src, label);
        HorizontalFlipAug.Flip(src.AsBytes(), h, w, c * src.DType.SizeInBytes());
        return (src, FlipBoxes(label));
    }

    /// <summary>The boxes mirrored: xmin' = 1 - xmax, xmax' = 1 - xmin.</summary>
    internal static float[,] FlipBoxes(float[,] label)
    {
        var flipped = (float[,])label.Clone();
        for (int i = 0; i < label.GetLength(0); i++)
        {
            flipped[i, 1] = 1f - label[i, 3];
            flipped[i, 3] = 1f - label[i, 1];
        }

        return flipped;
    }
}
