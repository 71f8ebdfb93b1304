using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;
using Pipeline.Stages.Imaging.Internal;

namespace Pipeline.Stages.Imaging;

/// <summary>The managed codec: ImageSharp 2.1, the only class in the library that uses an ImageSharp type.</summary>
/// <remarks>
/// Nothing touches this class unless the managed codec is chosen (<see cref="CodecPreference.Managed"/>, a machine
/// without the native libraries, or a BMP or GIF), so an application that references a newer, incompatible
/// ImageSharp still decodes JPEG and PNG natively. ImageSharp is configured with the four supported formats only; GIF
/// decodes its first frame; PNG skips metadata, so text chunks are never inflated. Whatever ImageSharp throws
/// (including the <see cref="NullReferenceException"/> some truncated JPEGs cause in 2.1) becomes an
/// <see cref="ImageDecodeException"/> in <see cref="ImageCodec"/>.
/// </remarks>
internal sealed class ImageSharpCodec : ImageCodec
{
    private readonly Configuration _configuration = CreateConfiguration();

    /// <inheritdoc/>
    public override string Name => "ImageSharp (managed)";

    /// <inheritdoc/>
    public override bool CanDecode(ImageFormat format) => format is ImageFormat.Jpeg or ImageFormat.Png or ImageFormat.Bmp or ImageFormat.Gif;

    /// <inheritdoc/>
    public override bool CanEncode(ImageFormat format) => format is ImageFormat.Jpeg or ImageFormat.Png or ImageFormat.Bmp;

    private protected override ImageHeader ReadHeaderCore(ReadOnlySpan<byte> encoded)
    {
        ImageFormat format = ImageSniffer.Detect(encoded);
        switch (format)
        {
            case ImageFormat.Jpeg:
                return ImageSniffer.ReadJpeg(encoded);
            case ImageFormat.Png:
                return ImageSniffer.ReadPng(encoded);
            default:
                IImageInfo info = Identify(encoded) ?? throw new InvalidDataException($"ImageSharp does not recognise the {format} header");
                int bits = info.PixelType?.BitsPerPixel ?? 24;
                return new ImageHeader(format, info.Width, info.Height, bits is 8 or 16 ? 1 : bits is 32 or 64 ? 4 : 3);
        }
    }

    private protected override void DecodeCore(ReadOnlySpan<byte> encoded, ImageHeader header, int channels, int scaleDenominator, Span<byte> destination)
    {
        (int width, int height) = ScaledSize(header, scaleDenominator);
        if (width == header.Width && height == header.Height)
        {
            DecodeFull(encoded, header, channels, destination);
            return;
        }

        // No DCT-domain scaling here: decode at full size and reduce by area, close to libjpeg's scaled IDCT.
        using var full = new PixelBuffer((long)header.Width * header.Height * channels);
        DecodeFull(encoded, header, channels, full.Span);
        Resampler.Resize<byte, byte>(full.Span, header.Width, header.Height, channels, destination, width, height, Interpolation.Area);
    }

    private protected override byte[] EncodeCore(ReadOnlySpan<byte> pixels, int width, int height, int channels, ImageFormat format, int quality)
    {
        IImageEncoder encoder = format switch
        {
            ImageFormat.Jpeg => new JpegEncoder { Quality = Math.Clamp(quality, 1, 100) },
            ImageFormat.Png => new PngEncoder { CompressionLevel = (PngCompressionLevel)Math.Clamp(quality, 0, 9) },
            _ => new BmpEncoder(),
        };

        using var stream = new MemoryStream();
        switch (channels)
        {
            case 1:
                using (Image<L8> gray = Image.LoadPixelData<L8>(pixels, width, height)) gray.Save(stream, encoder);
                break;
            case 3:
                using (Image<Rgb24> rgb = Image.LoadPixelData<Rgb24>(pixels, width, height)) rgb.Save(stream, encoder);
                break;
            default:
                using (Image<Rgba32> rgba = Image.LoadPixelData<Rgba32>(pixels, width, height)) rgba.Save(stream, encoder);
                break;
        }

        return stream.ToArray();
    }

    private static Configuration CreateConfiguration()
    {
        var configuration = new Configuration(new JpegConfigurationModule(), new PngConfigurationModule(), new BmpConfigurationModule(), new GifConfigurationModule());

        // Decode only the first frame of a GIF, as OpenCV does: an animation's frames are never allocated.
        configuration.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { DecodingMode = FrameDecodingMode.First });

        // Skip metadata: a zTXt or iTXt chunk that inflates to gigabytes is never inflated.
        configuration.ImageFormatsManager.SetDecoder(PngFormat.Instance, new PngDecoder { IgnoreMetadata = true });
        return configuration;
    }

    private static void CheckSize<TPixel>(Image<TPixel> image, ImageHeader header)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        if (image.Width != header.Width || image.Height != header.Height)
        {
            throw new InvalidDataException($"ImageSharp decoded {image.Width}x{image.Height} where the header says {header.Width}x{header.Height}");
        }
    }

    private void DecodeFull(ReadOnlySpan<byte> encoded, ImageHeader header, int channels, Span<byte> destination)
    {
        switch (channels)
        {
            case 4:
                using (Image<Rgba32> rgba = Image.Load<Rgba32>(_configuration, encoded))
                {
                    CheckSize(rgba, header);
                    rgba.CopyPixelDataTo(destination);
                }

                break;
            case 3:
                using (Image<Rgb24> rgb = Image.Load<Rgb24>(_configuration, encoded))
                {
                    CheckSize(rgb, header);
                    rgb.CopyPixelDataTo(destination);
                }

                break;
            default:
                using (Image<Rgb24> rgb = Image.Load<Rgb24>(_configuration, encoded))
                {
                    CheckSize(rgb, header);
                    CopyLuma(rgb, destination);
                }

                break;
        }
    }

    /// <summary>OpenCV's RGB to gray in fixed point (BT.601: 0.299, 0.587, 0.114), as <c>cvtColor</c>.</summary>
    private static unsafe void CopyLuma(Image<Rgb24> image, Span<byte> luma)
    {
        int width = image.Width;
        fixed (byte* target = luma)
        {
            nint address = (nint)target;
            image.ProcessPixelRows(accessor =>
            {
                for (int y = 0; y < accessor.Height; y++)
                {
                    Span<Rgb24> row = accessor.GetRowSpan(y);
                    var line = new Span<byte>((byte*)address + ((nint)y * width), width);
                    for (int x = 0; x < row.Length; x++)
                    {
                        Rgb24 p = row[x];
                        line[x] = (byte)(((p.R * 4899) + (p.G * 9617) + (p.B * 1868) + 8192) >> 14);
                    }
                }
            });
        }
    }

    private unsafe IImageInfo? Identify(ReadOnlySpan<byte> encoded)
    {
        // ImageSharp 2 identifies from a stream; wrap the span without copying it.
        fixed (byte* bytes = encoded)
        {
            using var stream = new UnmanagedMemoryStream(bytes, encoded.Length);
            return Image.Identify(_configuration, stream, out _);
        }
    }
}
