using System.Buffers;

namespace Pipeline.Core.Storage;

/// <summary>A read-only, seekable stream over a <see cref="ByteSource"/> that keeps several large ranged reads in flight ahead of the reader.</summary>
/// <remarks>
/// <para>Memory is bounded: at most <c>depth</c> pooled buffers of <c>chunkSize</c> bytes. Reads up to the read-ahead
/// end are served from those chunks; past it (the tail of a shard's last record) each call fetches at most
/// 64 KiB on demand, so a shard transfers little more than its own byte range.</para>
/// <para>Requests ramp up: the first one after opening or a seek asks for 1 MiB (or the chunk size, if smaller), each next
/// one for twice the last, up to the chunk size. The reader then starts on the first MiB instead of waiting while
/// <c>depth</c> full chunks share the connection's bandwidth, and a short read after a seek fetches little.</para>
/// <para>Not thread-safe, like any stream.</para>
/// </remarks>
public sealed class ReadAheadStream : Stream
{
    private const int TailRequestSize = 64 << 10;
    private const int FirstRequestSize = 1 << 20;

    // Free space before each chunk's data, so a reader that takes the chunk over (TryTakeChunk) can put the start of a
    // record from the previous chunk in front of it instead of copying the whole chunk into its own buffer.
    private readonly int _headroom;
    private readonly ByteSource _source;
    private readonly long _readAheadEnd;
    private readonly int _chunkSize;
    private readonly int _depth;
    private readonly bool _leaveOpen;
    private readonly Queue<Chunk> _inFlight = new();
    private CancellationTokenSource _cancellation = new();
    private byte[]? _current;
    private int _currentStart;
    private int _currentEnd;
    private long _position;
    private long _nextFetch;
    private int _nextRequestSize;
    private bool _disposed;

    /// <summary>Opens a read-ahead stream.</summary>
    /// <param name="source">The bytes to read.</param>
    /// <param name="begin">The first position.</param>
    /// <param name="readAheadEnd">Where read-ahead stops (clamped to the source's length); later bytes are fetched on demand.</param>
    /// <param name="chunkSize">The size of one ranged request (at least 4096).</param>
    /// <param name="depth">How many requests are kept in flight (at least 1).</param>
    /// <param name="leaveOpen">Whether disposing the stream leaves the source open.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A position or size is out of range.</exception>
    public ReadAheadStream(ByteSource source, long begin, long readAheadEnd, int chunkSize, int depth, bool leaveOpen)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(begin);
        ArgumentOutOfRangeException.ThrowIfLessThan(readAheadEnd, begin);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 4096);
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        _source = source;
        _readAheadEnd = Math.Min(readAheadEnd, source.Length);
        _chunkSize = chunkSize;
        _headroom = Math.Min(1 << 20, chunkSize / 4);
        _depth = depth;
        _leaveOpen = leaveOpen;
        _position = begin;
        _nextFetch = begin;
        _nextRequestSize = Math.Min(FirstRequestSize, chunkSize);
    }

    /// <inheritdoc/>
    public override bool CanRead => !_disposed;

    /// <inheritdoc/>
    public override bool CanSeek => !_disposed;

    /// <inheritdoc/>
    public override bool CanWrite => false;

    /// <inheritdoc/>
    public override long Length => _source.Length;

    /// <inheritdoc/>
    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty || _position >= _source.Length) return 0;
        if (_current is null)
        {
            if (_position >= _readAheadEnd) return ReadTail(buffer);
            Chunk head = NextChunk();
            Take(head, head.Task.GetAwaiter().GetResult());
        }

        return CopyOut(buffer);
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty || _position >= _source.Length) return 0;
        if (_current is null)
        {
            if (_position >= _readAheadEnd)
            {
                int want = Math.Min(buffer.Length, TailRequestSize);
                int got = await _source.ReadAtAsync(_position, buffer[..want], cancellationToken).ConfigureAwait(false);
                _position += got;
                _nextFetch = _position;
                return got;
            }

            Chunk head = NextChunk();
            Take(head, await head.Task.WaitAsync(cancellationToken).ConfigureAwait(false));
        }

        return CopyOut(buffer.Span);
    }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => _source.Length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));
        if (target == _position) return target;

        // Inside the chunk being consumed: move within it and keep the read-ahead.
        if (_current is not null && target > _position && target - _position < _currentEnd - _currentStart)
        {
            _currentStart += (int)(target - _position);
            _position = target;
            return target;
        }

        DropAll();
        _position = target;
        _nextFetch = target;
        _nextRequestSize = Math.Min(FirstRequestSize, _chunkSize);
        return target;
    }

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException("A read-ahead stream is read-only.");

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("A read-ahead stream is read-only.");

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (!_disposed && disposing)
        {
            _disposed = true;
            DropAll();
            _cancellation.Dispose();
            if (!_leaveOpen) _source.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Hands the next whole chunk over to the caller, who then owns its pooled array, instead of copying it out.</summary>
    /// <param name="keep">Bytes the caller will put in front of the data (a partial record); at most the headroom.</param>
    /// <param name="buffer">The chunk's array (from <see cref="ArrayPool{T}.Shared"/>; the caller returns it).</param>
    /// <param name="dataStart">Where the data starts; at least <paramref name="keep"/>.</param>
    /// <param name="dataLength">How many bytes of data.</param>
    /// <returns><see langword="false"/> when no whole chunk is next (part of one is buffered, the read-ahead end is reached, or <paramref name="keep"/> is too large): read normally then.</returns>
    internal bool TryTakeChunk(int keep, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? buffer, out int dataStart, out int dataLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        (buffer, dataStart, dataLength) = (null, 0, 0);
        if (_current is not null || keep > _headroom || _position >= _readAheadEnd) return false;
        Chunk head = NextChunk();
        return Handover(head, head.Task.GetAwaiter().GetResult(), out buffer, out dataStart, out dataLength);
    }

    /// <summary>As <see cref="TryTakeChunk"/>, without blocking.</summary>
    internal async ValueTask<(byte[]? Buffer, int DataStart, int DataLength)> TryTakeChunkAsync(int keep, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_current is not null || keep > _headroom || _position >= _readAheadEnd) return (null, 0, 0);
        Chunk head = NextChunk();
        int read = await head.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return Handover(head, read, out byte[]? buffer, out int dataStart, out int dataLength) ? (buffer, dataStart, dataLength) : (null, 0, 0);
    }

    private bool Handover(Chunk head, int read, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? buffer, out int dataStart, out int dataLength)
    {
        Take(head, read);
        buffer = _current!;
        dataStart = _currentStart;
        dataLength = _currentEnd - _currentStart;
        _current = null;
        _position += dataLength;
        return true;
    }

    private int ReadTail(Span<byte> buffer)
    {
        int got = _source.ReadAt(_position, buffer[..Math.Min(buffer.Length, TailRequestSize)]);
        _position += got;
        _nextFetch = _position;
        return got;
    }

    private Chunk NextChunk()
    {
        // Keep the pipeline full: the head is the chunk at the current position.
        while (_inFlight.Count < _depth && _nextFetch < _readAheadEnd)
        {
            int size = (int)Math.Min(_nextRequestSize, _readAheadEnd - _nextFetch);
            _nextRequestSize = (int)Math.Min(_chunkSize, 2L * _nextRequestSize);
            byte[] buffer = ArrayPool<byte>.Shared.Rent(_headroom + size);
            Task<int> task = _source.ReadAtAsync(_nextFetch, buffer.AsMemory(_headroom, size), _cancellation.Token).AsTask();
            _inFlight.Enqueue(new Chunk(_nextFetch, size, buffer, task));
            _nextFetch += size;
        }

        return _inFlight.Peek();
    }

    private void Take(Chunk head, int read)
    {
        _inFlight.Dequeue();
        if (read < head.Size)
        {
            ArrayPool<byte>.Shared.Return(head.Buffer);
            DropAll();
            throw new StorageException($"'{_source.Location}' ended at offset {head.Offset + read}, before its length of {_source.Length} bytes measured when it was opened.", _source.Location, head.Offset + read, null);
        }

        _current = head.Buffer;
        _currentStart = _headroom;
        _currentEnd = _headroom + read;
    }

    private int CopyOut(Span<byte> buffer)
    {
        int n = Math.Min(buffer.Length, _currentEnd - _currentStart);
        _current.AsSpan(_currentStart, n).CopyTo(buffer);
        _currentStart += n;
        _position += n;
        if (_currentStart == _currentEnd)
        {
            ArrayPool<byte>.Shared.Return(_current!);
            _current = null;
        }

        return n;
    }

    private void DropAll()
    {
        if (_current is not null)
        {
            ArrayPool<byte>.Shared.Return(_current);
            _current = null;
        }

        if (_inFlight.Count == 0) return;
        _cancellation.Cancel();
        _cancellation.Dispose();
        _cancellation = new CancellationTokenSource();
        while (_inFlight.TryDequeue(out Chunk chunk))
        {
            // A request still writing into its buffer returns it to the pool only once it has stopped.
            byte[] buffer = chunk.Buffer;
            _ = chunk.Task.ContinueWith(static (_, state) => ArrayPool<byte>.Shared.Return((byte[])state!), buffer, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private readonly record struct Chunk(long Offset, int Size, byte[] Buffer, Task<int> Task);
}
