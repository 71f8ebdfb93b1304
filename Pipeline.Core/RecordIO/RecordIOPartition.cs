using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Pipeline.Core.RecordIO.Internal;

namespace Pipeline.Core.RecordIO;

/// <summary>Splits a RecordIO file into <c>numParts</c> shards exactly as dmlc-core's input splits do.</summary>
/// <remarks>
/// <para>Without an index (dmlc's <c>recordio</c> split): the file is cut into equal byte ranges of
/// <c>ceil(size / n)</c> rounded up to a multiple of 4, and each inner boundary moves forward to the next record
/// head (an aligned magic word followed by a whole or first part). A record belongs to the part whose range holds
/// its first header, so parts can be uneven or empty.</para>
/// <para>With an index (dmlc's <c>indexed_recordio</c> split): records sorted by offset are cut into runs of
/// <c>ceil(count / n)</c>; a part that starts past the end is empty.</para>
/// </remarks>
public static class RecordIOPartition
{
    /// <summary>Gets part <paramref name="partIndex"/>'s nominal byte range, before its boundaries move to record heads.</summary>
    /// <param name="size">The file size in bytes.</param>
    /// <param name="partIndex">The zero-based part.</param>
    /// <param name="numParts">The number of parts.</param>
    /// <returns>The half-open range <c>[Begin, End)</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static (long Begin, long End) GetNominalByteRange(long size, int partIndex, int numParts)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ValidatePart(partIndex, numParts);
        long step = (size + numParts - 1) / numParts;
        step = (step + 3) & ~3L;
        return (Math.Min(partIndex * step, size), Math.Min((partIndex + 1) * step, size));
    }

    /// <summary>Gets part <paramref name="partIndex"/>'s byte range with both boundaries moved to record heads.</summary>
    /// <param name="stream">The seekable RecordIO data; its position is changed.</param>
    /// <param name="path">The file name for error messages, or <see langword="null"/>.</param>
    /// <param name="partIndex">The zero-based part.</param>
    /// <param name="numParts">The number of parts.</param>
    /// <returns>The half-open range <c>[Begin, End)</c> of the offsets of the part's records' first headers.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The part index or count is out of range.</exception>
    /// <exception cref="RecordFormatException">The data is not RecordIO (it does not start with the magic word) or its size is not a multiple of 4.</exception>
    public static (long Begin, long End) GetByteRange(Stream stream, string? path, int partIndex, int numParts)
    {
        ArgumentNullException.ThrowIfNull(stream);
        long size = stream.Length;
        if (size > 0)
        {
            // A file that does not start with the magic is not RecordIO at all (an image passed by mistake): say so, rather
            // than report its length.
            Span<byte> first = stackalloc byte[4];
            stream.Seek(0, SeekOrigin.Begin);
            first.Clear();
            stream.ReadAtLeast(first, first.Length, throwOnEndOfStream: false);
            uint word = BinaryPrimitives.ReadUInt32LittleEndian(first);
            if (word != RecordIOConstants.Magic) throw new RecordFormatException(RecordIOThrowHelper.NotRecordIO(word, path), path, 0);
        }

        if ((size & 3) != 0)
        {
            throw new RecordFormatException(
                string.Create(CultureInfo.InvariantCulture, $"RecordIO data {RecordIOThrowHelper.Describe(path)} is {size} bytes long, not a multiple of 4, so it cannot be split into parts."),
                path,
                size);
        }

        (long begin, long end) = GetNominalByteRange(size, partIndex, numParts);
        if (partIndex > 0) begin = SeekRecordHead(stream, begin, size);
        if (partIndex < numParts - 1) end = SeekRecordHead(stream, end, size);
        return (begin, Math.Max(begin, end));
    }

    /// <summary>Gets part <paramref name="partIndex"/>'s run of records when splitting by count, as with an index.</summary>
    /// <param name="count">The number of records.</param>
    /// <param name="partIndex">The zero-based part.</param>
    /// <param name="numParts">The number of parts.</param>
    /// <returns>The first record (in offset order) and the number of records in the part.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static (int Start, int Count) GetRecordRange(int count, int partIndex, int numParts)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ValidatePart(partIndex, numParts);
        long step = ((long)count + numParts - 1) / numParts;
        long start = Math.Min(partIndex * step, count);
        long end = Math.Min((partIndex + 1) * step, count);
        return ((int)start, (int)(end - start));
    }

    private static void ValidatePart(int partIndex, int numParts)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numParts);
        ArgumentOutOfRangeException.ThrowIfNegative(partIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(partIndex, numParts);
    }

    /// <summary>Scans 4-byte words from <paramref name="position"/> for the next record head; the end of the data if none.</summary>
    /// <remarks>Forward only: one seek, then sequential reads, so a read-ahead stream over a remote object keeps its
    /// requests in flight. The words of a block too close to its end to hold a whole header move to the front of the
    /// buffer and are checked with the next block.</remarks>
    internal static long SeekRecordHead(Stream stream, long position, long size)
    {
        if (position + RecordIOConstants.HeaderSize > size) return size;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            stream.Seek(position, SeekOrigin.Begin);
            long bufferStart = position;
            int filled = 0;
            while (bufferStart + RecordIOConstants.HeaderSize <= size)
            {
                int wanted = (int)Math.Min(buffer.Length - filled, size - bufferStart - filled);
                stream.ReadExactly(buffer, filled, wanted);
                filled += wanted;
                int i = 0;
                for (; i + RecordIOConstants.HeaderSize <= filled; i += 4)
                {
                    uint word = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(i));
                    uint cflag = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(i + 4)) >> 29;
                    if (word == RecordIOConstants.Magic && cflag <= RecordIOConstants.FlagFirst)
                    {
                        return bufferStart + i;
                    }
                }

                buffer.AsSpan(i, filled - i).CopyTo(buffer);
                filled -= i;
                bufferStart += i;
            }

            return size;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
