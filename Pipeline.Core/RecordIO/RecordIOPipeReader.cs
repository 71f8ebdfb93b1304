using System.Buffers;
using System.IO.Pipelines;
using Pipeline.Core.RecordIO.Internal;

namespace Pipeline.Core.RecordIO;

/// <summary>Reads RecordIO records from a <see cref="PipeReader"/>, for data that arrives in pieces (a socket, a decompressor, a pipe).</summary>
/// <remarks>
/// Records may straddle any number of the pipe's segments; a record is returned once all its parts have
/// arrived. The returned memory is valid until the next call. Not thread-safe.
/// </remarks>
public sealed class RecordIOPipeReader : IAsyncDisposable
{
    private readonly PipeReader _pipe;
    private readonly string? _name;
    private byte[]? _scratch;
    private byte[]? _flat;
    private SequencePosition _pendingConsumed;
    private bool _hasPending;
    private bool _completed;

    /// <summary>Initializes a reader over a pipe.</summary>
    /// <param name="pipe">The pipe to read; the reader completes it on <see cref="DisposeAsync"/>.</param>
    /// <param name="name">A name for the data in error messages (a file name or URL), or <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="pipe"/> is null.</exception>
    public RecordIOPipeReader(PipeReader pipe, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(pipe);
        _pipe = pipe;
        _name = name;
    }

    /// <summary>Gets the offset of the next record's first header, counted from the first byte of the pipe.</summary>
    public long Position { get; private set; }

    /// <summary>Reads the next record.</summary>
    /// <param name="cancellationToken">Cancels the wait for data.</param>
    /// <returns>The payload, valid until the next call, or <see langword="null"/> when the pipe ends at a record boundary.</returns>
    /// <exception cref="RecordFormatException">The data is not valid RecordIO, or ends inside a record.</exception>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (_hasPending)
        {
            // The previous record's bytes stayed in the pipe until now so its memory remained valid.
            _pipe.AdvanceTo(_pendingConsumed);
            _hasPending = false;
        }

        while (true)
        {
            ReadResult result = await _pipe.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            RecordParseStatus status = Parse(buffer, result.IsCompleted, out ReadOnlyMemory<byte> record, out SequencePosition consumed);
            switch (status)
            {
                case RecordParseStatus.Complete:
                    _pendingConsumed = consumed;
                    _hasPending = true;
                    return record;
                case RecordParseStatus.EndOfData:
                    _pipe.AdvanceTo(buffer.End);
                    return null;
                default:
                    _pipe.AdvanceTo(buffer.Start, buffer.End);
                    break;
            }
        }
    }

    /// <summary>Completes the pipe and returns pooled buffers.</summary>
    /// <returns>A task that completes when the pipe is completed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_completed) return;
        _completed = true;
        await _pipe.CompleteAsync().ConfigureAwait(false);
        if (_scratch is not null) ArrayPool<byte>.Shared.Return(_scratch);
        if (_flat is not null) ArrayPool<byte>.Shared.Return(_flat);
        _scratch = _flat = null;
    }

    private RecordParseStatus Parse(ReadOnlySequence<byte> buffer, bool isFinal, out ReadOnlyMemory<byte> record, out SequencePosition consumed)
    {
        record = default;
        var reader = new SequenceReader<byte>(buffer);
        var context = new RecordParseContext(_name, Position, long.MaxValue, isFinal);
        RecordParseStatus status = RecordFraming.TryReadRecord(ref reader, context, ref _scratch, out ReadOnlySequence<byte> payload, out _);
        consumed = reader.Position;
        if (status != RecordParseStatus.Complete) return status;

        Position += reader.Consumed;
        if (payload.IsSingleSegment)
        {
            record = payload.First;
        }
        else
        {
            int length = (int)payload.Length;
            if (_flat is null || _flat.Length < length)
            {
                if (_flat is not null) ArrayPool<byte>.Shared.Return(_flat);
                _flat = ArrayPool<byte>.Shared.Rent(length);
            }

            payload.CopyTo(_flat);
            record = _flat.AsMemory(0, length);
        }

        return status;
    }
}
