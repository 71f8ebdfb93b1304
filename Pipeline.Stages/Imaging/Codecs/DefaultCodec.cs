namespace Pipeline.Stages.Imaging;

/// <summary>Routes each format to its codec: JPEG and PNG to the native codec when it serves them, everything else (and JPEG and PNG without it) to ImageSharp.</summary>
/// <remarks>
/// The managed codec is reached only through <see cref="ImageCodecs.Managed"/>, and only for a format the native codec
/// does not serve, so decoding and encoding JPEG and PNG natively never loads an ImageSharp type.
/// With <c>requireNative</c> (<see cref="CodecPreference.Native"/>) a JPEG or PNG without its native library is a
/// <see cref="DllNotFoundException"/> instead of a fallback.
/// </remarks>
internal sealed class DefaultCodec(NativeCodec? native, bool requireNative, string nativeError) : ImageCodec
{
    /// <inheritdoc/>
    public override string Name { get; } = Describe(native, nativeError);

    /// <summary>Says what serves JPEG and PNG (and BMP, GIF), in one line.</summary>
    internal static string Describe(NativeCodec? native, string nativeError)
    {
        string jpeg = native?.Jpeg is { } j ? $"TurboJPEG ({j.File})" : "ImageSharp (managed)";
        string png = native?.Png is { } p ? $"libpng {p.Version} ({p.File})" : "ImageSharp (managed)";
        string missing = native?.Jpeg is null || native.Png is null ? $"; native: {nativeError}" : string.Empty;
        return $"JPEG: {jpeg}; PNG: {png}; BMP, GIF: ImageSharp (managed){missing}";
    }

    /// <inheritdoc/>
    public override bool CanDecode(ImageFormat format) => format is ImageFormat.Jpeg or ImageFormat.Png or ImageFormat.Bmp or ImageFormat.Gif && Serves(format);

    /// <inheritdoc/>
    public override bool CanEncode(ImageFormat format) => format is ImageFormat.Jpeg or ImageFormat.Png or ImageFormat.Bmp && Serves(format);

    private protected override ImageHeader ReadHeaderCore(ReadOnlySpan<byte> encoded) => For(ImageSniffer.Detect(encoded)).ReadHeader(encoded);

    private protected override void DecodeCore(ReadOnlySpan<byte> encoded, ImageHeader header, int channels, int scaleDenominator, Span<byte> destination) =>
        For(header.Format).Decode(encoded, header, channels, scaleDenominator, destination);

    private protected override byte[]? ResizeJpegPlanesCore(ReadOnlySpan<byte> encoded, ImageHeader header, int width, int height, Interpolation interp, int quality) =>
        native is not null && native.CanDecode(header.Format) ? native.ResizeJpegPlanes(encoded, header, width, height, interp, quality) : null;

    private protected override byte[] EncodeCore(ReadOnlySpan<byte> pixels, int width, int height, int channels, ImageFormat format, int quality) =>
        For(format).Encode(pixels, width, height, channels, format, quality);

    private bool Serves(ImageFormat format) => !requireNative || format is ImageFormat.Bmp or ImageFormat.Gif || native?.CanDecode(format) == true;

    private ImageCodec For(ImageFormat format)
    {
        if (native is not null && native.CanDecode(format)) return native;
        if (requireNative && format is ImageFormat.Jpeg or ImageFormat.Png)
        {
            throw new DllNotFoundException($"ImageDecodeOptions.Codec is CodecPreference.Native but the native {(format == ImageFormat.Jpeg ? "JPEG" : "PNG")} codec did not load ({nativeError}); install libturbojpeg0 and libpng16-16 (Debian/Ubuntu) or use CodecPreference.Auto.");
        }

        return ImageCodecs.Managed;
    }
}
