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

    /// <summary>Reads a whole IDX file and checks its magic, that it holds every item its header announces and nothing after them.</summary>
    /// <returns>The dimensions after the item count (rows, cols for images; none for labels) and the item bytes.</returns>
    /// <remarks>A gzip file is inflated only up to the size its header declares: a small file that inflates to gigabytes is
    /// refused once it passes that size, never held in memory.</remarks>
    public static (int Count, int[] Dimensions, byte[] Items) Read(string path, int expectedMagic, StorageOptions storage)
    {
        bool local = ObjectStorage.TryGetLocalPath(path, out string? localPath);
        if (local && !File.Exists(localPath)) throw new FileNotFoundException($"IDX file '{path}' does not exist.", path);
        using Stream raw = local
            ? new FileStream(localPath!, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16)
            : new MemoryStream(ObjectStorage.ReadAllBytes(path, storage), writable: false);
        Span<byte> head = stackalloc byte[2];
        int got = raw.ReadAtLeast(head, 2, throwOnEndOfStream: false);
        raw.Position = 0;
        bool gzip = got == 2 && head[0] == 0x1F && head[1] == 0x8B;
        using Stream data = gzip ? new GZipStream(raw, CompressionMode.Decompress, leaveOpen: true) : raw;
        try
        {
            return ReadItems(data, gzip ? null : raw.Length, path, expectedMagic);
        }
        catch (InvalidDataException error) when (gzip)
        {
            throw new DataFormatException($"IDX file '{path}' is not a valid gzip stream: {error.Message}", path, lineNumber: null, offset: null, error);
        }
    }

    private static (int Count, int[] Dimensions, byte[] Items) ReadItems(Stream data, long? length, string path, int expectedMagic)
    {
        int dimensions = expectedMagic & 0xFF;
        int headerSize = 4 + (4 * dimensions);
        byte[] header = new byte[headerSize];
        int headerBytes = data.ReadAtLeast(header, headerSize, throwOnEndOfStream: false);
        if (headerBytes < headerSize) Fail(path, 0, $"is {headerBytes} bytes long, shorter than its {headerSize}-byte header");
        int magic = BinaryPrimitives.ReadInt32BigEndian(header);
        if (magic != expectedMagic) Fail(path, 0, $"starts with magic 0x{magic:X8}; expected 0x{expectedMagic:X8} ({(expectedMagic == ImageMagic ? "idx3-ubyte images" : "idx1-ubyte labels")})");
        int count = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4));
        int[] rest = new int[dimensions - 1];
        long itemSize = 1;
        for (int i = 0; i < rest.Length; i++)
        {
            rest[i] = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(8 + (4 * i)));

            // Checked arithmetic on what the header claims: 16 x 2^30 x 2^30 must not wrap to 0.
            if (rest[i] <= 0 || itemSize * rest[i] > int.MaxValue) Fail(path, 8 + (4 * i), $"declares dimension {rest[i]}, which gives items of more than {int.MaxValue} bytes or none");
            itemSize *= rest[i];
        }

        if (count < 0 || count * itemSize > Array.MaxLength)
        {
            Fail(path, 4, $"announces {count} items of {string.Join('x', rest)} bytes, more than one array can hold");
        }

        long items = count * itemSize;
        if (length is { } size && headerSize + items > size)
        {
            Fail(path, headerSize, $"announces {count} items of {string.Join('x', rest)} bytes but holds only {size - headerSize} bytes after its header");
        }

        // The buffer grows with the bytes that arrive (a gzip stream's size is unknown until it ends), up to the declared size.
        byte[] buffer = new byte[(int)Math.Min(items, 1 << 20)];
        int filled = 0;
        while (filled < items)
        {
            if (filled == buffer.Length) Array.Resize(ref buffer, (int)Math.Min(items, 2L * buffer.Length));
            int read = data.Read(buffer, filled, buffer.Length - filled);
            if (read == 0) Fail(path, headerSize, $"announces {count} items of {string.Join('x', rest)} bytes but holds only {filled} bytes after its header");
            filled += read;
        }

        Span<byte> probe = stackalloc byte[1];
        if (data.Read(probe) != 0) Fail(path, headerSize + items, $"has data after the {items} item bytes its header announces ({count} items); it is not one IDX file");
        return (count, rest, buffer);
    }

    private static void Fail(string path, long offset, string what) =>
        throw new DataFormatException(string.Create(CultureInfo.InvariantCulture, $"IDX file '{path}' {what}."), path, lineNumber: null, offset);
}
