using System.Buffers.Binary;
using Pipeline.Core;
using Pipeline.Core.RecordIO;

namespace Pipeline.Tests.Core.RecordIO;

/// <summary>RecordIO under lying length fields on streams of unknown length.</summary>
public sealed class RecordIOHostileTests
{
    [Theory]
    [InlineData(1 << 20)]
    [InlineData(24 << 20)]
    public void NonSeekableStream_HeaderClaimsHalfAGibibyte_MemoryFollowsTheBytesDelivered(int delivered)
    {
        // A whole record of (2^29 - 1) bytes announced, `delivered` bytes of it sent, then the stream ends.
        var stream = new LyingStream((1u << 29) - 1, delivered);
        using var reader = new RecordIOReader(stream);
        long before = GC.GetAllocatedBytesForCurrentThread();
        RecordFormatException error = Assert.Throws<RecordFormatException>(() => reader.TryRead(out _));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("Truncated", error.Message, StringComparison.Ordinal);
        Assert.Equal(0L, error.Offset);

        // The buffer doubles only when full, so it ends at most twice what arrived and all its sizes together at most four times.
        Assert.True(allocated < (4L * delivered) + (8 << 20), $"allocated {allocated} bytes for {delivered} delivered");
    }

    [Fact]
    public async Task NonSeekableStream_HeaderClaimsHalfAGibibyte_AsyncReadAlsoGrowsWithTheData()
    {
        var stream = new LyingStream((1u << 29) - 1, 12 << 20);
        using var reader = new RecordIOReader(stream);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        await Assert.ThrowsAsync<RecordFormatException>(async () => await reader.ReadMemoryAsync());
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 200L << 20);
    }

    [Fact]
    public void NonSeekableStream_LongRecordThatArrives_IsReadWhole()
    {
        byte[] payload = new byte[9 << 20];
        new Random(3).NextBytes(payload);
        using var file = new MemoryStream();
        using (var writer = new RecordIOWriter(file, leaveOpen: true)) writer.Write(payload);
        using var reader = new RecordIOReader(new LyingStream(file.ToArray()));
        Assert.Equal(payload, reader.Read());
        Assert.Null(reader.Read());
    }

    [Fact]
    public void IndexOfAnotherRec_SaysTheIdxDoesNotBelongToTheRec()
    {
        using var temp = new Infrastructure.TempDirectory();
        using (var mine = new IndexedRecordIOWriter(temp.File("train.idx"), temp.File("train.rec")))
        {
            for (int key = 0; key < 8; key++) mine.WriteIdx(key, new byte[40]);
        }

        using (var other = new IndexedRecordIOWriter(temp.File("other.idx"), temp.File("other.rec")))
        {
            for (int key = 0; key < 8; key++) other.WriteIdx(key, new byte[12]);
        }

        // other.idx's offsets are 20 bytes apart; train.rec's records are 48 bytes apart: key 1 points into record 0.
        using var reader = new IndexedRecordIOReader(temp.File("other.idx"), temp.File("train.rec"));
        Assert.Equal(40, reader.ReadIdx(0).Length);
        RecordFormatException error = Assert.Throws<RecordFormatException>(() => reader.ReadIdx(1));
        Assert.Contains("puts key 1 at offset 20", error.Message, StringComparison.Ordinal);
        Assert.Contains("not the start of a record", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not belong to this .rec", error.Message, StringComparison.Ordinal);
        Assert.Contains("other.idx", error.Message, StringComparison.Ordinal);
        Assert.Equal("1", error.RecordKey);
        Assert.Equal(20L, error.Offset);
    }

    /// <summary>A forward-only stream: either real bytes, or a RecordIO header announcing <c>length</c> followed by only <c>delivered</c> zero bytes.</summary>
    private sealed class LyingStream : Stream
    {
        private readonly byte[] _prefix;
        private readonly long _total;
        private long _position;

        public LyingStream(uint length, int delivered)
        {
            _prefix = new byte[8];
            BinaryPrimitives.WriteUInt32LittleEndian(_prefix, 0xCED7230A);
            BinaryPrimitives.WriteUInt32LittleEndian(_prefix.AsSpan(4), length);
            _total = 8 + delivered;
        }

        public LyingStream(byte[] bytes)
        {
            _prefix = bytes;
            _total = bytes.Length;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            // At most 64 KiB per read, as a pipe would give.
            int n = (int)Math.Min(Math.Min(buffer.Length, 1 << 16), _total - _position);
            for (int i = 0; i < n; i++) buffer[i] = _position + i < _prefix.Length ? _prefix[_position + i] : (byte)0;
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
