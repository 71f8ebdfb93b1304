using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Microsoft.Win32.SafeHandles;
using Pipeline.Core.RecordIO.Internal;

namespace Pipeline.Core.RecordIO;

/// <summary>Reads records by key from a <c>.rec</c> file and its <c>.idx</c> index.</summary>
/// <remarks>
/// Reads are positional (<see cref="RandomAccess"/>), so any number of threads may call <see cref="ReadIdx"/>
/// at once. The index accepts <c>\n</c> and <c>\r\n</c> line ends and tab- or space-separated fields; a malformed
/// line, or an offset outside the record file, throws a <see cref="RecordFormatException"/> naming the index
/// file and line.
/// </remarks>
public sealed class IndexedRecordIOReader : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly long _length;
    private readonly long[] _keys;
    private readonly long[] _offsets;
    private readonly Dictionary<long, long> _offsetByKey;
    private long[]? _keysByOffset;

    /// <summary>Opens an index file and its record file.</summary>
    /// <param name="idxPath">The <c>.idx</c> file: one <c>key\toffset</c> line per record.</param>
    /// <param name="recPath">The <c>.rec</c> file.</param>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="RecordFormatException">The index is malformed or points outside the record file.</exception>
    public IndexedRecordIOReader(string idxPath, string recPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(idxPath);
        ArgumentException.ThrowIfNullOrEmpty(recPath);
        IndexPath = idxPath;
        FilePath = recPath;
        _handle = File.OpenHandle(recPath, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            _length = RandomAccess.GetLength(_handle);
            (_keys, _offsets) = IndexFile.Read(idxPath, _length);
        }
        catch
        {
            _handle.Dispose();
            throw;
        }

        // As MXNet's dict: a repeated key keeps its last offset.
        _offsetByKey = new Dictionary<long, long>(_keys.Length);
        for (int i = 0; i < _keys.Length; i++) _offsetByKey[_keys[i]] = _offsets[i];
        Keys = Array.AsReadOnly(_keys);
    }

    /// <summary>Gets the index file.</summary>
    public string IndexPath { get; }

    /// <summary>Gets the record file.</summary>
    public string FilePath { get; }

    /// <summary>Gets the keys in index-file order (a repeated key appears each time it is listed).</summary>
    public IReadOnlyList<long> Keys { get; }

    /// <summary>Gets the number of index lines.</summary>
    public int Count => _keys.Length;

    /// <summary>Gets the byte offset of a key's record.</summary>
    /// <param name="key">The key.</param>
    /// <param name="offset">The offset of the record's first header.</param>
    /// <returns>Whether the key is in the index.</returns>
    public bool TryGetOffset(long key, out long offset) => _offsetByKey.TryGetValue(key, out offset);

    /// <summary>Reads the record stored under a key.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The payload.</returns>
    /// <exception cref="KeyNotFoundException">The key is not in the index.</exception>
    /// <exception cref="RecordFormatException">The record at the key's offset is malformed.</exception>
    /// <exception cref="ObjectDisposedException">The reader has been disposed.</exception>
    public byte[] ReadIdx(long key)
    {
        if (!_offsetByKey.TryGetValue(key, out long offset))
        {
            throw new KeyNotFoundException(string.Create(CultureInfo.InvariantCulture, $"Key {key} is not in the index '{IndexPath}'."));
        }

        return ReadAt(offset, key.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Reads the record whose first header is at a byte offset.</summary>
    /// <param name="offset">The offset, as stored in an index.</param>
    /// <returns>The payload.</returns>
    /// <exception cref="RecordFormatException">There is no valid record at the offset.</exception>
    /// <exception cref="ObjectDisposedException">The reader has been disposed.</exception>
    public byte[] ReadAt(long offset) => ReadAt(offset, recordKey: null);

    /// <summary>Gets the keys of part <paramref name="partIndex"/> of <paramref name="numParts"/>, as dmlc-core's <c>indexed_recordio</c> split assigns them.</summary>
    /// <param name="partIndex">The zero-based part.</param>
    /// <param name="numParts">The number of parts.</param>
    /// <returns>The part's keys in offset order.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The part index or count is out of range.</exception>
    public IReadOnlyList<long> GetPartKeys(int partIndex, int numParts)
    {
        long[] sorted = _keysByOffset ??= SortKeysByOffset();
        (int start, int count) = RecordIOPartition.GetRecordRange(sorted.Length, partIndex, numParts);
        return Array.AsReadOnly(sorted[start..(start + count)]);
    }

    /// <summary>Closes the record file.</summary>
    public void Dispose() => _handle.Dispose();

    private long[] SortKeysByOffset()
    {
        long[] offsets = (long[])_offsets.Clone();
        long[] keys = (long[])_keys.Clone();
        Array.Sort(offsets, keys);
        return keys;
    }

    private byte[] ReadAt(long offset, string? recordKey)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        Span<byte> header = stackalloc byte[RecordIOConstants.HeaderSize];
        long position = offset;
        byte[]? assembled = null;
        int assembledLength = 0;
        bool inSequence = false;
        try
        {
            while (true)
            {
                int got = RandomAccess.Read(_handle, header, position);
                if (got < header.Length) ThrowAt($"Truncated RecordIO record at offset {position} in '{FilePath}': expected an 8-byte header, found {got} bytes.", position, recordKey);
                uint magic = BinaryPrimitives.ReadUInt32LittleEndian(header);
                uint lrec = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
                if (magic != RecordIOConstants.Magic) ThrowAt($"Invalid RecordIO magic 0x{magic:X8} at offset {position} in '{FilePath}'; expected 0x{RecordIOConstants.Magic:X8}.", position, recordKey);
                uint cflag = lrec >> 29;
                int length = (int)(lrec & RecordIOConstants.LengthMask);
                bool flagValid = inSequence ? cflag is RecordIOConstants.FlagMiddle or RecordIOConstants.FlagLast : cflag is RecordIOConstants.FlagWhole or RecordIOConstants.FlagFirst;
                if (!flagValid) ThrowAt($"Invalid RecordIO part flag {cflag} at offset {position} in '{FilePath}'.", position, recordKey);
                long payloadAt = position + RecordIOConstants.HeaderSize;
                if (payloadAt + length > _length) ThrowAt($"RecordIO part at offset {position} in '{FilePath}' declares {length} payload bytes, past the end of the file at offset {_length}.", position, recordKey);

                if (cflag == RecordIOConstants.FlagWhole)
                {
                    byte[] record = GC.AllocateUninitializedArray<byte>(length);
                    ReadExactlyAt(record, payloadAt, position, recordKey);
                    return record;
                }

                int needed = assembledLength + (inSequence ? 4 : 0) + length;
                if (needed > RecordIOConstants.MaxRecordLength) ThrowAt($"RecordIO record at offset {offset} in '{FilePath}' is longer than the format allows.", offset, recordKey);
                if (assembled is null || assembled.Length < needed)
                {
                    byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, 4096));
                    assembled?.AsSpan(0, assembledLength).CopyTo(larger);
                    if (assembled is not null) ArrayPool<byte>.Shared.Return(assembled);
                    assembled = larger;
                }

                if (inSequence)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(assembled.AsSpan(assembledLength), RecordIOConstants.Magic);
                    assembledLength += 4;
                }

                ReadExactlyAt(assembled.AsSpan(assembledLength, length), payloadAt, position, recordKey);
                assembledLength += length;
                position = payloadAt + RecordIOConstants.PaddedLength((uint)length);
                if (cflag == RecordIOConstants.FlagLast) return assembled.AsSpan(0, assembledLength).ToArray();
                inSequence = true;
            }
        }
        finally
        {
            if (assembled is not null) ArrayPool<byte>.Shared.Return(assembled);
        }
    }

    private void ReadExactlyAt(Span<byte> destination, long at, long partOffset, string? recordKey)
    {
        int got = RandomAccess.Read(_handle, destination, at);
        if (got < destination.Length)
        {
            // Only a file truncated after it was opened gets here: lengths were checked against its size.
            ThrowAt($"Truncated RecordIO record at offset {partOffset} in '{FilePath}': expected {destination.Length} payload bytes, found {got}.", partOffset, recordKey);
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void ThrowAt(FormattableString message, long offset, string? recordKey)
    {
        string text = message.ToString(CultureInfo.InvariantCulture);
        if (recordKey is not null) text = text.TrimEnd('.') + $" (key {recordKey}).";
        throw new RecordFormatException(text, FilePath, offset, recordKey);
    }
}
