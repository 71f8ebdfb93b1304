using System.Globalization;

namespace Pipeline.Stages.Imaging;

/// <summary>An image codec: reads an encoded image's header, decodes it into a caller's buffer, encodes pixels. The instances are <see cref="ImageCodecs"/>' properties.</summary>
/// <remarks>
/// Pixels are interleaved uint8 rows with no padding: 1 channel (gray), 3 (R, G, B) or 4 (R, G, B, A). Decoding to a
/// channel count the image does not store follows OpenCV: alpha is dropped, gray is replicated, colour becomes luma
/// with OpenCV's weights, and alpha is opaque when the image has none. Every error the underlying decoder raises,
/// whatever its type, reaches the caller as an <see cref="ImageDecodeException"/> (an encoder's as an
/// <see cref="ImagingException"/>); only <see cref="OperationCanceledException"/>, <see cref="OutOfMemoryException"/> and the
/// <see cref="DllNotFoundException"/> of a native library that <see cref="CodecPreference.Native"/> requires pass through.
/// A codec is safe to use from many threads at once.
/// </remarks>
public abstract class ImageCodec
{
    private protected ImageCodec()
    {
    }

    /// <summary>Gets what serves each format, for logs (for example <c>TurboJPEG (libturbojpeg.so.0)</c>).</summary>
    public abstract string Name { get; }

    /// <summary>Gets the size <see cref="Decode(ReadOnlySpan{byte}, int, int, Span{byte})"/> produces: a JPEG's DCT-domain scaling gives TurboJPEG's <c>TJSCALED</c> size, ceil(width / s) x ceil(height / s); other formats decode at full size.</summary>
    /// <param name="header">The image's header.</param>
    /// <param name="scaleDenominator">1, 2, 4 or 8.</param>
    /// <returns>The decoded width and height.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scaleDenominator"/> is not 1, 2, 4 or 8.</exception>
    public static (int Width, int Height) ScaledSize(ImageHeader header, int scaleDenominator)
    {
        CheckScale(scaleDenominator);
        if (header.Format != ImageFormat.Jpeg) return (header.Width, header.Height);
        return ((header.Width + scaleDenominator - 1) / scaleDenominator, (header.Height + scaleDenominator - 1) / scaleDenominator);
    }

    /// <summary>Gets whether this codec decodes <paramref name="format"/>.</summary>
    /// <param name="format">The encoding.</param>
    /// <returns><see langword="true"/> when <see cref="Decode(ReadOnlySpan{byte}, int, int, Span{byte})"/> accepts images of that format.</returns>
    public abstract bool CanDecode(ImageFormat format);

    /// <summary>Gets whether this codec encodes <paramref name="format"/>.</summary>
    /// <param name="format">The encoding.</param>
    /// <returns><see langword="true"/> when <see cref="Encode"/> accepts that format.</returns>
    public abstract bool CanEncode(ImageFormat format);

    /// <summary>Reads the format, size and stored channels from the header, without decoding or allocating pixels.</summary>
    /// <param name="encoded">The file bytes.</param>
    /// <returns>The header.</returns>
    /// <exception cref="ImageDecodeException">The bytes are empty, not an image, an unsupported format (named in the message) or a format this codec does not decode, or the header is unreadable.</exception>
    public ImageHeader ReadHeader(ReadOnlySpan<byte> encoded)
    {
        if (encoded.IsEmpty) throw new ImageDecodeException("Cannot decode an empty buffer as an image.");
        try
        {
            return ReadHeaderCore(encoded);
        }
        catch (Exception error) when (IsDecoderFailure(error))
        {
            throw new ImageDecodeException($"The {encoded.Length}-byte buffer has an unreadable image header: {error.Message}", error);
        }
    }

    /// <summary>Decodes the image (the first frame of an animation) into <paramref name="destination"/>.</summary>
    /// <param name="encoded">The file bytes.</param>
    /// <param name="channels">1 (gray), 3 (RGB) or 4 (RGBA).</param>
    /// <param name="scaleDenominator">1, 2, 4 or 8: a JPEG is scaled by 1/<paramref name="scaleDenominator"/> in the DCT domain (TurboJPEG; the managed codec decodes and then resizes by area); other formats ignore it.</param>
    /// <param name="destination">At least width x height x <paramref name="channels"/> bytes for the <see cref="ScaledSize"/> of the image; rows are written without padding.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="channels"/> or <paramref name="scaleDenominator"/> is not one of the values listed.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too small.</exception>
    /// <exception cref="ImageDecodeException">The bytes are not a decodable image of a format this codec decodes.</exception>
    public void Decode(ReadOnlySpan<byte> encoded, int channels, int scaleDenominator, Span<byte> destination)
    {
        CheckChannels(channels);
        CheckScale(scaleDenominator);
        ImageHeader header = ReadHeader(encoded);
        Decode(encoded, header, channels, scaleDenominator, destination);
    }

    /// <summary>Encodes interleaved pixels.</summary>
    /// <param name="pixels">Height rows of width x <paramref name="channels"/> bytes.</param>
    /// <param name="width">The width in pixels.</param>
    /// <param name="height">The height in pixels.</param>
    /// <param name="channels">1 (gray), 3 (RGB) or 4 (RGBA; JPEG drops the alpha, as OpenCV).</param>
    /// <param name="format">JPEG, PNG or BMP (the managed codec only).</param>
    /// <param name="quality">JPEG quality, clamped to 1-100; PNG compression level, clamped to 0-9; ignored for BMP.</param>
    /// <returns>The encoded bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size or the channel count is out of range, or <paramref name="format"/> is undefined or <see cref="ImageFormat.Gif"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="pixels"/> is shorter than the image.</exception>
    /// <exception cref="NotSupportedException">This codec does not encode <paramref name="format"/> (<see cref="CanEncode"/>).</exception>
    /// <exception cref="ImagingException">The encoder failed.</exception>
    public byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, int channels, ImageFormat format, int quality)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        CheckChannels(channels);
        if (format is not (ImageFormat.Jpeg or ImageFormat.Png or ImageFormat.Bmp))
        {
            throw new ArgumentOutOfRangeException(nameof(format), format, format == ImageFormat.Gif ? "GIF is decoded only; encode as Jpeg, Png or Bmp." : "Unknown image format; use Jpeg, Png or Bmp.");
        }

        if (!CanEncode(format)) throw new NotSupportedException($"The codec '{Name}' does not encode {format}; use ImageCodecs.Default or ImageCodecs.Managed.");
        long size = (long)width * height * channels;
        if (pixels.Length < size)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"A {width}x{height} image with {channels} channels needs {size} bytes; got {pixels.Length}."), nameof(pixels));
        }

        try
        {
            return EncodeCore(pixels[..(int)size], width, height, channels, format, quality);
        }
        catch (Exception error) when (IsDecoderFailure(error))
        {
            throw new ImagingException(string.Create(CultureInfo.InvariantCulture, $"Encoding a {width}x{height}x{channels} image as {format} failed: {error.Message}"), error);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <summary>Decodes with the header already read (by this codec), so callers that checked it do not parse it twice.</summary>
    internal void Decode(ReadOnlySpan<byte> encoded, ImageHeader header, int channels, int scaleDenominator, Span<byte> destination)
    {
        (int width, int height) = ScaledSize(header, scaleDenominator);
        long size = (long)width * height * channels;
        if (destination.Length < size)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The decoded {width}x{height} image with {channels} channels needs {size} bytes; the destination has {destination.Length}."), nameof(destination));
        }

        try
        {
            DecodeCore(encoded, header, channels, scaleDenominator, destination[..(int)size]);
        }
        catch (Exception error) when (IsDecoderFailure(error))
        {
            throw new ImageDecodeException($"The {encoded.Length}-byte {header.Format} image could not be decoded: {error.Message}", error);
        }
    }

    /// <summary>Re-encodes a JPEG at another size by resizing its Y, Cb and Cr planes, where this codec can (see <c>ImageOps.ResizeJpegPlanes</c>).</summary>
    /// <returns>The new JPEG, or <see langword="null"/> when this codec or this JPEG cannot take that path.</returns>
    internal byte[]? ResizeJpegPlanes(ReadOnlySpan<byte> encoded, ImageHeader header, int width, int height, Interpolation interp, int quality)
    {
        try
        {
            return ResizeJpegPlanesCore(encoded, header, width, height, interp, quality);
        }
        catch (Exception error) when (IsDecoderFailure(error))
        {
            throw new ImageDecodeException($"The {encoded.Length}-byte {header.Format} image could not be decoded: {error.Message}", error);
        }
    }

    /// <summary>Resizes a JPEG's planes; the base codec cannot.</summary>
    private protected virtual byte[]? ResizeJpegPlanesCore(ReadOnlySpan<byte> encoded, ImageHeader header, int width, int height, Interpolation interp, int quality) => null;

    /// <summary>Reads the header; called with a non-empty buffer.</summary>
    private protected abstract ImageHeader ReadHeaderCore(ReadOnlySpan<byte> encoded);

    /// <summary>Decodes into exactly the scaled size; arguments are checked.</summary>
    private protected abstract void DecodeCore(ReadOnlySpan<byte> encoded, ImageHeader header, int channels, int scaleDenominator, Span<byte> destination);

    /// <summary>Encodes; arguments are checked and <paramref name="pixels"/> is exactly the image.</summary>
    private protected abstract byte[] EncodeCore(ReadOnlySpan<byte> pixels, int width, int height, int channels, ImageFormat format, int quality);

    /// <summary>Whatever a decoder throws is a property of the bytes, except cancellation, memory exhaustion, our own domain errors (already worded) and a missing native library (a setup problem).</summary>
    private static bool IsDecoderFailure(Exception error) =>
        error is not (ImagingException or OperationCanceledException or OutOfMemoryException or DllNotFoundException);

    private static void CheckChannels(int channels)
    {
        if (channels is not (1 or 3 or 4)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "Channels must be 1 (gray), 3 (RGB) or 4 (RGBA).");
    }

    private static void CheckScale(int scaleDenominator)
    {
        if (scaleDenominator is not (1 or 2 or 4 or 8)) throw new ArgumentOutOfRangeException(nameof(scaleDenominator), scaleDenominator, "The scale denominator must be 1, 2, 4 or 8.");
    }
}
