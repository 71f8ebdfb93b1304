using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

/// <summary>Crops the centre region of (width, height) (scaled down to fit, then resized), as MXNet's <c>CenterCropAug</c>.</summary>
/// <param name="size">The output (width, height).</param>
/// <param name="interp">An interpolation code (0-4, 9 auto, 10 random).</param>
public sealed class CenterCropAug((int Width, int Height) size, int interp = 2) : Augmenter
{
    /// <summary>Gets the output (width, height).</summary>
    public (int Width, int Height) Size { get; } = size.Width > 0 && size.Height > 0 ? size : throw new ArgumentOutOfRangeException(nameof(size), size, "The size must be positive.");

    /// <summary>Gets the interpolation code.</summary>
    public int Interp { get; } = ResizeAug.CheckInterp(interp);

    /// <inheritdoc />
    public override NDArray Apply(NDArray src, Random rng)
    {
        int resolved = Interp == 10 ? ImageOps.ResolveInterp(10, null, rng) : Interp;
        return Replace(src, s => ImageOps.CenterCrop(s, Size, resolved).Image);
    }
}
