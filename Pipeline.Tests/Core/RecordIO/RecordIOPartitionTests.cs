using System.Buffers.Binary;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Pipeline.Core.RecordIO;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Core.RecordIO;

/// <summary>Shards match dmlc-core's <c>recordio</c> and <c>indexed_recordio</c> input splits (split-parts.json).</summary>
public sealed class RecordIOPartitionTests
{
    public static TheoryData<string, string, int> Experiments
    {
        get
        {
            var data = new TheoryData<string, string, int>();
            using JsonDocument parts = TestFiles.Json(TestFiles.SplitParts);
            foreach (JsonElement experiment in parts.RootElement.GetProperty("experiments").EnumerateArray())
            {
                data.Add(experiment.GetProperty("file").GetString()!, experiment.GetProperty("mode").GetString()!, experiment.GetProperty("num_parts").GetInt32());
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Experiments))]
    public void Shards_MatchReferenceSplit(string file, string mode, int numParts)
    {
        JsonElement experiment = FindExperiment(file, mode, numParts);
        string name = Path.GetFileNameWithoutExtension(file);
        List<byte[]> all = RecordFiles.ReadAll(TestFiles.Rec(name));
        bool indexed = mode.StartsWith("indexed_recordio", StringComparison.Ordinal);
        using var index = new IndexedRecordIOReader(TestFiles.Idx(name), TestFiles.Rec(name));
        foreach (JsonElement part in experiment.GetProperty("parts").EnumerateArray())
        {
            int partIndex = part.GetProperty("part_index").GetInt32();
            int[] expected = part.GetProperty("record_indices").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            int[] actual;
            if (indexed)
            {
                actual = index.GetPartKeys(partIndex, numParts).Select(k => (int)k).ToArray();
                if (mode.EndsWith("shuffle_seed0", StringComparison.Ordinal))
                {
                    // The reference order comes from libstdc++'s std::shuffle; only the membership is portable.
                    Array.Sort(expected);
                }

                foreach (int key in actual) Assert.Equal(all[key], index.ReadIdx(key));
            }
            else
            {
                using RecordIOReader reader = RecordIOReader.OpenPart(TestFiles.Rec(name), partIndex, numParts);
                var records = new List<byte[]>();
                while (reader.Read() is { } record) records.Add(record);
                actual = records.Select(r => all.FindIndex(a => a.AsSpan().SequenceEqual(r))).ToArray();
                if (part.TryGetProperty("adjusted_byte_begin", out JsonElement begin))
                {
                    reader.Reset();
                    Assert.Equal(begin.GetInt64(), reader.Position);
                }
            }

            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void GetNominalByteRange_RoundsStepUpToMultipleOfFour()
    {
        Assert.Equal((0L, 28L), RecordIOPartition.GetNominalByteRange(80, 0, 3));
        Assert.Equal((56L, 80L), RecordIOPartition.GetNominalByteRange(80, 2, 3));
        Assert.Equal((72L, 80L), RecordIOPartition.GetNominalByteRange(80, 6, 7));
        Assert.Equal((8L, 8L), RecordIOPartition.GetNominalByteRange(8, 3, 4));
    }

    [Fact]
    public void OpenPart_FileSizeNotMultipleOfFour_ThrowsNamingFile()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.File("odd.rec"), [.. RecordFiles.Write([[1, 2, 3]]), 0]);
        var error = Assert.Throws<Pipeline.Core.RecordFormatException>(() => RecordIOReader.OpenPart(temp.File("odd.rec"), 0, 2));
        Assert.Contains("odd.rec", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1, 2)]
    [InlineData(2, 2)]
    [InlineData(0, 0)]
    public void OpenPart_BadPart_Throws(int partIndex, int numParts) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => RecordIOReader.OpenPart(TestFiles.Rec("basic"), partIndex, numParts));

    [Property(MaxTest = 60)]
    public void UnionOfByteShards_IsWholeFileInOrder(PositiveInt parts, int seed)
    {
        int numParts = ((parts.Get - 1) % 12) + 1;
        var random = new Random(seed);
        var payloads = Enumerable.Range(0, random.Next(0, 40)).Select(i => RandomPayload(random)).ToList();
        using var temp = new TempDirectory();
        string path = temp.File("data.rec");
        File.WriteAllBytes(path, RecordFiles.Write(payloads));

        var union = new List<byte[]>();
        for (int p = 0; p < numParts; p++)
        {
            using RecordIOReader reader = RecordIOReader.OpenPart(path, p, numParts);
            while (reader.Read() is { } record) union.Add(record);
        }

        Assert.Equal(payloads, union);
    }

    /// <summary>The head scan finds what a word-by-word scan finds, from any aligned start, with heads on and across its
    /// 64 KiB block boundaries, and seeks only once (a read-ahead stream keeps its requests).</summary>
    [Property(MaxTest = 100)]
    public void SeekRecordHead_FindsTheFirstHeadAtOrAfterThePosition_SeekingOnce(ushort startWords, int seed)
    {
        var random = new Random(seed);
        int size = 4 * random.Next(0, 3 * (1 << 14) + 8);
        byte[] data = new byte[size];
        random.NextBytes(data);

        // Heads (the magic word, then a length word with cflag 0 or 1) near block boundaries and at random; stray magic
        // words followed by cflag 2 or 3 (the middle or last part of a split record) must not match.
        foreach (int boundary in new[] { 1 << 16, 2 << 16 })
        {
            int at = boundary + (4 * random.Next(-3, 2));
            if (at >= 0 && at + 8 <= size) WriteWord(data, at, random.Next(2));
        }

        for (int k = random.Next(0, 4); k > 0 && size >= 8; k--) WriteWord(data, 4 * random.Next(0, (size - 8) / 4 + 1), random.Next(4));
        long start = Math.Min(size, 4L * (startWords % (size / 4 + 1)));

        long expected = size;
        for (long i = start; i + 8 <= size; i += 4)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)i)) == 0xCED7230A && BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)i + 4)) >> 29 <= 1)
            {
                expected = i;
                break;
            }
        }

        using var stream = new SeekCountingStream(data);
        Assert.Equal(expected, RecordIOPartition.SeekRecordHead(stream, start, size));
        Assert.True(stream.Seeks <= 1, $"The scan sought {stream.Seeks} times.");

        static void WriteWord(byte[] data, int at, int cflag)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(at), 0xCED7230A);
            BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(at + 4), ((uint)cflag << 29) | 12u);
        }
    }

    [Property(MaxTest = 200)]
    public void UnionOfCountShards_IsEveryRecordOnceInOrder(NonNegativeInt count, PositiveInt parts)
    {
        int n = count.Get % 500;
        int numParts = ((parts.Get - 1) % 20) + 1;
        int next = 0;
        for (int p = 0; p < numParts; p++)
        {
            (int start, int length) = RecordIOPartition.GetRecordRange(n, p, numParts);
            if (length > 0) Assert.Equal(next, start);
            next += length;
            Assert.True(length <= (n + numParts - 1) / numParts);
        }

        Assert.Equal(n, next);
    }

    internal static byte[] RandomPayload(Random random)
    {
        byte[] magic = [0x0A, 0x23, 0xD7, 0xCE];
        var bytes = new List<byte>();
        int pieces = random.Next(0, 6);
        for (int i = 0; i < pieces; i++)
        {
            if (random.Next(3) == 0)
            {
                bytes.AddRange(magic);
            }
            else
            {
                byte[] chunk = new byte[random.Next(0, random.Next(2) == 0 ? 9 : 3000)];
                random.NextBytes(chunk);
                bytes.AddRange(chunk);
            }
        }

        return bytes.ToArray();
    }

    private static JsonElement FindExperiment(string file, string mode, int numParts)
    {
        using JsonDocument parts = TestFiles.Json(TestFiles.SplitParts);
        foreach (JsonElement experiment in parts.RootElement.GetProperty("experiments").EnumerateArray())
        {
            if (experiment.GetProperty("file").GetString() == file && experiment.GetProperty("mode").GetString() == mode && experiment.GetProperty("num_parts").GetInt32() == numParts)
            {
                return experiment.Clone();
            }
        }

        throw new InvalidOperationException("No such experiment.");
    }

    private sealed class SeekCountingStream(byte[] data) : MemoryStream(data, writable: false)
    {
        public int Seeks { get; private set; }

        public override long Seek(long offset, SeekOrigin loc)
        {
            Seeks++;
            return base.Seek(offset, loc);
        }
    }
}
