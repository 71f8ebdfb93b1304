using System.Globalization;
using Pipeline.Core;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Pipeline.Stages.Imaging;

public static partial class ImageOps
{
    private static readonly Configuration s_configuration = CreateConfiguration();

    /// <summary>Decodes an encoded image (JPEG, PNG, BMP, GIF first frame), as MXNet's <c>imdecode</c>.</summary>
    /// <param name="encoded">The file bytes.</param>
    /// <param name="color"><see langword="true"/> for (H, W, 3) RGB; <see langword="false"/> for (H, W, 1) luma.</param>
    /// <returns>The image; the caller disposes it.</returns>
    /// <exception cref="ImageDecodeException">The bytes are empty, truncated, not an image, or over the pixel limit.</exception>
    public static NDArray Decode(ReadOnlySpan<byte> encoded, bool color = true) =>
        Decode(encoded, color ? ImageDecodeOptions.Default : ImageDecodeOptions.Default with { Color = false });

    /// <summary>Decodes an encoded image with explicit options.</summary>
    /// <param name="encoded">The file bytes.</param>
    /// <param name="options">Colour, orientation and size limit.</param>
    /// <returns>The image; the caller disposes it.</returns>
    /// <exception cref="ImageDecodeException">The bytes are empty, truncated, not an image, or over the pixel limit.</exception>
    public static NDArray Decode(ReadOnlySpan<byte> encoded, ImageDecodeOptions options)
    {
        using Image<Rgb24> image = LoadRgb(encoded, options);
        return options.Color ? CopyRgb(image) : CopyLuma(image);
    }

    /// <summary>Decodes to RGB and hands the decoder's own pixel buffer to <paramref name="use"/>, without copying it into an <see cref="NDArray"/> (the pipeline's fast path).</summary>
    /// <typeparam name="T">What <paramref name="use"/> makes of the pixels.</typeparam>
    /// <param name="encoded">The file bytes.</param>
    /// <param name="options">Orientation and size limit (the result is always RGB).</param>
    /// <param name="use">Receives the (H, W, 3) pixels, valid only during the call, and the height and width.</param>
    /// <returns>What <paramref name="use"/> returned.</returns>
    internal static T DecodeRgb<T>(ReadOnlySpan<byte> encoded, ImageDecodeOptions options, RgbPixels<T> use)
    {
        using Image<Rgb24> image = LoadRgb(encoded, options);
        if (image.DangerousTryGetSinglePixelMemory(out Memory<Rgb24> memory))
        {
            return use(System.Runtime.InteropServices.MemoryMarshal.AsBytes(memory.Span), image.Height, image.Width);
        }

        using NDArray copy = CopyRgb(image);
        return use(copy.AsBytes(), image.Height, image.Width);
    }

    /// <summary>Receives decoded RGB pixels.</summary>
    internal delegate T RgbPixels<T>(ReadOnlySpan<byte> pixels, int height, int width);

    private static Image<Rgb24> LoadRgb(ReadOnlySpan<byte> encoded, ImageDecodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        CheckHeader(encoded, options.MaxPixels);
        Image<Rgb24> image;
        try
        {
            image = Image.Load<Rgb24>(s_configuration, encoded);
        }
        catch (Exception error) when (error is ImageFormatException or InvalidImageContentException or NotSupportedException or InvalidOperationException or IndexOutOfRangeException or ArgumentException)
        {
            throw new ImageDecodeException($"The {encoded.Length}-byte image could not be decoded: {error.Message}", error);
        }

        if (options.AutoOrient) image.Mutate(x => x.AutoOrient());
        return image;
    }

    /// <summary>Decodes keeping the stored channels (1 gray, 3 RGB, 4 RGBA) and ignoring EXIF orientation, as OpenCV's <c>IMREAD_UNCHANGED</c> for 8-bit images.</summary>
    /// <param name="encoded">The file bytes.</param>
    /// <param name="maxPixels">The largest width x height accepted.</param>
    /// <returns>An (H, W, 1|3|4) uint8 image; the caller disposes it.</returns>
    /// <exception cref="ImageDecodeException">The bytes are not a decodable image or are over the pixel limit.</exception>
    public static NDArray DecodeUnchanged(ReadOnlySpan<byte> encoded, long maxPixels = ImageDecodeOptions.DefaultMaxPixels)
    {
        IImageInfo info = CheckHeader(encoded, maxPixels);
        int bits = info.PixelType?.BitsPerPixel ?? 24;
        int channels = bits is 8 or 16 ? 1 : bits is 32 or 64 ? 4 : 3;
        try
        {
            switch (channels)
            {
                case 1:
                    using (Image<L8> gray = Image.Load<L8>(s_configuration, encoded)) return CopyPixels(gray, 1);
                case 4:
                    using (Image<Rgba32> rgba = Image.Load<Rgba32>(s_configuration, encoded)) return CopyPixels(rgba, 4);
                default:
                    using (Image<Rgb24> rgb = Image.Load<Rgb24>(s_configuration, encoded)) return CopyRgb(rgb);
            }
        }
        catch (Exception error) when (error is ImageFormatException or InvalidImageContentException or NotSupportedException or InvalidOperationException or IndexOutOfRangeException or ArgumentException)
        {
            throw new ImageDecodeException($"The {encoded.Length}-byte image could not be decoded: {error.Message}", error);
        }
    }

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

    /// <summary>Encodes an image as JPEG, PNG or BMP.</summary>
    /// <param name="image">An (H, W, 1), (H, W, 3) RGB or (H, W, 4) RGBA uint8 image.</param>
    /// <param name="format">The encoding.</param>
    /// <param name="quality">JPEG quality 1-100; for PNG the compression level, clamped to 0-9 (so the default 95 means 9); ignored for BMP.</param>
    /// <returns>The encoded bytes.</returns>
    /// <exception cref="ArgumentException">The image is not uint8 with 1, 3 or 4 channels.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is undefined.</exception>
    public static byte[] Encode(NDArray image, ImageFormat format = ImageFormat.Jpeg, int quality = 95)
    {
        (int h, int w, int c) = CheckEncodable(image);
        IImageEncoder encoder = format switch
        {
            ImageFormat.Jpeg => new JpegEncoder { Quality = Math.Clamp(quality, 1, 100) },
            ImageFormat.Png => new PngEncoder { CompressionLevel = (PngCompressionLevel)Math.Clamp(quality, 0, 9) },
            ImageFormat.Bmp => new BmpEncoder(),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown image format; use Jpeg, Png or Bmp."),
        };

        using var stream = new MemoryStream();
        ReadOnlySpan<byte> pixels = image.AsBytes();
        switch (c)
        {
            case 1:
                using (Image<L8> gray = Image.LoadPixelData<L8>(pixels, w, h)) gray.Save(stream, encoder);
                break;
            case 3:
                using (Image<Rgb24> rgb = Image.LoadPixelData<Rgb24>(pixels, w, h)) rgb.Save(stream, encoder);
                break;
            default:
                using (Image<Rgba32> rgba = Image.LoadPixelData<Rgba32>(pixels, w, h)) rgba.Save(stream, encoder);
                break;
        }

        return stream.ToArray();
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

    private static NDArray CopyRgb(Image<Rgb24> image)
    {
        NDArray result = NDArray.Empty(DType.UInt8, image.Height, image.Width, 3);
        image.CopyPixelDataTo(result.AsBytes());
        return result;
    }

    private static NDArray CopyPixels<TPixel>(Image<TPixel> image, int channels)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        NDArray result = NDArray.Empty(DType.UInt8, image.Height, image.Width, channels);
        image.CopyPixelDataTo(result.AsBytes());
        return result;
    }

    private static NDArray CopyLuma(Image<Rgb24> image)
    {
        // OpenCV's RGB->gray in fixed point (BT.601: 0.299, 0.587, 0.114).
        NDArray result = NDArray.Empty(DType.UInt8, image.Height, image.Width, 1);
        int width = image.Width;
        image.ProcessPixelRows(accessor =>
        {
            Span<byte> luma = result.AsBytes();
            for (int y = 0; y < accessor.Height; y++)
            {
                Span<Rgb24> row = accessor.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++)
                {
                    Rgb24 p = row[x];
                    luma[(y * width) + x] = (byte)(((p.R * 4899) + (p.G * 9617) + (p.B * 1868) + 8192) >> 14);
                }
            }
        });
        return result;
    }

    /// <summary>Reads only the header: refuses empty, unknown or over-limit images before any pixel is allocated.</summary>
    private static IImageInfo CheckHeader(ReadOnlySpan<byte> encoded, long maxPixels)
    {
        if (encoded.IsEmpty) throw new ImageDecodeException("Cannot decode an empty buffer as an image.");
        IImageInfo? info;
        try
        {
            info = Identify(encoded);
        }
        catch (Exception error) when (error is ImageFormatException or InvalidImageContentException or NotSupportedException or InvalidOperationException or IndexOutOfRangeException or ArgumentException)
        {
            throw new ImageDecodeException($"The {encoded.Length}-byte buffer has an unreadable image header: {error.Message}", error);
        }

        if (info is null)
        {
            throw new ImageDecodeException($"The {encoded.Length}-byte buffer (starting {Convert.ToHexString(encoded[..Math.Min(8, encoded.Length)])}) is not a JPEG, PNG, BMP or GIF image.");
        }

        if (info.Width <= 0 || info.Height <= 0 || (long)info.Width * info.Height > maxPixels)
        {
            throw new ImageDecodeException(string.Create(CultureInfo.InvariantCulture, $"The image header claims {info.Width}x{info.Height} pixels; the limit is {maxPixels} (ImageDecodeOptions.MaxPixels)."));
        }

        return info;
    }

    private static unsafe IImageInfo? Identify(ReadOnlySpan<byte> encoded)
    {
        // ImageSharp 2 identifies from a stream; wrap the span without copying it.
        fixed (byte* bytes = encoded)
        {
            using var stream = new UnmanagedMemoryStream(bytes, encoded.Length);
            return Image.Identify(s_configuration, stream, out _);
        }
    }

    private static Configuration CreateConfiguration()
    {
        Configuration configuration = Configuration.Default.Clone();

        // Decode only the first frame of a GIF, as OpenCV does: an animation's frames are never allocated.
        configuration.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { DecodingMode = FrameDecodingMode.First });
        return configuration;
    }
}
