namespace Pipeline.Core.RecordIO;

public sealed partial class RecordIOReader
{
    /// <summary>Reads the next record into a new array without blocking on I/O.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The payload (empty for an empty record), or <see langword="null"/> at the end of the data.</returns>
    /// <exception cref="RecordFormatException">The data is not valid RecordIO.</exception>
    /// <exception cref="ObjectDisposedException">The reader has been disposed.</exception>
    public async ValueTask<byte[]?> ReadAsync(CancellationToken cancellationToken = default)
    {
        ReadOnlyMemory<byte>? record = await ReadMemoryAsync(cancellationToken).ConfigureAwait(false);
        return record?.ToArray();
    }

    /// <summary>Reads the next record without copying it and without blocking on I/O.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The payload, valid until the next call on this reader, or <see langword="null"/> at the end of the data.</returns>
    /// <exception cref="RecordFormatException">The data is not valid RecordIO.</exception>
    /// <exception cref="ObjectDisposedException">The reader has been disposed.</exception>
    public ValueTask<ReadOnlyMemory<byte>?> ReadMemoryAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();

        // Fast path: the record is already buffered, so no state machine is needed.
        Internal.RecordParseStatus status = TryParse(out ReadOnlyMemory<byte> record, out long bytesNeeded);
        return status switch
        {
            Internal.RecordParseStatus.Complete => new ValueTask<ReadOnlyMemory<byte>?>(record),
            Internal.RecordParseStatus.EndOfData => new ValueTask<ReadOnlyMemory<byte>?>((ReadOnlyMemory<byte>?)null),
            _ => ReadMemorySlowAsync(bytesNeeded, cancellationToken),
        };
    }

    private async ValueTask<ReadOnlyMemory<byte>?> ReadMemorySlowAsync(long bytesNeeded, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_readAhead is not null)
            {
                (byte[]? chunk, int dataStart, int dataLength) = await _readAhead.TryTakeChunkAsync(_count, cancellationToken).ConfigureAwait(false);
                if (chunk is not null)
                {
                    AdoptChunk(chunk, dataStart, dataLength);
                    Internal.RecordParseStatus taken = TryParse(out ReadOnlyMemory<byte> next, out bytesNeeded);
                    if (taken == Internal.RecordParseStatus.Complete) return next;
                    if (taken == Internal.RecordParseStatus.EndOfData) return null;
                    continue;
                }
            }

            int free = PrepareFill(bytesNeeded);
            int read = await _stream.ReadAsync(_buffer.AsMemory(_start + _count, free), cancellationToken).ConfigureAwait(false);
            CompleteFill(read);
            Internal.RecordParseStatus status = TryParse(out ReadOnlyMemory<byte> record, out bytesNeeded);
            if (status == Internal.RecordParseStatus.Complete) return record;
            if (status == Internal.RecordParseStatus.EndOfData) return null;
        }
    }
}
