using System.Buffers;
using System.Buffers.Binary;
using Pipeline.Core.RecordIO.Internal;
using Pipeline.Core.Storage;

namespace Pipeline.Core.RecordIO;

/// <summary>Reads records written in dmlc-core's RecordIO format, sequentially, from a file, a URI or a stream.</summary>
/// <remarks>
/// <para>A path may be a URI: <c>s3://bucket/key</c> (with the <c>Pipeline.Storage.S3</c> package), <c>http(s)://</c> or
/// <c>file://</c>. A remote file is read with large ranged requests, several in flight (<see cref="StorageOptions"/>),
/// pinned to the version it had when opened; a local one exactly as before, through an unbuffered <see cref="FileStream"/>.</para>
/// <para>Never trusts a length field: a bad magic word, a length past the end of the file, a truncated tail or
/// a broken multi-part sequence throws a <see cref="RecordFormatException"/> naming the file and offset.</para>
/// <para>Unlike dmlc-core, <see cref="Seek"/> clears the end-of-file state, so reading after a seek works
/// even when an earlier read hit the end.</para>
/// <para><see cref="TryRead(out ReadOnlyMemory{byte})"/> and <see cref="ReadMemoryAsync"/> return the record
/// without allocating, valid until the next read. Not thread-safe; use <see cref="IndexedRecordIOReader"/>
/// for concurrent random access.</para>
/// </remarks>
public sealed partial class RecordIOReader : IDisposable
{
    private const int PageSize = 4096;
    private const int DefaultBufferSize = 4 << 20;
    private readonly Stream _stream;
    private readonly ReadAheadStream? _readAhead;
    private readonly bool _leaveOpen;
    private readonly long _begin;
    private readonly long _end;
    private byte[] _buffer;
    private byte[]? _scratch;
    private int _start;
    private int _count;
    private bool _streamDrained;
    private long _dataEnd;
    private bool _disposed;

    /// <summary>Opens a <c>.rec</c> file for reading from its start.</summary>
    /// <param name="path">The file to read: a path or a URI (<c>s3://</c>, <c>http(s)://</c>, <c>file://</c>).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="StorageException">A remote file cannot be reached; the message names the URI.</exception>
    public RecordIOReader(string path)
        : this(OpenSequential(path, StorageOptions.Default), leaveOpen: false, path, begin: 0, end: long.MaxValue)
    {
    }

    /// <summary>Opens a <c>.rec</c> file or URI for reading from its start, with chosen storage settings.</summary>
    /// <param name="path">The file to read: a path or a URI (<c>s3://</c>, <c>http(s)://</c>, <c>file://</c>).</param>
    /// <param name="storage">Timeouts, retries, read-ahead and S3 settings for a remote file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="StorageException">A remote file cannot be reached; the message names the URI.</exception>
    public RecordIOReader(string path, StorageOptions storage)
        : this(OpenSequential(path, storage), leaveOpen: false, path, begin: 0, end: long.MaxValue)
    {
    }

    /// <summary>Opens a <c>.rec</c> file for reading from its start, with a chosen read-buffer size.</summary>
    /// <param name="path">The file to read: a path or a URI (<c>s3://</c>, <c>http(s)://</c>, <c>file://</c>).</param>
    /// <param name="bufferSize">The read-buffer size in bytes (at least 4096; default 4 MiB). Records longer than it grow it.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bufferSize"/> is below 4096.</exception>
    public RecordIOReader(string path, int bufferSize)
        : this(OpenSequential(path, StorageOptions.Default), leaveOpen: false, path, begin: 0, end: long.MaxValue, bufferSize)
    {
    }

    /// <summary>Reads records from a stream, starting at its current position.</summary>
    /// <param name="stream">A readable stream; when seekable, its length bounds every length field.</param>
    /// <param name="leaveOpen">Whether to leave the stream open on <see cref="Dispose"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not readable.</exception>
    public RecordIOReader(Stream stream, bool leaveOpen = false)
        : this(stream, leaveOpen, path: null, begin: stream?.CanSeek == true ? stream.Position : 0, end: long.MaxValue)
    {
    }

    private RecordIOReader(Stream stream, bool leaveOpen, string? path, long begin, long end, int bufferSize = DefaultBufferSize)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, PageSize);
        if (!stream.CanRead) throw new ArgumentException("The stream is not readable.", nameof(stream));
        _stream = stream;
        _readAhead = stream as ReadAheadStream;
        _leaveOpen = leaveOpen;
        FilePath = path;
        _begin = begin;
        _end = end;
        _buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
        Position = begin;
        _dataEnd = MeasureDataEnd();
        if (stream.CanSeek && stream.Position != begin) stream.Seek(begin, SeekOrigin.Begin);
    }

    /// <summary>Gets the file being read, or <see langword="null"/> for a stream.</summary>
    public string? FilePath { get; }

    /// <summary>Gets the offset of the next record's first header (dmlc's <c>Tell()</c>).</summary>
    public long Position { get; private set; }

    /// <summary>Opens one shard of a <c>.rec</c> file: the records dmlc-core's <c>recordio</c> input split gives part <paramref name="partIndex"/> of <paramref name="numParts"/>.</summary>
    /// <param name="path">The file to read: a path or a URI (<c>s3://</c>, <c>http(s)://</c>, <c>file://</c>).</param>
    /// <param name="partIndex">The zero-based part to read.</param>
    /// <param name="numParts">The number of parts the file is split into.</param>
    /// <returns>A reader that yields only that part's records; <see cref="Reset"/> returns to the part's start.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The part index or count is out of range.</exception>
    /// <exception cref="RecordFormatException">The file's size is not a multiple of 4.</exception>
    /// <exception cref="StorageException">A remote file cannot be reached; the message names the URI.</exception>
    public static RecordIOReader OpenPart(string path, int partIndex, int numParts) => OpenPart(path, partIndex, numParts, StorageOptions.Default);

    /// <summary>Opens one shard of a <c>.rec</c> file or URI, with chosen storage settings; a remote shard fetches only its own byte range (and the tail of its last record).</summary>
    /// <param name="path">The file to read: a path or a URI (<c>s3://</c>, <c>http(s)://</c>, <c>file://</c>).</param>
    /// <param name="partIndex">The zero-based part to read.</param>
    /// <param name="numParts">The number of parts the file is split into.</param>
    /// <param name="storage">Timeouts, retries, read-ahead and S3 settings for a remote file.</param>
    /// <returns>A reader that yields only that part's records; <see cref="Reset"/> returns to the part's start.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The part index or count is out of range.</exception>
    /// <exception cref="RecordFormatException">The file's size is not a multiple of 4.</exception>
    /// <exception cref="StorageException">A remote file cannot be reached; the message names the URI.</exception>
    public static RecordIOReader OpenPart(string path, int partIndex, int numParts, StorageOptions storage)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(storage);
        if (ObjectStorage.TryGetLocalPath(path, out string? local))
        {
            FileStream stream = OpenFile(local);
            try
            {
                (long begin, long end) = RecordIOPartition.GetByteRange(stream, path, partIndex, numParts);
                return new RecordIOReader(stream, leaveOpen: false, path, begin, end);
            }
            catch
            {
                stream.Dispose();
                throw;
            }
        }

        ByteSource source = ObjectStorage.OpenRead(path, storage);
        try
        {
            // The boundary scan reads a few small ranges on demand; the part itself is read ahead only up to its end.
            (long begin, long end) = RecordIOPartition.GetByteRange(new ReadAheadStream(source, 0, 0, 1 << 16, 1, leaveOpen: true), path, partIndex, numParts);
            var stream = new ReadAheadStream(source, begin, end, storage.ReadAheadChunkSize, storage.ReadAheadDepth, leaveOpen: false);
            return new RecordIOReader(stream, leaveOpen: false, path, begin, end);
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>Reads the next record into a new array.</summary>
    /// <returns>The payload (empty for an empty record), or <see langword="null"/> at the end of the data.</returns>
    /// <exception cref="RecordFormatException">The data is not valid RecordIO.</exception>
    /// <exception cref="ObjectDisposedException">The reader has been disposed.</exception>
    public byte[]? Read() => TryRead(out ReadOnlyMemory<byte> record) ? record.ToArray() : null;

    /// <summary>Reads the next record without copying it.</summary>
    /// <param name="record">The payload, valid until the next call on this reader.</param>
    /// <returns><see langword="true"/> if a record was read; <see langword="false"/> at the end of the data.</returns>
    /// <exception cref="RecordFormatException">The data is not valid RecordIO.</exception>
    /// <exception cref="ObjectDisposedException">The reader has been disposed.</exception>
    public bool TryRead(out ReadOnlyMemory<byte> record)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (true)
        {
            RecordParseStatus status = TryParse(out record, out long bytesNeeded);
            if (status != RecordParseStatus.NeedMoreData) return status == RecordParseStatus.Complete;
            if (_readAhead is not null && _readAhead.TryTakeChunk(_count, out byte[]? chunk, out int dataStart, out int dataLength))
            {
                AdoptChunk(chunk, dataStart, dataLength);
                continue;
            }

            int free = PrepareFill(bytesNeeded);
            int read = _stream.Read(_buffer, _start + _count, free);
            CompleteFill(read);
        }
    }

    /// <summary>Moves past a record that failed to parse, to the next record head after its start (an aligned magic word
    /// with a whole or first part: the writer escapes the magic inside payloads, so only heads match), or to the end.</summary>
    /// <param name="recordStart">The offset of the record that failed.</param>
    /// <returns><see langword="false"/> when the data cannot be scanned (a stream that cannot seek): the failure stands.</returns>
    /// <remarks>A remote file is scanned through its read-ahead stream: the scan reads forward from the broken record, and
    /// reading then restarts at the head it found, at the cost of a request or two.</remarks>
    internal bool TrySkipToNextRecordHead(long recordStart)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_stream.CanSeek) return false;
        long limit = Math.Min(_end, _stream.Length);
        long next = recordStart + 4 >= limit ? limit : RecordIOPartition.SeekRecordHead(_stream, recordStart + 4, limit);
        Seek(next);

        // A part ends where its range ends, even when the scan stopped short of a head there.
        if (next >= limit && _end != long.MaxValue) Position = _end;
        return true;
    }

    /// <summary>Moves to a byte offset, which must be the start of a record (as stored in a <c>.idx</c>).</summary>
    /// <param name="offset">The absolute offset of a record's first header.</param>
    /// <exception cref="NotSupportedException">The stream is not seekable.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is negative.</exception>
    /// <exception cref="ObjectDisposedException">The reader has been disposed.</exception>
    public void Seek(long offset)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (!_stream.CanSeek) throw new NotSupportedException("The underlying stream does not support seeking.");
        _stream.Seek(offset, SeekOrigin.Begin);
        Position = offset;
        _dataEnd = MeasureDataEnd();
        _start = 0;
        _count = 0;
        _streamDrained = false;
    }

    /// <summary>Returns to the first record (of the file, or of the part for <see cref="OpenPart(string, int, int)"/>).</summary>
    /// <exception cref="NotSupportedException">The stream is not seekable.</exception>
    /// <exception cref="ObjectDisposedException">The reader has been disposed.</exception>
    public void Reset() => Seek(_begin);

    /// <summary>Closes the file (unless the stream was to be left open) and returns the buffers to the pool.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_leaveOpen) _stream.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
        if (_scratch is not null) ArrayPool<byte>.Shared.Return(_scratch);
        _buffer = [];
        _scratch = null;
    }

    private static Stream OpenSequential(string path, StorageOptions storage)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(storage);
        if (ObjectStorage.TryGetLocalPath(path, out string? local)) return OpenFile(local);
        ByteSource source = ObjectStorage.OpenRead(path, storage);
        return new ReadAheadStream(source, 0, source.Length, storage.ReadAheadChunkSize, storage.ReadAheadDepth, leaveOpen: false);
    }

    private static FileStream OpenFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);

        // No FileStream buffer: the reader keeps its own, and reads large blocks straight into it.
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
    }

    // Measured when opening and on every seek, not per record: a file that grows while it is read is
    // seen up to the length it had then.
    private long MeasureDataEnd() => _stream.CanSeek ? _stream.Length : long.MaxValue;

    private RecordParseStatus TryParse(out ReadOnlyMemory<byte> record, out long bytesNeeded)
    {
        record = default;
        bytesNeeded = 0;
        if (Position >= _end) return RecordParseStatus.EndOfData;

        // Fast path for the common case, a whole (unsplit) record that is fully buffered: two words and a
        // slice. Everything else, errors included, goes through the general parser.
        if (_count >= RecordIOConstants.HeaderSize)
        {
            ReadOnlySpan<byte> header = _buffer.AsSpan(_start, RecordIOConstants.HeaderSize);
            uint lrec = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
            int padded = RecordIOConstants.PaddedLength(lrec & RecordIOConstants.LengthMask);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header) == RecordIOConstants.Magic
                && (lrec >> 29) == RecordIOConstants.FlagWhole
                && RecordIOConstants.HeaderSize + padded <= _count
                && Position + RecordIOConstants.HeaderSize + (lrec & RecordIOConstants.LengthMask) <= _dataEnd)
            {
                record = _buffer.AsMemory(_start + RecordIOConstants.HeaderSize, (int)lrec);
                int consumed = RecordIOConstants.HeaderSize + padded;
                _start += consumed;
                _count -= consumed;
                Position += consumed;
                return RecordParseStatus.Complete;
            }
        }

        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(_buffer, _start, _count));
        var context = new RecordParseContext(FilePath, Position, _dataEnd, _streamDrained);
        RecordParseStatus status = RecordFraming.TryReadRecord(ref reader, context, ref _scratch, out ReadOnlySequence<byte> payload, out bytesNeeded);
        if (status == RecordParseStatus.Complete)
        {
            int consumed = (int)reader.Consumed;
            _start += consumed;
            _count -= consumed;
            Position += consumed;
            record = payload.First;
        }

        return status;
    }

    /// <summary>Takes a remote read-ahead chunk over as the buffer, moving only the partial record in front of it: no copy of the chunk.</summary>
    private void AdoptChunk(byte[] chunk, int dataStart, int dataLength)
    {
        _buffer.AsSpan(_start, _count).CopyTo(chunk.AsSpan(dataStart - _count));
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = chunk;
        _start = dataStart - _count;
        _count += dataLength;
    }

    /// <summary>Makes room for at least <paramref name="bytesNeeded"/> buffered bytes and returns the free space to read into.</summary>
    private int PrepareFill(long bytesNeeded)
    {
        if (bytesNeeded > _buffer.Length && (_dataEnd != long.MaxValue || _count == _buffer.Length))
        {
            // Only a record longer than the buffer gets here. With a known end its length was checked against it, so the whole
            // record is allocated at once; a stream of unknown length may lie, so the buffer only doubles once full: memory
            // follows the bytes that actually arrive, not a 1 GiB length field.
            long size = _dataEnd != long.MaxValue ? Math.Max(bytesNeeded, (long)_buffer.Length * 2) : Math.Min(bytesNeeded, (long)_buffer.Length * 2);
            byte[] larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, size));
            _buffer.AsSpan(_start, _count).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
            _start = 0;
        }
        else if (bytesNeeded > _buffer.Length)
        {
            // A stream of unknown length announcing more than the buffer holds: fill the buffer first.
            _buffer.AsSpan(_start, _count).CopyTo(_buffer);
            _start = 0;
        }
        else if (_start + _count == _buffer.Length || _start + bytesNeeded > _buffer.Length)
        {
            // Move the partial record so that it ends on a page boundary: the next read then fills whole
            // pages at page-aligned file offsets, which the kernel copies fastest.
            int aligned = -_count & (PageSize - 1);
            int target = aligned + bytesNeeded <= _buffer.Length ? aligned : 0;
            _buffer.AsSpan(_start, _count).CopyTo(_buffer.AsSpan(target));
            _start = target;
        }

        return _buffer.Length - _start - _count;
    }

    private void CompleteFill(int read)
    {
        if (read == 0)
        {
            _streamDrained = true;
        }
        else
        {
            _count += read;
        }
    }
}
