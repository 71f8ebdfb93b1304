namespace Pipeline.Stages.Imaging;

/// <summary>An image encoding: what <see cref="ImageOps.Encode"/> writes and what <see cref="ImageCodec.ReadHeader"/> finds.</summary>
/// <remarks>
/// MXNet names these by file extension (<c>.jpg</c>, <c>.png</c>, <c>.bmp</c>); the string overloads that keep that habit map onto these values.
/// These four are the formats the library decodes; every other format is refused from its header (see <see cref="ImageOps"/>).
/// </remarks>
public enum ImageFormat
{
    /// <summary>JPEG (<c>.jpg</c>, <c>.jpeg</c>): lossy, quality 1-100.</summary>
    Jpeg,

    /// <summary>PNG (<c>.png</c>): lossless, compression level 0-9.</summary>
    Png,

    /// <summary>BMP (<c>.bmp</c>): uncompressed.</summary>
    Bmp,

    /// <summary>GIF (<c>.gif</c>): decoded only (the first frame of an animation); encoding GIF is refused.</summary>
    Gif,
}
