using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Microsoft.Win32.SafeHandles;
using Pipeline.Core.RecordIO.Internal;
using Pipeline.Core.Storage;

namespace Pipeline.Core.RecordIO;

/// <summary>Reads records by key from a <c>.rec</c> file and its <c>.idx</c> index.</summary>
/// <remarks>
/// Reads are positional (<see cref="RandomAccess"/>), so any number of threads may call <see cref="ReadIdx(long)"/>
/// at once. The index accepts <c>\n</c> and <c>\r\n</c> line ends and tab- or space-separated fields; a malformed
/// line, or an offset outside the record file, throws a <see cref="RecordFormatException"/> naming the index
/// file and line.
/// <para>Either file may be a URI (<c>s3://</c>, <c>http(s)://</c>, <c>file://</c>). A remote record is fetched with one
/// ranged request (header and payload together, for records under 64 KiB), pinned to the version opened;
/// <see cref="ReadIdxAsync(IReadOnlyList{long}, CancellationToken)"/> coalesces neighbouring records into one request.</para>
/// </remarks>
public sealed class IndexedRecordIOReader : IDisposable
{
    // A remote record read fetches at least this much at once, so a small record costs one request, not two.
    private const int RemoteWindow = 64 << 10;
    private const int MaxCoalescedRequest = 16 << 20;
    private readonly SafeFileHandle? _handle;
    private readonly ByteSource? _source;
    private readonly StorageOptions _storage;
    private readonly long _length;
    private readonly long[] _keys;
    private readonly long[] _offsets;
    private readonly Dictionary<long, long> _offsetByKey;
    private long[]? _keysByOffset;
    private long[]? _sortedOffsets;

    /// <summary>Opens an index file and its record file.</summary>
    /// <param name="idxPath">The <c>.idx</c> file or URI: one <c>key\toffset</c> line per record.</param>
    /// <param name="recPath">The <c>.rec</c> file or URI.</param>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="RecordFormatException">The index is malformed or points outside the record file.</exception>
    /// <exception cref="StorageException">A remote file cannot be reached; the message names the URI.</exception>
    public IndexedRecordIOReader(string idxPath, string recPath)
        : this(idxPath, recPath, StorageOptions.Default)
    {
    }

    /// <summary>Opens an index file and its record file, either of which may be remote, with chosen storage settings.</summary>
    /// <param name="idxPath">The <c>.idx</c> file or URI: one <c>key\toffset</c> line per record.</param>
    /// <param name="recPath">The <c>.rec</c> file or URI.</param>
    /// <param name="storage">Timeouts, retries, coalescing and S3 settings for remote files.</param>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="RecordFormatException">The index is malformed or points outside the record file.</exception>
    /// <exception cref="StorageException">A remote file cannot be reached; the message names the URI.</exception>
    public IndexedRecordIOReader(string idxPath, string recPath, StorageOptions storage)
    {
        ArgumentException.ThrowIfNullOrEmpty(idxPath);
        ArgumentException.ThrowIfNullOrEmpty(recPath);
        ArgumentNullException.ThrowIfNull(storage);
        storage.Validate();
        IndexPath = idxPath;
        FilePath = recPath;
        _storage = storage;
        if (ObjectStorage.TryGetLocalPath(recPath, out string? localRec))
        {
            _handle = File.OpenHandle(localRec, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        }
        else
        {
            _source = ObjectStorage.OpenRead(recPath, storage);
        }

        try
        {
            _length = _handle is not null ? RandomAccess.GetLength(_handle) : _source!.Length;
            (_keys, _offsets) = ReadIndex(idxPath, _length, storage);
        }
        catch
        {
            _handle?.Dispose();
            _source?.Dispose();
            throw;
        }

        // As MXNet's dict: a repeated key keeps its last offset.
        _offsetByKey = new Dictionary<long, long>(_keys.Length);
        for (int i = 0; i < _keys.Length; i++) _offsetByKey[_keys[i]] = _offsets[i];
        Keys = Array.AsReadOnly(_keys);
    }

    /// <summary>Gets whether the record file is remote (read with ranged requests).</summary>
    internal bool IsRemote => _source is not null;

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

    /// <summary>Reads the records stored under several keys; neighbouring remote records are fetched together.</summary>
    /// <param name="keys">The keys, in any order.</param>
    /// <returns>The payloads, in the order of <paramref name="keys"/>.</returns>
    /// <exception cref="KeyNotFoundException">A key is not in the index.</exception>
    /// <exception cref="RecordFormatException">A record is malformed.</exception>
    /// <exception cref="StorageException">A remote read failed after the retries.</exception>
    public byte[][] ReadIdx(IReadOnlyList<long> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (_source is null)
        {
            byte[][] records = new byte[keys.Count][];
            for (int i = 0; i < records.Length; i++) records[i] = ReadIdx(keys[i]);
            return records;
        }

        return ReadIdxAsync(keys).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Reads the records stored under several keys without blocking; records whose byte ranges lie within
    /// <see cref="StorageOptions.CoalesceGap"/> of each other are fetched in one ranged request, and the requests run concurrently.</summary>
    /// <param name="keys">The keys, in any order.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The payloads, in the order of <paramref name="keys"/>.</returns>
    /// <exception cref="KeyNotFoundException">A key is not in the index.</exception>
    /// <exception cref="RecordFormatException">A record is malformed.</exception>
    /// <exception cref="StorageException">A remote read failed after the retries.</exception>
    public async ValueTask<byte[][]> ReadIdxAsync(IReadOnlyList<long> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ObjectDisposedException.ThrowIf(_handle?.IsClosed ?? false, this);
        byte[][] records = new byte[keys.Count][];
        if (keys.Count == 0) return records;
        long[] offsets = new long[keys.Count];
        int[] order = new int[keys.Count];
        for (int i = 0; i < offsets.Length; i++)
        {
            if (!_offsetByKey.TryGetValue(keys[i], out offsets[i]))
            {
                throw new KeyNotFoundException(string.Create(CultureInfo.InvariantCulture, $"Key {keys[i]} is not in the index '{IndexPath}'."));
            }

            order[i] = i;
        }

        if (_source is null)
        {
            for (int i = 0; i < records.Length; i++) records[i] = ReadAt(offsets[i], keys[i].ToString(CultureInfo.InvariantCulture));
            return records;
        }

        // Group records sorted by offset into runs whose gaps are small; each run is one request.
        Array.Sort(offsets.ToArray(), order);
        long[] sortedAll = _sortedOffsets ??= SortedDistinctOffsets();
        var groups = new List<(int First, int Count, long Start, long End)>();
        int groupFirst = 0;
        long groupStart = offsets[order[0]];
        long groupEnd = RecordEnd(sortedAll, groupStart);
        for (int j = 1; j <= order.Length; j++)
        {
            if (j < order.Length)
            {
                long start = offsets[order[j]];
                long end = RecordEnd(sortedAll, start);
                if (start - groupEnd <= _storage.CoalesceGap && Math.Max(end, groupEnd) - groupStart <= MaxCoalescedRequest)
                {
                    groupEnd = Math.Max(groupEnd, end);
                    continue;
                }

                groups.Add((groupFirst, j - groupFirst, groupStart, groupEnd));
                groupFirst = j;
                groupStart = start;
                groupEnd = end;
            }
            else
            {
                groups.Add((groupFirst, j - groupFirst, groupStart, groupEnd));
            }
        }

        using var throttle = new SemaphoreSlim(Math.Max(1, _storage.ReadAheadDepth * 2));
        var tasks = new Task[groups.Count];
        for (int g = 0; g < groups.Count; g++)
        {
            (int first, int count, long start, long end) = groups[g];
            tasks[g] = ReadGroupAsync(first, count, start, end);
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
        return records;

        async Task ReadGroupAsync(int first, int count, long start, long end)
        {
            await throttle.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (end - start > MaxCoalescedRequest)
            {
                // One record whose extent (up to the next indexed offset) is huge, or an index that skips records:
                // read it alone, header first, rather than fetching the whole gap.
                try
                {
                    int index = order[first];
                    records[index] = ReadAt(offsets[index], keys[index].ToString(CultureInfo.InvariantCulture));
                }
                finally
                {
                    throttle.Release();
                }

                return;
            }

            var window = new Window { Buffer = ArrayPool<byte>.Shared.Rent((int)(end - start)), Start = start };
            try
            {
                window.Length = await _source.ReadAtAsync(start, window.Buffer.AsMemory(0, (int)(end - start)), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                throttle.Release();
            }

            try
            {
                for (int k = first; k < first + count; k++)
                {
                    int index = order[k];
                    records[index] = ReadAt(offsets[index], keys[index].ToString(CultureInfo.InvariantCulture), window);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(window.Buffer!);
            }
        }
    }

    /// <summary>Closes the record file.</summary>
    public void Dispose()
    {
        _handle?.Dispose();
        _source?.Dispose();
    }

    private static (long[] Keys, long[] Offsets) ReadIndex(string idxPath, long recLength, StorageOptions storage)
    {
        if (ObjectStorage.TryGetLocalPath(idxPath, out string? local)) return IndexFile.Read(local, recLength);

        // An index is small next to its records: fetch it whole in one request.
        using ByteSource source = ObjectStorage.OpenRead(idxPath, storage);
        if (source.Length > Array.MaxLength) throw new StorageException($"Index '{idxPath}' is {source.Length} bytes, too large to read.", idxPath, null, null);
        byte[] bytes = new byte[source.Length];
        int read = source.ReadAt(0, bytes);
        using var text = new StreamReader(new MemoryStream(bytes, 0, read, writable: false));
        return IndexFile.Read(text, idxPath, recLength);
    }

    private long RecordEnd(long[] sortedOffsets, long offset)
    {
        // A record ends where the next indexed record starts (or at the end of the file).
        int at = Array.BinarySearch(sortedOffsets, offset);
        int next = at >= 0 ? at + 1 : ~at;
        return next < sortedOffsets.Length ? sortedOffsets[next] : _length;
    }

    private long[] SortedDistinctOffsets()
    {
        long[] sorted = (long[])_offsets.Clone();
        Array.Sort(sorted);
        int n = 0;
        for (int i = 0; i < sorted.Length; i++)
        {
            if (n == 0 || sorted[i] != sorted[n - 1]) sorted[n++] = sorted[i];
        }

        return sorted[..n];
    }

    private long[] SortKeysByOffset()
    {
        long[] offsets = (long[])_offsets.Clone();
        long[] keys = (long[])_keys.Clone();
        Array.Sort(offsets, keys);
        return keys;
    }

    private byte[] ReadAt(long offset, string? recordKey)
    {
        if (_source is null) return ReadAt(offset, recordKey, window: null);
        var window = new Window { Buffer = ArrayPool<byte>.Shared.Rent(RemoteWindow) };
        try
        {
            return ReadAt(offset, recordKey, window);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(window.Buffer!);
        }
    }

    private byte[] ReadAt(long offset, string? recordKey, Window? window)
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
                int got = ReadBytes(header, position, window);
                if (got < header.Length) ThrowAt($"Truncated RecordIO record at offset {position} in '{FilePath}': expected an 8-byte header, found {got} bytes.", position, recordKey);
                uint magic = BinaryPrimitives.ReadUInt32LittleEndian(header);
                uint lrec = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
                bool startsRecord = magic == RecordIOConstants.Magic && (lrec >> 29) is RecordIOConstants.FlagWhole or RecordIOConstants.FlagFirst;
                if (position == offset && recordKey is not null && offset != 0 && !startsRecord)
                {
                    // The file itself may be fine: an index entry pointing into the middle of a record means the .idx was made for another .rec.
                    ThrowAt($"The index '{IndexPath}' puts key {recordKey} at offset {offset} of '{FilePath}', which is not the start of a record (found 0x{magic:X8} 0x{lrec:X8}), so the .idx does not belong to this .rec; rebuild it with 'rec index'.", position, recordKey);
                }

                if (magic != RecordIOConstants.Magic && position == 0) ThrowAt($"{RecordIOThrowHelper.NotRecordIO(magic, FilePath)}", position, recordKey);
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
                    ReadExactlyAt(record, payloadAt, position, recordKey, window);
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

                ReadExactlyAt(assembled.AsSpan(assembledLength, length), payloadAt, position, recordKey, window);
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

    private int ReadBytes(Span<byte> destination, long at, Window? window)
    {
        if (_handle is not null) return RandomAccess.Read(_handle, destination, at);
        if (window is not null)
        {
            if (at >= window.Start && at + destination.Length <= window.Start + window.Length)
            {
                window.Buffer.AsSpan((int)(at - window.Start), destination.Length).CopyTo(destination);
                return destination.Length;
            }

            // A small read (a header) refills the window from here, taking the payload that follows along.
            if (destination.Length <= window.Buffer!.Length / 2)
            {
                window.Start = at;
                window.Length = _source!.ReadAt(at, window.Buffer.AsSpan(0, (int)Math.Min(window.Buffer.Length, RemoteWindow)));
                int n = Math.Min(destination.Length, window.Length);
                window.Buffer.AsSpan(0, n).CopyTo(destination);
                return n;
            }
        }

        return _source!.ReadAt(at, destination);
    }

    private void ReadExactlyAt(Span<byte> destination, long at, long partOffset, string? recordKey, Window? window)
    {
        int got = ReadBytes(destination, at, window);
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

    /// <summary>Bytes of the remote record file already fetched: <c>[Start, Start + Length)</c>.</summary>
    private sealed class Window
    {
        public byte[]? Buffer;
        public long Start;
        public int Length;
    }
}
