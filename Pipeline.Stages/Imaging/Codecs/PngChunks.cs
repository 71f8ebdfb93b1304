using System.Buffers.Binary;

namespace Pipeline.Stages.Imaging;

/// <summary>Walks a PNG's chunk list without inflating anything: the header, tRNS detection, and the copy without the ancillary chunks that libpng is given.</summary>
internal static class PngChunks
{
    public static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private const uint IhdrType = 0x49484452;
    private const uint PlteType = 0x504C5445;
    private const uint TrnsType = 0x74524E53;
    private const uint IdatType = 0x49444154;

    /// <summary>Reads IHDR, which must be the first chunk.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> png, out Ihdr header)
    {
        header = default;
        if (png.Length < 8 + 12 + 13) return false;
        ReadOnlySpan<byte> chunk = png[8..];
        if (BinaryPrimitives.ReadUInt32BigEndian(chunk) != 13 || BinaryPrimitives.ReadUInt32BigEndian(chunk[4..]) != IhdrType) return false;
        header = new Ihdr(BinaryPrimitives.ReadUInt32BigEndian(chunk[8..]), BinaryPrimitives.ReadUInt32BigEndian(chunk[12..]), chunk[16], chunk[17]);
        return true;
    }

    /// <summary>Whether a tRNS chunk comes before the first IDAT (OpenCV then reads a palette image as 4 channels).</summary>
    public static bool HasTransparencyBeforeData(ReadOnlySpan<byte> png)
    {
        for (int pos = 8; TryReadChunk(png, pos, out uint type, out int length);)
        {
            if (type == TrnsType) return true;
            if (type == IdatType) return false;
            pos += 12 + length;
        }

        return false;
    }

    /// <summary>
    /// Whether <see cref="Strip"/> would drop anything: libpng is given IHDR, PLTE, tRNS and the critical chunks, then
    /// everything from the first IDAT on, unchanged. The ancillary chunks before the image data are dropped: compressed
    /// text (zTXt, iTXt) and ICC profiles (iCCP) are never inflated, and gamma and colour-space chunks (gAMA, sRGB, cHRM)
    /// cannot make libpng correct the pixels, which OpenCV never does.
    /// </summary>
    public static bool NeedsStripping(ReadOnlySpan<byte> png)
    {
        for (int pos = 8; TryReadChunk(png, pos, out uint type, out int length) && type != IdatType; pos += 12 + length)
        {
            if (IsDropped(type)) return true;
        }

        return false;
    }

    /// <summary>Copies the PNG without its ancillary chunks before the image data (see <see cref="NeedsStripping"/>).</summary>
    /// <param name="png">The file bytes.</param>
    /// <param name="destination">At least as long as <paramref name="png"/>.</param>
    /// <returns>The length written.</returns>
    public static int Strip(ReadOnlySpan<byte> png, Span<byte> destination)
    {
        png[..8].CopyTo(destination);
        int written = 8;
        int pos = 8;
        while (TryReadChunk(png, pos, out uint type, out int length) && type != IdatType)
        {
            if (!IsDropped(type))
            {
                png.Slice(pos, 12 + length).CopyTo(destination[written..]);
                written += 12 + length;
            }

            pos += 12 + length;
        }

        // The image data and whatever follows, or a malformed tail that libpng will report.
        png[pos..].CopyTo(destination[written..]);
        return written + png.Length - pos;
    }

    /// <summary>Lists the chunk types in order (for tests).</summary>
    internal static List<string> ChunkTypes(ReadOnlySpan<byte> png)
    {
        var types = new List<string>();
        Span<byte> name = stackalloc byte[4];
        for (int pos = 8; TryReadChunk(png, pos, out uint type, out int length); pos += 12 + length)
        {
            BinaryPrimitives.WriteUInt32BigEndian(name, type);
            types.Add(System.Text.Encoding.ASCII.GetString(name));
        }

        return types;
    }

    /// <summary>Ancillary chunks (lower-case first letter) other than tRNS; critical chunks are kept so that libpng still refuses unknown ones, as OpenCV does.</summary>
    private static bool IsDropped(uint type) => (type & 0x20000000) != 0 && type != TrnsType && type != PlteType;

    private static bool TryReadChunk(ReadOnlySpan<byte> png, int pos, out uint type, out int length)
    {
        type = 0;
        length = 0;
        if (pos < 8 || pos > png.Length - 12) return false;
        uint declared = BinaryPrimitives.ReadUInt32BigEndian(png[pos..]);
        if (declared > (uint)(png.Length - pos - 12)) return false;
        type = BinaryPrimitives.ReadUInt32BigEndian(png[(pos + 4)..]);
        length = (int)declared;
        return true;
    }

    /// <summary>The IHDR fields the header needs.</summary>
    internal readonly record struct Ihdr(uint Width, uint Height, byte BitDepth, byte ColorType);
}
