using System.Buffers.Binary;

namespace Pipeline.Stages.Imaging;

/// <summary>The EXIF orientation of a JPEG, read and applied as OpenCV does (<c>ExifReader</c>, <c>ApplyExifOrientation</c>), independent of the codec.</summary>
internal static class ExifOrientation
{
    private const ushort OrientationTag = 0x0112;

    /// <summary>The orientation (1-8) in the JPEG's first APP1 segment, or 1 when there is none or it cannot be read.</summary>
    /// <remarks>OpenCV looks at the first APP1 segment only, skips its 6-byte <c>Exif\0\0</c> prefix and reads IFD0.</remarks>
    public static int Read(ReadOnlySpan<byte> jpeg)
    {
        int pos = 2;
        while (pos + 4 <= jpeg.Length && jpeg[pos] == 0xFF)
        {
            byte marker = jpeg[pos + 1];
            if (marker == 0xFF)
            {
                pos++;
                continue;
            }

            if (marker is 0xD9 or 0xDA) return 1;
            int length = BinaryPrimitives.ReadUInt16BigEndian(jpeg[(pos + 2)..]);
            if (length < 2 || pos + 2 + length > jpeg.Length) return 1;
            if (marker == 0xE1) return length > 8 ? FromTiff(jpeg.Slice(pos + 4 + 6, length - 2 - 6)) : 1;
            pos += 2 + length;
        }

        return 1;
    }

    /// <summary>Returns the image turned upright: a new array, or <paramref name="pixels"/> itself for orientation 1.</summary>
    /// <param name="pixels">(height, width, channels) interleaved bytes.</param>
    /// <param name="height">The stored height.</param>
    /// <param name="width">The stored width.</param>
    /// <param name="channels">Bytes per pixel.</param>
    /// <param name="orientation">1-8; other values leave the image as stored.</param>
    /// <param name="destination">Receives the turned pixels (same length); its height and width are swapped for 5-8.</param>
    public static void Apply(ReadOnlySpan<byte> pixels, int height, int width, int channels, int orientation, Span<byte> destination)
    {
        bool transpose = orientation is >= 5 and <= 8;
        int outWidth = transpose ? height : width;
        int outHeight = transpose ? width : height;
        for (int y = 0; y < outHeight; y++)
        {
            for (int x = 0; x < outWidth; x++)
            {
                // OpenCV: 2 flip(1), 3 flip(-1), 4 flip(0), 5 transpose, 6 transpose+flip(1), 7 transpose+flip(-1), 8 transpose+flip(0).
                (int sy, int sx) = orientation switch
                {
                    2 => (y, width - 1 - x),
                    3 => (height - 1 - y, width - 1 - x),
                    4 => (height - 1 - y, x),
                    5 => (x, y),
                    6 => (height - 1 - x, y),
                    7 => (height - 1 - x, width - 1 - y),
                    8 => (x, width - 1 - y),
                    _ => (y, x),
                };
                pixels.Slice(((sy * width) + sx) * channels, channels).CopyTo(destination.Slice(((y * outWidth) + x) * channels, channels));
            }
        }
    }

    private static int FromTiff(ReadOnlySpan<byte> tiff)
    {
        if (tiff.Length < 8) return 1;
        bool little;
        if (tiff[0] == 'I' && tiff[1] == 'I') little = true;
        else if (tiff[0] == 'M' && tiff[1] == 'M') little = false;
        else return 1;
        if (U16(tiff, 2, little) != 0x2A) return 1;
        uint ifd = U32(tiff, 4, little);
        if (ifd > (uint)tiff.Length - 2) return 1;
        int count = U16(tiff, (int)ifd, little);
        for (int i = 0; i < count; i++)
        {
            int entry = (int)ifd + 2 + (12 * i);
            if (entry + 12 > tiff.Length) return 1;
            if (U16(tiff, entry, little) == OrientationTag)
            {
                int value = U16(tiff, entry + 8, little);
                return value is >= 1 and <= 8 ? value : 1;
            }
        }

        return 1;
    }

    private static ushort U16(ReadOnlySpan<byte> data, int offset, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(data[offset..]) : BinaryPrimitives.ReadUInt16BigEndian(data[offset..]);

    private static uint U32(ReadOnlySpan<byte> data, int offset, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]) : BinaryPrimitives.ReadUInt32BigEndian(data[offset..]);
}
