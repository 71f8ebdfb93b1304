namespace Pipeline.Stages.Imaging;

/// <summary>What an encoded image's header says, read without decoding or allocating its pixels.</summary>
/// <param name="Format">The encoding.</param>
/// <param name="Width">The width in pixels (of the first frame, for GIF the logical screen).</param>
/// <param name="Height">The height in pixels.</param>
/// <param name="Channels">The channels stored, as OpenCV's <c>IMREAD_UNCHANGED</c> counts them for 8-bit output: 1 (gray), 3 (colour) or 4 (colour with alpha).</param>
public readonly record struct ImageHeader(ImageFormat Format, int Width, int Height, int Channels);
