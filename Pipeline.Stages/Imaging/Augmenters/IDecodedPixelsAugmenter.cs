using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

/// <summary>An augmenter that can start from raw decoded pixels instead of an <see cref="NDArray"/>.</summary>
/// <remarks>
/// The image pipeline hands the decoder's own pixel buffer to such an augmenter, so an image that is resized and
/// cropped anyway is never copied at full size. <c>FromPixels</c> must give the same result, drawing the same
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

    /// <summary>Gets the size this augmenter first resizes an image of the given size to: a decoder may deliver the pixels at a reduced scale no smaller than it.</summary>
    /// <param name="width">The source width.</param>
    /// <param name="height">The source height.</param>
    /// <returns>The (width, height) of the first resize.</returns>
    (int Width, int Height) ResizeTarget(int width, int height);

    /// <summary>Augments pixels decoded at a reduced scale as if they were the full-size source: sizes and draws follow the source's size, and the first resize reads the reduced pixels.</summary>
    /// <param name="pixels">The reduced (rows, cols, channels) pixels, at least <see cref="ResizeTarget"/> in both axes.</param>
    /// <param name="rows">The reduced height.</param>
    /// <param name="cols">The reduced width.</param>
    /// <param name="channels">The channels per pixel.</param>
    /// <param name="rng">The source of every random choice.</param>
    /// <param name="sourceRows">The full-size source's height.</param>
    /// <param name="sourceCols">The full-size source's width.</param>
    /// <returns>The augmented image; the caller owns it.</returns>
    NDArray FromPixels(ReadOnlySpan<byte> pixels, int rows, int cols, int channels, Random rng, int sourceRows, int sourceCols);
}
