using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

/// <summary>An augmenter that can start from the decoder's own pixel buffer, so the pipeline hands it the pixels without copying them into an image first.</summary>
internal interface IDecodedPixelsAugmenter
{
    /// <summary>Gets whether this augmenter's whole work can start from raw decoded pixels.</summary>
    bool AcceptsDecodedPixels { get; }

    /// <summary>Augments decoded (H, W, C) uint8 pixels, drawing the same numbers as <see cref="Augmenter.Apply"/> would.</summary>
    /// <param name="pixels">The pixels, valid only during the call.</param>
    /// <param name="rows">The height.</param>
    /// <param name="cols">The width.</param>
    /// <param name="channels">The channels.</param>
    /// <param name="rng">The sample's generator.</param>
    /// <returns>The augmented image; the caller owns it.</returns>
    NDArray FromPixels(ReadOnlySpan<byte> pixels, int rows, int cols, int channels, Random rng);
}
