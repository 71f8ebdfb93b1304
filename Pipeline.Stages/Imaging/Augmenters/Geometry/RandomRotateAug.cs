using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

/// <summary>Rotates each image by a random angle within limits, with <see cref="ImageOps.RandomRotate"/> (MXNet's <c>random_rotate</c>); the output is float32.</summary>
/// <param name="angleLimits">The lower and upper angle in degrees.</param>
/// <param name="zoomIn">Whether to zoom in so that no padding shows.</param>
/// <param name="zoomOut">Whether to zoom out so that the whole source image shows.</param>
public sealed class RandomRotateAug((double Min, double Max) angleLimits, bool zoomIn = false, bool zoomOut = false) : Augmenter
{
    /// <summary>Gets the lower and upper angle in degrees.</summary>
    public (double Min, double Max) AngleLimits { get; } = Checked(angleLimits, zoomIn, zoomOut);

    /// <summary>Gets whether the image is zoomed in so that no padding shows.</summary>
    public bool ZoomIn { get; } = zoomIn;

    /// <summary>Gets whether the image is zoomed out so that the whole source shows.</summary>
    public bool ZoomOut { get; } = zoomOut;

    /// <inheritdoc />
    public override NDArray Apply(NDArray src, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        return Replace(src, s => ImageOps.RandomRotate(s, AngleLimits, rng, ZoomIn, ZoomOut));
    }

    private static (double Min, double Max) Checked((double Min, double Max) limits, bool zoomIn, bool zoomOut)
    {
        ImageOps.CheckAngleLimits(limits);
        if (zoomIn && zoomOut) throw new ArgumentException("zoomIn and zoomOut cannot both be true.", nameof(zoomOut));
        return limits;
    }
}
