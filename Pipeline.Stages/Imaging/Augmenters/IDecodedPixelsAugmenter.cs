using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

/// <summary>An augmenter that can start from raw decoded pixels instead of an <see cref="NDArray"/>.</summary>
/// <remarks>
/// The image pipeline hands the decoder's own pixel buffer to such an augmenter, so an image that is resized and
/// cropped anyway is never copied at full size. <see cref="FromPixels"/> must give the same result, drawing the same
/// numbers, as <see cref="Augmenter.Apply"/> on the same pixels.
/// </remarks>
internal interface IDecodedPixelsAugmenter
{
    /// <summary>Gets whether, with the current settings, the whole augmentation can run from decoded pixels.</summary>
    bool AcceptsDecodedPixels { get; }

    /// <summary>Augments decoded uint8 HWC pixels, valid only during the call.</summary>
    /// <param name="pixels">The (rows, cols, channels) pixels.</param>
    /// <param name="rows">The image height.</param>
    /// <param name="cols">The image width.</param>
    /// <param name="channels">The channels per pixel.</param>
    /// <param name="rng">The source of every random choice.</param>
    /// <returns>The augmented image; the caller owns it.</returns>
    NDArray FromPixels(ReadOnlySpan<byte> pixels, int rows, int cols, int channels, Random rng);
}
