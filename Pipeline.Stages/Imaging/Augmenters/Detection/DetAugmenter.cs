using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

/// <summary>The base of the detection augmenters, as MXNet's <c>mx.image.DetAugmenter</c>: a step that turns an (H, W, C) image and its objects into another image and the objects' new boxes.</summary>
/// <remarks>
/// <para>The label is the objects of a <see cref="DetectionLabel"/>: one row per object, <c>id, xmin, ymin, xmax, ymax, extra...</c>,
/// coordinates normalized to the image. <see cref="Apply"/> takes ownership of the image as <see cref="Augmenter.Apply"/> does, and
/// never changes the label array it was given (it returns a new one when boxes move).</para>
/// <para>Every random choice comes from the <see cref="Random"/> passed in, so a pipeline makes augmentation a pure
/// function of the sample.</para>
/// </remarks>
public abstract class DetAugmenter
{
    /// <summary>Applies the augmentation.</summary>
    /// <param name="src">The image; ownership passes to the augmenter.</param>
    /// <param name="label">The objects, one row each (not changed).</param>
    /// <param name="rng">The source of every random choice.</param>
    /// <returns>The augmented image (possibly <paramref name="src"/> itself) and the objects' boxes in it; the caller owns the image.</returns>
    public abstract (NDArray Image, float[,] Label) Apply(NDArray src, float[,] label, Random rng);

    /// <summary>Returns MXNet's name for the augmenter (the class name in lower case).</summary>
    /// <returns>The name, for example <c>detrandomcropaug</c>.</returns>
    public override string ToString() => GetType().Name.ToLowerInvariant();

    /// <summary>Python's <c>random.uniform(a, b)</c>.</summary>
    internal static double Uniform(Random rng, double a, double b) => a + ((b - a) * rng.NextDouble());

    /// <summary>Python's <c>random.randint(a, b)</c>: both ends included.</summary>
    internal static int RandInt(Random rng, int a, int b) => rng.Next(a, b + 1);

    /// <summary>Python 3's <c>int(round(x))</c>: halves to even.</summary>
    internal static int Round(double x) => (int)Math.Round(x, MidpointRounding.ToEven);

    /// <summary>The area of each box (0 for an empty one).</summary>
    internal static double Area(float[,] label, int row) => Math.Max(0.0, label[row, 3] - label[row, 1]) * Math.Max(0.0, label[row, 4] - label[row, 2]);

    /// <summary>The rows of <paramref name="label"/> whose flag is set, as a new array.</summary>
    internal static float[,] Rows(float[,] label, ReadOnlySpan<bool> keep)
    {
        int count = 0;
        foreach (bool k in keep) count += k ? 1 : 0;
        int width = label.GetLength(1);
        var rows = new float[count, width];
        for (int i = 0, r = 0; i < keep.Length; i++)
        {
            if (!keep[i]) continue;
            for (int k = 0; k < width; k++) rows[r, k] = label[i, k];
            r++;
        }

        return rows;
    }

    /// <summary>Checks that a label has rows of at least 5 values.</summary>
    internal static void CheckLabel(float[,] label)
    {
        ArgumentNullException.ThrowIfNull(label);
        if (label.GetLength(1) < 5) throw new ArgumentException($"A detection label needs rows of at least 5 values (id, xmin, ymin, xmax, ymax); it has {label.GetLength(1)}.", nameof(label));
    }
}
