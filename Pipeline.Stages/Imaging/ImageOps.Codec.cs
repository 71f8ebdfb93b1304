using System.Globalization;
using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

public static partial class ImageOps
{
    /// <summary>Decodes an encoded image (JPEG, PNG, BMP, GIF first frame), as MXNet's <c>imdecode</c>.</summary>
    /// <param name="encoded">The file bytes.</param>
    /// <param name="color"><see langword="true"/> for (H, W, 3) RGB; <see langword="false"/> for (H, W, 1) luma.</param>
    /// <returns>The image; the caller disposes it.</returns>
    /// <exception cref="ImageDecodeException">The bytes are empty, truncated, not an image, an unsupported format, or over the pixel limit.</exception>
    public static NDArray Decode(ReadOnlySpan<byte> encoded, bool color = true) =>
        Decode(encoded, color ? ImageDecodeOptions.Default : ImageDecodeOptions.Default with { Color = false });

    /// <summary>Decodes an encoded image with explicit options.</summary>
    /// <param name="encoded">The file bytes.</param>
    /// <param name="options">Colour, orientation, size limit and codec.</param>
    /// <returns>The image; the caller disposes it.</returns>
    /// <exception cref="ImageDecodeException">The bytes are empty, truncated, not an image, an unsupported format, or over the pixel limit.</exception>
    /// <exception cref="DllNotFoundException"><see cref="ImageDecodeOptions.Codec"/> is <see cref="CodecPreference.Native"/> and the native library for the image's format did not load.</exception>
    public static NDArray Decode(ReadOnlySpan<byte> encoded, ImageDecodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Decode(encoded, options, options.Color ? 3 : 1, orient: options.AutoOrient);
    }

    /// <summary>Decodes to RGB into a scratch buffer outside the managed heap and hands it to <paramref name="use"/>, without an <see cref="NDArray"/> in between (the pipeline's fast path).</summary>
    /// <typeparam name="T">What <paramref name="use"/> makes of the pixels.</typeparam>
    /// <param name="encoded">The file bytes.</param>
    /// <param name="options">Orientation, size limit and codec (the result is always RGB).</param>
    /// <param name="use">Receives the (H, W, 3) pixels, valid only during the call, and the height and width.</param>
    /// <returns>What <paramref name="use"/> returned.</returns>
    internal static T DecodeRgb<T>(ReadOnlySpan<byte> encoded, ImageDecodeOptions options, RgbPixels<T> use) =>
        DecodeRgb(encoded, options, scaleFor: null, (pixels, height, width, _, _) => use(pixels, height, width));

    /// <summary>Decodes to RGB, at a reduced DCT-domain scale for a JPEG when <paramref name="scaleFor"/> picks one, and hands the pixels and the full-size header to <paramref name="use"/>.</summary>
    /// <typeparam name="T">What <paramref name="use"/> makes of the pixels.</typeparam>
    /// <param name="encoded">The file bytes.</param>
    /// <param name="options">Orientation, size limit and codec (the result is always RGB).</param>
    /// <param name="scaleFor">Picks the scale denominator (1, 2, 4 or 8) for a JPEG from its header, or <see langword="null"/> for full size; ignored when the image is re-oriented.</param>
    /// <param name="use">Receives the (H, W, 3) pixels, valid only during the call, their height and width, and the full-size height and width.</param>
    /// <returns>What <paramref name="use"/> returned.</returns>
    internal static T DecodeRgb<T>(ReadOnlySpan<byte> encoded, ImageDecodeOptions options, Func<ImageHeader, int>? scaleFor, ScaledRgbPixels<T> use)
    {
        ArgumentNullException.ThrowIfNull(options);
        ImageCodec codec = ImageCodecs.Get(options.Codec);
        ImageHeader header = CheckHeader(codec, encoded, options.MaxPixels);
        int orientation = options.AutoOrient && header.Format == ImageFormat.Jpeg ? ExifOrientation.Read(encoded) : 1;
        int scale = scaleFor is not null && orientation == 1 && header.Format == ImageFormat.Jpeg ? scaleFor(header) : 1;
        if (scale != 1)
        {
            (int width, int height) = ImageCodec.ScaledSize(header, scale);
            using var scaled = new PixelBuffer((long)width * height * 3);
            codec.Decode(encoded, header, 3, scale, scaled.Span);
            return use(scaled.Span, height, width, header.Height, header.Width);
        }

        using var pixels = new PixelBuffer((long)header.Width * header.Height * 3);
        codec.Decode(encoded, header, 3, 1, pixels.Span);
        if (orientation == 1) return use(pixels.Span, header.Height, header.Width, header.Height, header.Width);
        using var turned = new PixelBuffer(pixels.Length);
        ExifOrientation.Apply(pixels.Span, header.Height, header.Width, 3, orientation, turned.Span);
        return orientation >= 5 ? use(turned.Span, header.Width, header.Height, header.Width, header.Height) : use(turned.Span, header.Height, header.Width, header.Height, header.Width);
    }

    /// <summary>Re-encodes a JPEG as a 4:2:0 JPEG of another size by resizing its Y, Cb and Cr planes, skipping the colour conversions and chroma resampling of decode-resize-encode; <see langword="null"/> where that path does not apply.</summary>
    /// <param name="encoded">The file bytes.</param>
    /// <param name="width">The new width.</param>
    /// <param name="height">The new height.</param>
    /// <param name="interp"><see cref="Interpolation.Nearest"/> to <see cref="Interpolation.Lanczos4"/>.</param>
    /// <param name="quality">The JPEG quality.</param>
    /// <param name="options">Orientation, size limit and codec.</param>
    /// <returns>The new JPEG; <see langword="null"/> for anything but a YCbCr or gray JPEG served by the native codec, or one whose EXIF orientation must be applied.</returns>
    /// <exception cref="ImageDecodeException">The bytes are not a readable image, or it is over the pixel limit.</exception>
    /// <remarks>
    /// Luma is resized exactly as the RGB path resizes each channel; chroma is resized at its own resolution, so the
    /// pixels come within about a level of decode-resize-encode (measured in the tests), at a fraction of the work.
    /// </remarks>
    internal static byte[]? ResizeJpegPlanes(ReadOnlySpan<byte> encoded, int width, int height, Interpolation interp, int quality, ImageDecodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (interp is < Interpolation.Nearest or > Interpolation.Lanczos4) return null;
        ImageCodec codec = ImageCodecs.Get(options.Codec);
        ImageHeader header = CheckHeader(codec, encoded, options.MaxPixels);
        if (header.Format != ImageFormat.Jpeg || (options.AutoOrient && ExifOrientation.Read(encoded) != 1)) return null;
        CheckOutputSize(height, width);
        return codec.ResizeJpegPlanes(encoded, header, width, height, interp, quality);
    }

    /// <summary>Receives decoded RGB pixels.</summary>
    internal delegate T RgbPixels<T>(ReadOnlySpan<byte> pixels, int height, int width);

    /// <summary>Receives decoded RGB pixels, possibly at a reduced scale, with the image's full-size height and width.</summary>
    internal delegate T ScaledRgbPixels<T>(ReadOnlySpan<byte> pixels, int height, int width, int sourceHeight, int sourceWidth);

    /// <summary>Decodes keeping the stored channels (1 gray, 3 RGB, 4 RGBA) and ignoring EXIF orientation, as OpenCV's <c>IMREAD_UNCHANGED</c> for 8-bit images.</summary>
    /// <param name="encoded">The file bytes.</param>
    /// <param name="maxPixels">The largest width x height accepted.</param>
    /// <returns>An (H, W, 1|3|4) uint8 image; the caller disposes it.</returns>
    /// <exception cref="ImageDecodeException">The bytes are not a decodable image, an unsupported format, or over the pixel limit.</exception>
    public static NDArray DecodeUnchanged(ReadOnlySpan<byte> encoded, long maxPixels = ImageDecodeOptions.DefaultMaxPixels) =>
        DecodeUnchanged(encoded, ImageDecodeOptions.Default with { MaxPixels = maxPixels });

    /// <summary>Decodes keeping the stored channels, with the options' size limit and codec (orientation and colour are ignored).</summary>
    internal static NDArray DecodeUnchanged(ReadOnlySpan<byte> encoded, ImageDecodeOptions options) => Decode(encoded, options, channels: 0, orient: false);

    /// <summary>Reads and decodes an image file, as MXNet's <c>imread</c>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="color"><see langword="true"/> for (H, W, 3) RGB; <see langword="false"/> for (H, W, 1) luma.</param>
    /// <returns>The image; the caller disposes it.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ImageDecodeException">The file is not a decodable image; the message names it.</exception>
    public static NDArray Read(string path, bool color = true)
    {
        byte[] bytes = File.ReadAllBytes(path);
        try
        {
            return Decode(bytes, color);
        }
        catch (ImageDecodeException error)
        {
            throw new ImageDecodeException($"'{path}': {error.Message}", error);
        }
    }

    /// <summary>Encodes an image as JPEG, PNG or BMP with <see cref="ImageCodecs.Default"/> (JPEG and PNG natively when the libraries load).</summary>
    /// <param name="image">An (H, W, 1), (H, W, 3) RGB or (H, W, 4) RGBA uint8 image.</param>
    /// <param name="format">The encoding.</param>
    /// <param name="quality">JPEG quality 1-100; for PNG the compression level, clamped to 0-9 (so the default 95 means 9); ignored for BMP.</param>
    /// <returns>The encoded bytes.</returns>
    /// <exception cref="ArgumentException">The image is not uint8 with 1, 3 or 4 channels.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is undefined or <see cref="ImageFormat.Gif"/> (decoded only).</exception>
    /// <exception cref="ImagingException">The encoder failed.</exception>
    /// <remarks>
    /// The native JPEG encoder is libjpeg-turbo with OpenCV's settings (4:2:0, accurate DCT, standard Huffman tables), so its
    /// bytes equal <c>cv2.imencode</c>'s. libpng's simplified writer has two speeds: levels 0-3 write fast (zlib level 3, no
    /// filtering), 4-9 with libpng's defaults (zlib level 6, adaptive filtering); ImageSharp honours each level.
    /// </remarks>
    public static byte[] Encode(NDArray image, ImageFormat format = ImageFormat.Jpeg, int quality = 95)
    {
        (int h, int w, int c) = CheckEncodable(image);

        // The codec refuses an undefined format or GIF (ArgumentOutOfRangeException naming the format).
        return ImageCodecs.Default.Encode(image.AsBytes(), w, h, c, format, quality);
    }

    /// <summary>MXNet's format names: <c>.jpg</c>/<c>.jpeg</c>, <c>.png</c> or <c>.bmp</c>, in any case.</summary>
    internal static ImageFormat ParseFormat(string format) => format.ToUpperInvariant() switch
    {
        ".JPG" or ".JPEG" => ImageFormat.Jpeg,
        ".PNG" => ImageFormat.Png,
        ".BMP" => ImageFormat.Bmp,
        _ => throw new ArgumentException($"Unknown image format '{format}'; use .jpg, .png or .bmp.", nameof(format)),
    };

    private static (int Height, int Width, int Channels) CheckEncodable(NDArray image)
    {
        (int h, int w, int c) = CheckImage(image);
        if (image.DType != DType.UInt8 || c is not (1 or 3 or 4))
        {
            throw new ArgumentException($"Only uint8 images with 1, 3 or 4 channels can be encoded; this one is {image.DType.ToNumPyName()} with {c}.", nameof(image));
        }

        return (h, w, c);
    }

    /// <summary>The one decode: header (format refused or size over the limit before any pixel exists), then the codec into a new array, then the EXIF orientation of a JPEG when asked.</summary>
    /// <param name="encoded">The file bytes.</param>
    /// <param name="options">Size limit and codec.</param>
    /// <param name="channels">1, 3 or 4; 0 keeps the stored channels.</param>
    /// <param name="orient">Whether to apply a JPEG's EXIF orientation.</param>
    private static NDArray Decode(ReadOnlySpan<byte> encoded, ImageDecodeOptions options, int channels, bool orient)
    {
        ArgumentNullException.ThrowIfNull(options);
        ImageCodec codec = ImageCodecs.Get(options.Codec);
        ImageHeader header = CheckHeader(codec, encoded, options.MaxPixels);
        if (channels == 0) channels = header.Channels;
        NDArray image = NDArray.Empty(DType.UInt8, header.Height, header.Width, channels);
        try
        {
            codec.Decode(encoded, header, channels, 1, image.AsBytes());
            int orientation = orient && header.Format == ImageFormat.Jpeg ? ExifOrientation.Read(encoded) : 1;
            if (orientation == 1) return image;
            NDArray turned = orientation >= 5
                ? NDArray.Empty(DType.UInt8, header.Width, header.Height, channels)
                : NDArray.Empty(DType.UInt8, header.Height, header.Width, channels);
            ExifOrientation.Apply(image.AsBytes(), header.Height, header.Width, channels, orientation, turned.AsBytes());
            image.Dispose();
            return turned;
        }
        catch
        {
            image.Dispose();
            throw;
        }
    }

    /// <summary>Reads only the header: refuses empty, unknown, unsupported or over-limit images before any pixel is allocated.</summary>
    private static ImageHeader CheckHeader(ImageCodec codec, ReadOnlySpan<byte> encoded, long maxPixels)
    {
        ImageHeader header = codec.ReadHeader(encoded);
        if (header.Width <= 0 || header.Height <= 0 || (long)header.Width * header.Height > maxPixels)
        {
            throw new ImageDecodeException(string.Create(CultureInfo.InvariantCulture, $"The image header claims {header.Width}x{header.Height} pixels; the limit is {maxPixels} (ImageDecodeOptions.MaxPixels)."));
        }

        return header;
    }
}
