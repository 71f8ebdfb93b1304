using FsCheck.Xunit;
using Pipeline.Core.Storage;

namespace Pipeline.Tests.Core.Storage;

/// <summary>The read-ahead stream's requests: their sizes ramp up from 1 MiB to the chunk size, and they tile the range once.</summary>
public sealed class ReadAheadStreamTests
{
    private const int MiB = 1 << 20;

    [Fact]
    public void Requests_RampUpFromOneMiB_ToTheChunkSize_AndAgainAfterASeek()
    {
        using var source = new RecordingSource(new byte[40 * MiB]);
        using var stream = new ReadAheadStream(source, 0, source.Length, chunkSize: 8 * MiB, depth: 2, leaveOpen: true);
        byte[] buffer = new byte[MiB];
        long read = 0;
        while (read < 30 * MiB) read += stream.Read(buffer);
        Assert.Equal([MiB, 2 * MiB, 4 * MiB, 8 * MiB, 8 * MiB, 8 * MiB], source.Sizes().Take(6));

        source.Clear();
        stream.Seek(MiB / 2, SeekOrigin.Begin);
        Assert.Equal(MiB, stream.Read(buffer));
        Assert.Equal([(MiB / 2, MiB), ((3 * MiB) / 2, 2 * MiB)], source.Requests());
    }

    [Fact]
    public void ChunksSmallerThanOneMiB_AreRequestedAtTheirSizeFromTheStart()
    {
        using var source = new RecordingSource(new byte[MiB]);
        using var stream = new ReadAheadStream(source, 0, source.Length, chunkSize: 64 << 10, depth: 3, leaveOpen: true);
        stream.CopyTo(Stream.Null);
        Assert.All(source.Sizes(), size => Assert.Equal(64 << 10, size));
    }

    /// <summary>Any range, chunk size, depth and read sizes: the bytes are the source's, and the read-ahead requests cover
    /// the range from the start to its end exactly once, none larger than the chunk, each twice the last at most.</summary>
    [Property(MaxTest = 60)]
    public void SequentialRead_ReturnsTheBytes_AndRequestsTileTheRange(ushort lengthKiB, ushort beginKiB, ushort endKiB, byte chunkStep, byte depth, int seed)
    {
        int length = lengthKiB % (6 * 1024) * 1024 + (seed & 1023);
        int begin = Math.Min(length, beginKiB % (2 * 1024) * 1024);
        int end = Math.Min(length, begin + (endKiB % (5 * 1024) * 1024));
        int chunkSize = 4096 << (chunkStep % 11);
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        using var source = new RecordingSource(data);
        using var stream = new ReadAheadStream(source, begin, end, chunkSize, 1 + (depth % 4), leaveOpen: true);

        var random = new Random(seed);
        using var copy = new MemoryStream();
        byte[] buffer = new byte[300_000];
        int read;
        while ((read = stream.Read(buffer, 0, random.Next(1, buffer.Length))) > 0) copy.Write(buffer, 0, read);
        Assert.True(copy.ToArray().AsSpan().SequenceEqual(data.AsSpan(begin)), "The bytes read differ from the source's.");

        long next = begin;
        int previous = 0;
        foreach ((long offset, int size) in source.Requests())
        {
            Assert.Equal(next, offset);
            if (offset < end)
            {
                Assert.InRange(size, 1, chunkSize);
                Assert.True(offset + size <= end, "A read-ahead request went past the read-ahead end.");
                Assert.True(previous == 0 ? size <= MiB : size <= 2 * previous, "A request more than doubled the last, or the first was over 1 MiB.");
                previous = size;
            }
            else
            {
                Assert.InRange(size, 1, 64 << 10);
            }

            next = offset + size;
        }

        Assert.Equal(length, next);
    }

    /// <summary>An in-memory source that records every request it answers.</summary>
    private sealed class RecordingSource(byte[] data) : ByteSource("memory://test", data.Length, null)
    {
        private readonly List<(long Offset, int Size)> _requests = [];

        public List<(long Offset, int Size)> Requests()
        {
            lock (_requests) return [.. _requests.OrderBy(request => request.Offset)];
        }

        public IEnumerable<int> Sizes() => Requests().Select(request => request.Size);

        public void Clear()
        {
            lock (_requests) _requests.Clear();
        }

        protected override ValueTask<int> ReadCoreAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
        {
            lock (_requests) _requests.Add((offset, destination.Length));
            data.AsSpan((int)offset, destination.Length).CopyTo(destination.Span);
            return new ValueTask<int>(destination.Length);
        }
    }
}
