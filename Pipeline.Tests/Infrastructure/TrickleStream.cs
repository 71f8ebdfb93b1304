namespace Pipeline.Tests.Infrastructure;

/// <summary>A read-only seekable stream that returns at most a few bytes per read, to drive readers through every refill path.</summary>
internal sealed class TrickleStream(byte[] data, int[] readSizes) : Stream
{
    private readonly MemoryStream _inner = new(data, writable: false);
    private int _reads;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _inner.Length;

    public override long Position { get => _inner.Position; set => _inner.Position = value; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int limit = readSizes.Length == 0 ? buffer.Length : Math.Max(1, readSizes[_reads++ % readSizes.Length]);
        return _inner.Read(buffer[..Math.Min(limit, buffer.Length)]);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }
}
