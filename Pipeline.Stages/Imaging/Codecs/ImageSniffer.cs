using System.Buffers.Binary;
using System.Globalization;

namespace Pipeline.Stages.Imaging;

/// <summary>Recognises an encoding from its signature, refuses the unsupported ones by name, and reads JPEG and PNG headers without a decoder.</summary>
/// <remarks>
/// The supported formats are JPEG, PNG, BMP and GIF (first frame). Everything else is refused here, before any codec
/// sees the bytes: the message names the format found when its signature is known (TIFF, WebP, Netpbm, TGA, ...).
/// The JPEG and PNG headers are parsed here so that both codecs report the same size and channels (OpenCV's
/// <c>IMREAD_UNCHANGED</c> count) and so that no decoder runs before the pixel limit is checked.
/// </remarks>
internal static class ImageSniffer
{
    internal const string Supported = "JPEG, PNG, BMP and GIF (first frame)";

    /// <summary>Returns the supported format the bytes start with, or throws <see cref="ImageDecodeException"/> naming what was found.</summary>
    public static ImageFormat Detect(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) throw new ImageDecodeException("Cannot decode an empty buffer as an image.");
        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return ImageFormat.Jpeg;
        if (data.StartsWith(PngChunks.Signature)) return ImageFormat.Png;
        if (data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8)) return ImageFormat.Gif;
        if (data.Length >= 26 && data.StartsWith("BM"u8)) return ImageFormat.Bmp;
        string? other = Unsupported(data);
        if (other is not null)
        {
            throw new ImageDecodeException($"The {data.Length}-byte buffer is a {other} image; the supported formats are {Supported}.");
        }

        throw new ImageDecodeException($"The {data.Length}-byte buffer (starting {Convert.ToHexString(data[..Math.Min(8, data.Length)])}) is not a JPEG, PNG, BMP or GIF image.");
    }

    /// <summary>Reads a JPEG's frame header (SOFn): size, and 1 channel for one component, 3 otherwise (YCbCr, RGB, CMYK and YCCK decode to colour, as OpenCV).</summary>
    public static ImageHeader ReadJpeg(ReadOnlySpan<byte> data)
    {
        int pos = 2;
        while (true)
        {
            // Markers may be preceded by any number of 0xFF fill bytes.
            if (pos >= data.Length || data[pos] != 0xFF) throw Unreadable(data, "JPEG", pos, "expected a marker");
            while (pos < data.Length && data[pos] == 0xFF) pos++;
            if (pos >= data.Length) throw Unreadable(data, "JPEG", pos, "the data ends inside a marker");
            byte marker = data[pos++];
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7)) continue;
            if (marker is 0xD9 or 0xDA) throw Unreadable(data, "JPEG", pos - 2, "no frame header (SOF) before the scan");
            if (pos + 2 > data.Length) throw Unreadable(data, "JPEG", pos, "the data ends inside a segment length");
            int length = BinaryPrimitives.ReadUInt16BigEndian(data[pos..]);
            if (length < 2 || pos + length > data.Length) throw Unreadable(data, "JPEG", pos, $"segment 0xFF{marker:X2} of {length} bytes runs past the end");
            if (marker is (>= 0xC0 and <= 0xCF) and not (0xC4 or 0xC8 or 0xCC))
            {
                if (length < 8) throw Unreadable(data, "JPEG", pos, "the frame header is too short");
                int height = BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 3)..]);
                int width = BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 5)..]);
                int components = data[pos + 7];
                if (width == 0 || height == 0 || components is not (1 or 3 or 4)) throw Unreadable(data, "JPEG", pos, $"the frame header claims {width}x{height} pixels with {components} components");
                return new ImageHeader(ImageFormat.Jpeg, width, height, components == 1 ? 1 : 3);
            }

            pos += length;
        }
    }

    /// <summary>Reads a PNG's IHDR and looks for tRNS before the image data: channels as OpenCV's <c>IMREAD_UNCHANGED</c> (gray 1; RGB 3; palette 3, or 4 with tRNS; gray+alpha and RGBA 4).</summary>
    public static ImageHeader ReadPng(ReadOnlySpan<byte> data)
    {
        if (!PngChunks.TryReadHeader(data, out PngChunks.Ihdr ihdr)) throw Unreadable(data, "PNG", 8, "the IHDR chunk is missing or malformed");
        int channels = ihdr.ColorType switch
        {
            0 => 1,
            2 => 3,
            3 => PngChunks.HasTransparencyBeforeData(data) ? 4 : 3,
            4 or 6 => 4,
            _ => throw Unreadable(data, "PNG", 25, $"colour type {ihdr.ColorType} is not defined"),
        };
        if (ihdr.Width is <= 0 or > int.MaxValue || ihdr.Height is <= 0 or > int.MaxValue) throw Unreadable(data, "PNG", 16, $"the header claims {ihdr.Width}x{ihdr.Height} pixels");
        return new ImageHeader(ImageFormat.Png, (int)ihdr.Width, (int)ihdr.Height, channels);
    }

    private static ImageDecodeException Unreadable(ReadOnlySpan<byte> data, string format, int offset, string why) =>
        new(string.Create(CultureInfo.InvariantCulture, $"The {data.Length}-byte {format} has an unreadable header at offset {offset}: {why}."));

    private static string? Unsupported(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith("II*\0"u8) || data.StartsWith("MM\0*"u8) || data.StartsWith("II+\0"u8) || data.StartsWith("MM\0+"u8)) return "TIFF";
        if (data.Length >= 12 && data.StartsWith("RIFF"u8) && data[8..12].SequenceEqual("WEBP"u8)) return "WebP";
        if (data.Length >= 3 && data[0] == (byte)'P' && data[1] is >= (byte)'1' and <= (byte)'7' && data[2] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t') return "Netpbm (PBM/PGM/PPM/PAM)";
        if (data.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20]) || data.StartsWith((ReadOnlySpan<byte>)[0xFF, 0x4F, 0xFF, 0x51])) return "JPEG 2000";
        if (data.StartsWith((ReadOnlySpan<byte>)[0xFF, 0x0A]) || data.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0x00, 0x0C, 0x4A, 0x58, 0x4C, 0x20])) return "JPEG XL";
        if (data.Length >= 12 && data[4..8].SequenceEqual("ftyp"u8))
        {
            ReadOnlySpan<byte> brand = data[8..12];
            if (brand.SequenceEqual("avif"u8) || brand.SequenceEqual("avis"u8)) return "AVIF";
            if (brand.SequenceEqual("heic"u8) || brand.SequenceEqual("heix"u8) || brand.SequenceEqual("mif1"u8) || brand.SequenceEqual("msf1"u8)) return "HEIF";
        }

        if (data.StartsWith("8BPS"u8)) return "PSD";
        if (data.StartsWith("qoif"u8)) return "QOI";
        if (data.StartsWith((ReadOnlySpan<byte>)[0x76, 0x2F, 0x31, 0x01])) return "OpenEXR";
        if (data.StartsWith("#?RADIANCE"u8) || data.StartsWith("#?RGBE"u8)) return "Radiance HDR";
        if (data.StartsWith("DDS "u8)) return "DDS";
        if (data.Length >= 6 && data[0] == 0 && data[1] == 0 && data[2] is 1 or 2 && data[3] == 0 && data[4] != 0) return data[2] == 1 ? "ICO" : "CUR";

        // TGA has no signature; version 2 files end with this footer.
        if (data.EndsWith("TRUEVISION-XFILE.\0"u8)) return "TGA";
        return null;
    }
}
