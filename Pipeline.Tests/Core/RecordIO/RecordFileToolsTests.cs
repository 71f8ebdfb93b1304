using Pipeline.Core;
using Pipeline.Core.RecordIO;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Core.RecordIO;

public sealed class RecordFileToolsTests
{
    [Fact]
    public void RecVerify_FindsInjectedCorruptionAtItsOffset_AndRecIndexRebuildsTheIdx()
    {
        using var temp = new TempDirectory();
        string rec = temp.File("v.rec");
        File.Copy(Path.Combine(TestFiles.Im2RecDir, "im2rec-passthrough.rec"), rec);
        Assert.Null(RecordFileTools.Verify(rec).Error);
        Assert.Equal(24, RecordFileTools.Verify(rec).Records);

        RecordFileTools.RebuildIndex(rec, temp.File("v.idx"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(TestFiles.Im2RecDir, "im2rec-passthrough.idx")), File.ReadAllBytes(temp.File("v.idx")));

        string[] idx = File.ReadAllLines(temp.File("v.idx"));
        long tenth = long.Parse(idx[10].Split('\t')[1], System.Globalization.CultureInfo.InvariantCulture);
        byte[] bytes = File.ReadAllBytes(rec);
        bytes[tenth + 1] ^= 0x55;
        File.WriteAllBytes(rec, bytes);
        (long records, _, RecordFormatException? error) = RecordFileTools.Verify(rec);
        Assert.Equal(10, records);
        Assert.Equal(tenth, error!.Offset);
    }

    [Fact]
    public void RecStatsHeadAndSplit_DescribeAndShardTheFile()
    {
        using var temp = new TempDirectory();
        string rec = Path.Combine(TestFiles.Im2RecDir, "im2rec-resize64-q90.rec");
        var stats = RecordFileTools.Stats(rec);
        Assert.Equal(24, stats.Records);
        Assert.Equal(new Dictionary<float, long> { [0] = 8, [1] = 8, [2] = 8 }, stats.Labels);
        var headers = RecordFileTools.Headers(rec, 3);
        Assert.Equal([0UL, 1UL, 2UL], headers.Select(h => h.Header.Id));
        Assert.Equal(0, headers[0].Offset);
        var shards = RecordFileTools.Split(rec, temp.File("shard"), 3);
        Assert.Equal(24, shards.Sum(s => s.Records));
        var all = shards.SelectMany(s => RecordFiles.ReadAll(s.RecPath)).ToList();
        Assert.Equal(RecordFiles.ReadAll(rec), all);
        Assert.True(File.Exists(temp.File("shard-00002-of-00003.idx")));
    }
}
