using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

/// <summary>Crops the centre region of (width, height) (scaled down to fit, then resized), as MXNet's <c>CenterCropAug</c>.</summary>
/// <param name="size">The output (width, height).</param>
/// <param name="interp">The interpolation (any <see cref="Interpolation"/>; <see cref="Interpolation.Auto"/> and <see cref="Interpolation.Random"/> are resolved per image).</param>
public sealed class CenterCropAug((int Width, int Height) size, Interpolation interp = Interpolation.Bicubic) : Augmenter
{
    /// <summary>Gets the output (width, height).</summary>
    public (int Width, int Height) Size { get; } = size.Width > 0 && size.Height > 0 ? size : throw new ArgumentOutOfRangeException(nameof(size), size, "The size must be positive.");

    /// <summary>Gets the interpolation.</summary>
    public Interpolation Interp { get; } = ResizeAug.CheckInterp(interp);

    /// <inheritdoc />
    public override NDArray Apply(NDArray src, Random rng)
    {
        // Only Random is resolved here: CenterCrop resolves Auto itself, from the sizes, and has no generator.
        Interpolation resolved = Interp == Interpolation.Random ? ImageOps.ResolveInterp(Interpolation.Random, null, rng) : Interp;
        return Replace(src, s => ImageOps.CenterCrop(s, Size, resolved).Image);
    }
}
