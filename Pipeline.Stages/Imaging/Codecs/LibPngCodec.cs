using System.Globalization;

namespace Pipeline.Stages.Imaging;

/// <summary>PNG through the system libpng's simplified API (<c>png_image</c>), with OpenCV's channel conversions, so 8-bit pixels equal <c>cv2.imdecode</c>'s.</summary>
/// <remarks>
/// libpng is handed the file without the ancillary chunks before the image data (<see cref="PngChunks.Strip"/>):
/// text is never inflated, and gamma chunks cannot make libpng correct the pixels, which OpenCV never does. Alpha is
/// always read (never composited) and dropped here; colour to gray uses libpng's own <c>png_set_rgb_to_gray</c>
/// arithmetic with OpenCV's weights (0.299, 0.587), which is what <c>IMREAD_GRAYSCALE</c> runs. 16-bit samples are
/// reduced with libpng's rounding, within one level of OpenCV's truncation.
/// </remarks>
internal sealed unsafe class LibPngCodec(string file, string version)
{
    /// <summary>Gets the library file that loaded.</summary>
    public string File { get; } = file;

    /// <summary>Gets libpng's version, for example 1.6.39.</summary>
    public string Version { get; } = version;

    public static LibPngCodec? TryCreate(out string? error)
    {
        if (!NativeLibraries.TryLoad(NativeLibraries.LibPngName, LibPng.RequiredExports, out string? file, out error)) return null;
        uint v = LibPng.png_access_version_number();
        return new LibPngCodec(file!, string.Create(CultureInfo.InvariantCulture, $"{v / 10000}.{v / 100 % 100}.{v % 100}"));
    }

    public void Decode(ReadOnlySpan<byte> encoded, ImageHeader header, int channels, Span<byte> destination)
    {
        using var filtered = new PixelBuffer(PngChunks.NeedsStripping(encoded) ? encoded.Length : 0);
        ReadOnlySpan<byte> png = filtered.Length == 0 ? encoded : filtered.Span[..PngChunks.Strip(encoded, filtered.Span)];
        var image = new LibPng.PngImage { Version = LibPng.ImageVersion };
        fixed (byte* source = png)
        {
            try
            {
                if (LibPng.png_image_begin_read_from_memory(&image, source, (nuint)png.Length) == 0) throw new InvalidDataException(image.Text());
                if (image.Width != (uint)header.Width || image.Height != (uint)header.Height)
                {
                    throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"libpng reads {image.Width}x{image.Height} where the header says {header.Width}x{header.Height}"));
                }

                Read(ref image, header, channels, destination);
            }
            finally
            {
                LibPng.png_image_free(&image);
            }
        }
    }

    public byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, int channels, int level)
    {
        var image = new LibPng.PngImage
        {
            Version = LibPng.ImageVersion,
            Width = (uint)width,
            Height = (uint)height,
            Format = channels switch
            {
                1 => LibPng.FormatGray,
                3 => LibPng.FormatRgb,
                _ => LibPng.FormatRgba,
            },

            // The simplified writer has two settings: fast (zlib 3, no filters) and libpng's default (zlib 6, adaptive filters).
            Flags = Math.Clamp(level, 0, 9) <= 3 ? LibPng.ImageFlagFast : 0,
        };

        // Deflate's worst case (stored blocks) plus chunk framing: one pass always fits.
        long data = (long)height * (((long)width * channels) + 1);
        long bound = data + ((data + 7) >> 3) + ((data + 63) >> 6) + (12 * ((data >> 13) + 2)) + 1024;
        using var buffer = new PixelBuffer(Math.Min(bound, Array.MaxLength));
        nuint written = (nuint)buffer.Length;
        fixed (byte* source = pixels)
        fixed (byte* target = buffer.Span)
        {
            try
            {
                if (LibPng.png_image_write_to_memory(&image, target, &written, 0, source, width * channels, null) == 0)
                {
                    throw new InvalidDataException(image.Text());
                }
            }
            finally
            {
                LibPng.png_image_free(&image);
            }
        }

        return buffer.Span[..checked((int)written)].ToArray();
    }

    private static void Read(ref LibPng.PngImage image, ImageHeader header, int channels, Span<byte> destination)
    {
        bool alpha = (image.Format & LibPng.FormatFlagAlpha) != 0;
        bool color = (image.Format & LibPng.FormatFlagColor) != 0;

        // Reading without alpha from an image with alpha would composite it; read it and drop it instead, as OpenCV.
        (uint format, int readChannels) = channels switch
        {
            4 => (LibPng.FormatRgba, 4),
            3 => alpha ? (LibPng.FormatRgba, 4) : (LibPng.FormatRgb, 3),
            _ when color => alpha ? (LibPng.FormatRgba, 4) : (LibPng.FormatRgb, 3),
            _ => alpha ? (LibPng.FormatGrayAlpha, 2) : (LibPng.FormatGray, 1),
        };
        image.Format = format;
        image.Flags |= LibPng.ImageFlag16BitSrgb;
        int pixels = header.Width * header.Height;
        if (readChannels == channels)
        {
            Finish(ref image, destination, header.Width * channels);
            return;
        }

        using var read = new PixelBuffer((long)pixels * readChannels);
        Finish(ref image, read.Span, header.Width * readChannels);
        Convert(read.Span, readChannels, destination, channels);
    }

    private static void Finish(ref LibPng.PngImage image, Span<byte> buffer, int rowStride)
    {
        fixed (LibPng.PngImage* control = &image)
        fixed (byte* target = buffer)
        {
            if (LibPng.png_image_finish_read(control, null, target, rowStride, null) == 0) throw new InvalidDataException(image.Text());
        }
    }

    /// <summary>Drops alpha, or makes luma from RGB(A) with libpng's rgb_to_gray (OpenCV's IMREAD_GRAYSCALE for PNG: weights 9797, 19234, 3737 of 32768, truncated; gray pixels kept).</summary>
    private static void Convert(ReadOnlySpan<byte> source, int sourceChannels, Span<byte> destination, int channels)
    {
        int pixels = source.Length / sourceChannels;
        for (int i = 0; i < pixels; i++)
        {
            ReadOnlySpan<byte> p = source.Slice(i * sourceChannels, sourceChannels);
            if (channels == 3)
            {
                p[..3].CopyTo(destination.Slice(i * 3, 3));
            }
            else if (sourceChannels == 2)
            {
                destination[i] = p[0];
            }
            else
            {
                int r = p[0];
                int g = p[1];
                int b = p[2];
                destination[i] = r == g && g == b ? (byte)r : (byte)(((r * 9797) + (g * 19234) + (b * 3737)) >> 15);
            }
        }
    }
}
