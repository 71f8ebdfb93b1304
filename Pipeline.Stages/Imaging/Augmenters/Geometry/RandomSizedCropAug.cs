using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

/// <summary>Crops a region of random area and aspect ratio and resizes it to (width, height), as MXNet's <c>RandomSizedCropAug</c> (Inception-style).</summary>
public sealed class RandomSizedCropAug : Augmenter
{
    /// <summary>Initializes the augmenter.</summary>
    /// <param name="size">The output (width, height).</param>
    /// <param name="area">The (min, max) fraction of the source area.</param>
    /// <param name="ratio">The (min, max) width/height ratio.</param>
    /// <param name="interp">The interpolation (any <see cref="Interpolation"/>; <see cref="Interpolation.Auto"/> and <see cref="Interpolation.Random"/> are resolved per image).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public RandomSizedCropAug((int Width, int Height) size, (double Min, double Max) area, (double Min, double Max) ratio, Interpolation interp = Interpolation.Bicubic)
    {
        if (size.Width <= 0 || size.Height <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, "The size must be positive.");
        if (!(area.Min > 0 && area.Min <= area.Max && area.Max <= 1)) throw new ArgumentOutOfRangeException(nameof(area), area, "Area fractions must satisfy 0 < min <= max <= 1.");
        if (!(ratio.Min > 0 && ratio.Min <= ratio.Max)) throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "Ratios must satisfy 0 < min <= max.");
        Size = size;
        Area = area;
        Ratio = ratio;
        Interp = ResizeAug.CheckInterp(interp);
    }

    /// <summary>Initializes the augmenter with area fractions from <paramref name="minArea"/> to 1.</summary>
    /// <param name="size">The output (width, height).</param>
    /// <param name="minArea">The smallest fraction of the source area.</param>
    /// <param name="ratio">The (min, max) width/height ratio.</param>
    /// <param name="interp">The interpolation.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public RandomSizedCropAug((int Width, int Height) size, double minArea, (double Min, double Max) ratio, Interpolation interp = Interpolation.Bicubic)
        : this(size, (minArea, 1.0), ratio, interp)
    {
    }

    /// <summary>Gets the output (width, height).</summary>
    public (int Width, int Height) Size { get; }

    /// <summary>Gets the (min, max) fraction of the source area.</summary>
    public (double Min, double Max) Area { get; }

    /// <summary>Gets the (min, max) width/height ratio.</summary>
    public (double Min, double Max) Ratio { get; }

    /// <summary>Gets the interpolation.</summary>
    public Interpolation Interp { get; }

    /// <inheritdoc />
    public override NDArray Apply(NDArray src, Random rng) => Replace(src, s => ImageOps.RandomSizeCrop(s, Size, Area, Ratio, rng, Interp).Image);
}
