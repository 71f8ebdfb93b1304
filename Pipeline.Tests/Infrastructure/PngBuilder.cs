using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Pipeline.Tests.Infrastructure;

/// <summary>Hand-made PNGs for the hostile-input tests: chunks with correct CRCs, a 1x1 image, and a deflate bomb.</summary>
internal static class PngBuilder
{
    private static readonly Lazy<byte[]> s_bomb = new(() => Deflate(64 << 20));

    /// <summary>A zlib stream of 64 MiB of zeros (about 65 KB).</summary>
    public static byte[] SixtyFourMiBOfZeros => s_bomb.Value;

    public static byte[] Chunk(string type, ReadOnlySpan<byte> data)
    {
        byte[] chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        Encoding.ASCII.GetBytes(type, chunk.AsSpan(4, 4));
        data.CopyTo(chunk.AsSpan(8));
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    /// <summary>A 1x1 RGB PNG of the given colour, with <paramref name="ancillary"/> chunks between IHDR and IDAT.</summary>
    public static byte[] OnePixel(byte r, byte g, byte b, params byte[][] ancillary)
    {
        byte[] ihdr = [0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0];
        byte[][] parts = [[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], Chunk("IHDR", ihdr), .. ancillary, Chunk("IDAT", Zlib([0, r, g, b])), Chunk("IEND", [])];
        return [.. parts.SelectMany(p => p)];
    }

    public static byte[] Zlib(ReadOnlySpan<byte> data)
    {
        using var output = new MemoryStream();
        using (var z = new ZLibStream(output, CompressionLevel.SmallestSize, leaveOpen: true)) z.Write(data);
        return output.ToArray();
    }

    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }

        return ~crc;
    }

    private static byte[] Deflate(int zeros)
    {
        using var output = new MemoryStream();
        using (var z = new ZLibStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            byte[] block = new byte[1 << 20];
            for (int written = 0; written < zeros; written += block.Length) z.Write(block);
        }

        return output.ToArray();
    }
}
