using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using Pipeline.Core;
using Pipeline.Core.Storage;

namespace Pipeline.Stages.Iterators.Internal;

/// <summary>Reads the IDX files MNIST and Fashion-MNIST ship in (big-endian header, then unsigned bytes), plain or gzip-compressed.</summary>
internal static class MnistFile
{
    public const int ImageMagic = 0x00000803;
    public const int LabelMagic = 0x00000801;

    /// <summary>Reads a whole IDX file and checks its magic and that it holds every item its header announces.</summary>
    /// <returns>The dimensions after the item count (rows, cols for images; none for labels) and the item bytes.</returns>
    public static (int Count, int[] Dimensions, byte[] Items) Read(string path, int expectedMagic, StorageOptions storage)
    {
        bool local = ObjectStorage.TryGetLocalPath(path, out string? localPath);
        if (local && !File.Exists(localPath)) throw new FileNotFoundException($"IDX file '{path}' does not exist.", path);
        byte[] bytes = local ? ReadAllMaybeGzip(localPath!) : Gunzip(path, ObjectStorage.ReadAllBytes(path, storage));
        int dimensions = expectedMagic & 0xFF;
        int headerSize = 4 + (4 * dimensions);
        if (bytes.Length < headerSize) Fail(path, 0, $"is {bytes.Length} bytes long, shorter than its {headerSize}-byte header");
        int magic = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (magic != expectedMagic) Fail(path, 0, $"starts with magic 0x{magic:X8}; expected 0x{expectedMagic:X8} ({(expectedMagic == ImageMagic ? "idx3-ubyte images" : "idx1-ubyte labels")})");
        int count = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4));
        int[] rest = new int[dimensions - 1];
        long items = count;
        for (int i = 0; i < rest.Length; i++)
        {
            rest[i] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8 + (4 * i)));
            items *= rest[i];
        }

        if (count < 0 || items < 0 || headerSize + items > bytes.Length)
        {
            Fail(path, headerSize, $"announces {count} items of {string.Join('x', rest)} bytes but holds only {bytes.Length - headerSize} bytes after its header");
        }

        return (count, rest, bytes[headerSize..(int)(headerSize + items)]);
    }

    private static byte[] Gunzip(string path, byte[] bytes)
    {
        if (bytes.Length < 2 || bytes[0] != 0x1F || bytes[1] != 0x8B) return bytes;
        using var gzip = new GZipStream(new MemoryStream(bytes, writable: false), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        try
        {
            gzip.CopyTo(memory);
        }
        catch (InvalidDataException error)
        {
            throw new DataFormatException($"IDX file '{path}' is not a valid gzip stream: {error.Message}", path, lineNumber: null, offset: null, error);
        }

        return memory.ToArray();
    }

    private static byte[] ReadAllMaybeGzip(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        Span<byte> head = stackalloc byte[2];
        int got = file.Read(head);
        file.Position = 0;
        if (got == 2 && head[0] == 0x1F && head[1] == 0x8B)
        {
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var memory = new MemoryStream();
            try
            {
                gzip.CopyTo(memory);
            }
            catch (InvalidDataException error)
            {
                throw new DataFormatException($"IDX file '{path}' is not a valid gzip stream: {error.Message}", path, lineNumber: null, offset: null, error);
            }

            return memory.ToArray();
        }

        return File.ReadAllBytes(path);
    }

    private static void Fail(string path, long offset, string what) =>
        throw new DataFormatException(string.Create(CultureInfo.InvariantCulture, $"IDX file '{path}' {what}."), path, lineNumber: null, offset);
}
