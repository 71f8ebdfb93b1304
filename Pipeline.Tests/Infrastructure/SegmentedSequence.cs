using System.Buffers;

namespace Pipeline.Tests.Infrastructure;

/// <summary>Builds a <see cref="ReadOnlySequence{T}"/> whose segments are the given arrays, to test parsers across segment boundaries.</summary>
internal static class SegmentedSequence
{
    public static ReadOnlySequence<byte> Create(params byte[][] segments)
    {
        if (segments.Length == 0) return ReadOnlySequence<byte>.Empty;
        var first = new Segment(segments[0], 0);
        Segment last = first;
        for (int i = 1; i < segments.Length; i++) last = last.Append(segments[i]);
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Splits <paramref name="data"/> into consecutive pieces of the given sizes (cycled), the last taking the rest.</summary>
    public static byte[][] Split(byte[] data, IReadOnlyList<int> sizes)
    {
        var pieces = new List<byte[]>();
        int at = 0;
        for (int i = 0; at < data.Length; i++)
        {
            int size = sizes.Count == 0 ? data.Length : Math.Max(1, sizes[i % sizes.Count]);
            size = Math.Min(size, data.Length - at);
            pieces.Add(data[at..(at + size)]);
            at += size;
        }

        return pieces.ToArray();
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
