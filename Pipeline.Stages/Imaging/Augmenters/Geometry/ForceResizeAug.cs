using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

/// <summary>Resizes to exactly (width, height), ignoring the aspect ratio, as MXNet's <c>ForceResizeAug</c>.</summary>
/// <param name="size">The new (width, height).</param>
/// <param name="interp">The interpolation (any <see cref="Interpolation"/>; <see cref="Interpolation.Auto"/> and <see cref="Interpolation.Random"/> are resolved per image).</param>
public sealed class ForceResizeAug((int Width, int Height) size, Interpolation interp = Interpolation.Bicubic) : Augmenter
{
    /// <summary>Gets the new (width, height).</summary>
    public (int Width, int Height) Size { get; } = size.Width > 0 && size.Height > 0 ? size : throw new ArgumentOutOfRangeException(nameof(size), size, "The size must be positive.");

    /// <summary>Gets the interpolation.</summary>
    public Interpolation Interp { get; } = ResizeAug.CheckInterp(interp);

    /// <inheritdoc />
    public override NDArray Apply(NDArray src, Random rng)
    {
        (int h, int w, _) = ImageOps.CheckImage(src);
        Interpolation resolved = ImageOps.ResolveInterp(Interp, (h, w, Size.Height, Size.Width), rng);
        return Replace(src, s => ImageOps.Resize(s, Size.Width, Size.Height, resolved));
    }
}
