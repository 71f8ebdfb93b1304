namespace Pipeline.Stages.Imaging;

/// <summary>An encoding <see cref="ImageOps.Encode"/> can write.</summary>
/// <remarks>MXNet names these by file extension (<c>.jpg</c>, <c>.png</c>, <c>.bmp</c>); the string overloads that keep that habit map onto these values.</remarks>
public enum ImageFormat
{
    /// <summary>JPEG (<c>.jpg</c>, <c>.jpeg</c>): lossy, quality 1-100.</summary>
    Jpeg,

    /// <summary>PNG (<c>.png</c>): lossless, compression level 0-9.</summary>
    Png,

    /// <summary>BMP (<c>.bmp</c>): uncompressed.</summary>
    Bmp,
}
