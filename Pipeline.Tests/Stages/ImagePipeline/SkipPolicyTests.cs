using Pipeline.Core;
using Pipeline.Core.RecordIO;
using Pipeline.Stages.ImagePipeline;
using Pipeline.Stages.Iterators;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Stages.ImagePipeline;

/// <summary><see cref="CorruptRecordPolicy.Skip"/> covers every per-record failure (framing, header, labels, decode), counted per reason; <see cref="CorruptRecordPolicy.Throw"/> still fails naming the record.</summary>
public sealed class SkipPolicyTests
{
    [Fact]
    public async Task SequentialRec_EveryKindOfBrokenRecord_IsSkippedAndCountedPerReason()
    {
        using var temp = new TempDirectory();
        string rec = temp.File("hostile.rec");
        HostileRecordFile.Write(rec, idx: null);
        var options = new ImageRecordIterOptions { PathImgRec = rec, DataShape = [3, 8, 8], BatchSize = 1, CorruptRecords = CorruptRecordPolicy.Skip };

        using (var iter = new ImageRecordIter(options))
        {
            Assert.Equal(HostileRecordFile.GoodLabels, await LabelsAsync(iter).WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal(2, iter.Metrics.SkippedFor(SkipReason.Header));
            Assert.Equal(1, iter.Metrics.SkippedFor(SkipReason.Labels));
            Assert.Equal(1, iter.Metrics.SkippedFor(SkipReason.Decode));
            Assert.Equal(2, iter.Metrics.SkippedFor(SkipReason.Framing));
            Assert.Equal(6, iter.Metrics.SkippedRecords);
            Assert.All(iter.Metrics.SkippedDetails, d => Assert.Contains("hostile.rec", d, StringComparison.Ordinal));

            // The next epoch skips the same records again.
            iter.Reset();
            Assert.Equal(HostileRecordFile.GoodLabels, await LabelsAsync(iter).WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal(12, iter.Metrics.SkippedRecords);
        }

        using var strict = new ImageRecordIter(options with { CorruptRecords = CorruptRecordPolicy.Throw });
        RecordFormatException error = await Assert.ThrowsAsync<RecordFormatException>(() => LabelsAsync(strict)).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("hostile.rec", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IndexedRec_BrokenRecordsByKey_AreSkippedAndCountedPerReason()
    {
        using var temp = new TempDirectory();
        string rec = temp.File("hostile.rec");
        string idx = temp.File("hostile.idx");
        HostileRecordFile.Write(rec, idx);
        var options = new ImageRecordIterOptions { PathImgRec = rec, PathImgIdx = idx, DataShape = [3, 8, 8], BatchSize = 1, Shuffle = true, Seed = 4, CorruptRecords = CorruptRecordPolicy.Skip };
        using var iter = new ImageRecordIter(options);
        float[] labels = await LabelsAsync(iter).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HostileRecordFile.GoodLabels, labels.Order());
        Assert.Equal(2, iter.Metrics.SkippedFor(SkipReason.Header));
        Assert.Equal(1, iter.Metrics.SkippedFor(SkipReason.Labels));
        Assert.Equal(1, iter.Metrics.SkippedFor(SkipReason.Decode));

        // By key, the broken magic and the length past the end are one framing skip each.
        Assert.Equal(2, iter.Metrics.SkippedFor(SkipReason.Framing));
    }

    private static async Task<float[]> LabelsAsync(DataIter iter)
    {
        var labels = new List<float>();
        while (await iter.NextAsync() is { } batch)
        {
            using (batch) labels.Add(batch.Label[0].ToArray<float>()[0]);
        }

        return [.. labels];
    }
}
