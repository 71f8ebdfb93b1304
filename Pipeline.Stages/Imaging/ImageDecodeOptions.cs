namespace Pipeline.Stages.Imaging;

/// <summary>How <see cref="ImageOps.Decode(ReadOnlySpan{byte}, ImageDecodeOptions)"/> decodes.</summary>
/// <remarks>Defaults: colour (3 channels, RGB), EXIF orientation ignored, at most 64 megapixels, the native codecs when they load (<see cref="CodecPreference.Auto"/>).</remarks>
public sealed record ImageDecodeOptions
{
    /// <summary>The default limit on width x height: 64 megapixels (8192 x 8192).</summary>
    public const long DefaultMaxPixels = 64L << 20;

    /// <summary>Gets the default options.</summary>
    public static ImageDecodeOptions Default { get; } = new();

    /// <summary>Gets whether to decode to 3 channels (RGB; alpha dropped, gray replicated) rather than 1 (luma, as OpenCV's <c>IMREAD_GRAYSCALE</c>).</summary>
    public bool Color { get; init; } = true;

    /// <summary>Gets whether to apply the EXIF orientation of a JPEG (off by default, as MXNet's <c>imdecode</c> and the record iterator; im2rec turns it on, as <c>cv2.imread</c>).</summary>
    /// <remarks>The orientation is read from the JPEG's first APP1 segment, as OpenCV does, and applied to the decoded pixels by either codec.</remarks>
    public bool AutoOrient { get; init; }

    /// <summary>Gets the largest width x height accepted; larger images are refused from their header, before any pixel is allocated.</summary>
    public long MaxPixels { get; init; } = DefaultMaxPixels;

    /// <summary>Gets which codec decodes JPEG and PNG (default <see cref="CodecPreference.Auto"/>: native when it loads, ImageSharp otherwise).</summary>
    public CodecPreference Codec { get; init; }

    /// <summary>Checks every option; the pipelines call it when they are built.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="MaxPixels"/> is not positive or <see cref="Codec"/> is not a defined value; the message names it.</exception>
    public void Validate()
    {
        if (MaxPixels <= 0) throw new ArgumentOutOfRangeException(nameof(MaxPixels), MaxPixels, "MaxPixels must be positive.");
        if (!Enum.IsDefined(Codec)) throw new ArgumentOutOfRangeException(nameof(Codec), Codec, "Unknown CodecPreference; use Auto, Native or Managed.");
    }
}
