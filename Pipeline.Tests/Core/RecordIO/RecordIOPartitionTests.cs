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
}
