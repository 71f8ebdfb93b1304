namespace Pipeline.Stages.Imaging;

/// <summary>How <see cref="ImageOps.Decode(ReadOnlySpan{byte}, ImageDecodeOptions)"/> decodes.</summary>
/// <remarks>Defaults: colour (3 channels, RGB), EXIF orientation ignored, at most 64 megapixels.</remarks>
public sealed record ImageDecodeOptions
{
    /// <summary>The default limit on width x height: 64 megapixels (8192 x 8192).</summary>
    public const long DefaultMaxPixels = 64L << 20;

    /// <summary>Gets the default options.</summary>
    public static ImageDecodeOptions Default { get; } = new();

    /// <summary>Gets whether to decode to 3 channels (RGB; alpha dropped, gray replicated) rather than 1 (luma, BT.601 weights as OpenCV).</summary>
    public bool Color { get; init; } = true;

    /// <summary>Gets whether to apply the EXIF orientation (off by default, as MXNet's fast decode path and the record iterator).</summary>
    public bool AutoOrient { get; init; }

    /// <summary>Gets the largest width x height accepted; larger images are refused from their header, before any pixel is allocated.</summary>
    public long MaxPixels { get; init; } = DefaultMaxPixels;
}
