namespace Pipeline.Stages.Imaging;

/// <summary>The native codecs behind one <see cref="ImageCodec"/>: JPEG through TurboJPEG, PNG through libpng, whichever of the two loaded.</summary>
internal sealed class NativeCodec : ImageCodec
{
    private readonly TurboJpegCodec? _jpeg;
    private readonly LibPngCodec? _png;

    internal NativeCodec(TurboJpegCodec? jpeg, LibPngCodec? png)
    {
        _jpeg = jpeg;
        _png = png;
        Name = (jpeg, png) switch
        {
            ({ } j, { } p) => $"TurboJPEG ({j.File}) + libpng {p.Version} ({p.File})",
            ({ } j, null) => $"TurboJPEG ({j.File})",
            _ => $"libpng {png!.Version} ({png.File})",
        };
    }

    /// <inheritdoc/>
    public override string Name { get; }

    internal TurboJpegCodec? Jpeg => _jpeg;

    internal LibPngCodec? Png => _png;

    /// <summary>Loads what it can; <see langword="null"/> when neither library loads.</summary>
    public static NativeCodec? TryCreate(out string? jpegError, out string? pngError)
    {
        TurboJpegCodec? jpeg = TurboJpegCodec.TryCreate(out jpegError);
        LibPngCodec? png = LibPngCodec.TryCreate(out pngError);
        return jpeg is null && png is null ? null : new NativeCodec(jpeg, png);
    }

    /// <inheritdoc/>
    public override bool CanDecode(ImageFormat format) => format switch
    {
        ImageFormat.Jpeg => _jpeg is not null,
        ImageFormat.Png => _png is not null,
        _ => false,
    };

    /// <inheritdoc/>
    public override bool CanEncode(ImageFormat format) => CanDecode(format);

    private protected override ImageHeader ReadHeaderCore(ReadOnlySpan<byte> encoded)
    {
        ImageFormat format = ImageSniffer.Detect(encoded);
        if (!CanDecode(format)) throw new ImageDecodeException($"The {encoded.Length}-byte buffer is a {format.ToString().ToUpperInvariant()} image, which the codec '{Name}' does not decode; use ImageCodecs.Default.");
        return format == ImageFormat.Jpeg ? ImageSniffer.ReadJpeg(encoded) : ImageSniffer.ReadPng(encoded);
    }

    private protected override void DecodeCore(ReadOnlySpan<byte> encoded, ImageHeader header, int channels, int scaleDenominator, Span<byte> destination)
    {
        if (header.Format == ImageFormat.Jpeg && _jpeg is not null) _jpeg.Decode(encoded, header, channels, scaleDenominator, destination);
        else if (header.Format == ImageFormat.Png && _png is not null) _png.Decode(encoded, header, channels, destination);
        else throw new ImageDecodeException($"The codec '{Name}' does not decode {header.Format.ToString().ToUpperInvariant()}; use ImageCodecs.Default.");
    }

    private protected override byte[]? ResizeJpegPlanesCore(ReadOnlySpan<byte> encoded, ImageHeader header, int width, int height, Interpolation interp, int quality) =>
        header.Format == ImageFormat.Jpeg ? _jpeg?.ResizePlanes(encoded, header, width, height, interp, quality) : null;

    private protected override byte[] EncodeCore(ReadOnlySpan<byte> pixels, int width, int height, int channels, ImageFormat format, int quality) =>
        format == ImageFormat.Jpeg ? _jpeg!.Encode(pixels, width, height, channels, quality) : _png!.Encode(pixels, width, height, channels, quality);
}
