using System.Buffers.Binary;
using Pipeline.Core;
using Pipeline.Core.RecordIO;
using Pipeline.Stages.ImagePipeline;
using Pipeline.Stages.Imaging;
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
        WriteHostile(rec, idx: null);
        var options = new ImageRecordIterOptions { PathImgRec = rec, DataShape = [3, 8, 8], BatchSize = 1, CorruptRecords = CorruptRecordPolicy.Skip };

        using (var iter = new ImageRecordIter(options))
        {
            Assert.Equal(new float[] { 1f, 4f, 7f, 9f }, await LabelsAsync(iter).WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal(2, iter.Metrics.SkippedFor(SkipReason.Header));
            Assert.Equal(1, iter.Metrics.SkippedFor(SkipReason.Labels));
            Assert.Equal(1, iter.Metrics.SkippedFor(SkipReason.Decode));
            Assert.Equal(2, iter.Metrics.SkippedFor(SkipReason.Framing));
            Assert.Equal(6, iter.Metrics.SkippedRecords);
            Assert.All(iter.Metrics.SkippedDetails, d => Assert.Contains("hostile.rec", d, StringComparison.Ordinal));

            // The next epoch skips the same records again.
            iter.Reset();
            Assert.Equal(new float[] { 1f, 4f, 7f, 9f }, await LabelsAsync(iter).WaitAsync(TimeSpan.FromSeconds(30)));
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
        WriteHostile(rec, idx);
        var options = new ImageRecordIterOptions { PathImgRec = rec, PathImgIdx = idx, DataShape = [3, 8, 8], BatchSize = 1, Shuffle = true, Seed = 4, CorruptRecords = CorruptRecordPolicy.Skip };
        using var iter = new ImageRecordIter(options);
        float[] labels = await LabelsAsync(iter).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(new float[] { 1f, 4f, 7f, 9f }, labels.Order());
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

    /// <summary>Ten records, keys 0-9, label = key: 1, 4, 7 and 9 are good; 0 is 10 bytes (header), 2 announces 1,000 labels in 60 bytes (header),
    /// 3 packs two labels for a label width of 1 (labels), 5 is not an image (decode), 6 has its magic broken and 8 a length past the
    /// end of the file (framing: reading resumes at the next record head).</summary>
    private static void WriteHostile(string rec, string? idx)
    {
        byte[] jpeg;
        using (NDArray pixels = NDArray.Zeros(DType.UInt8, 8, 8, 3)) jpeg = ImageOps.Encode(pixels, ImageFormat.Jpeg);
        byte[] Good(int key) => ImageRecord.Pack(new ImageRecordHeader(0, key, (ulong)key, 0), jpeg);
        byte[] manyLabels = new byte[60];
        new ImageRecordHeader(1000, 2, 2, 0).WriteTo(manyLabels);
        byte[][] records =
        [
            new byte[10],
            Good(1),
            manyLabels,
            ImageRecord.Pack(new ImageRecordHeader(0, 3, 3, 0) { Labels = [3f, 3f] }, jpeg),
            Good(4),
            ImageRecord.Pack(new ImageRecordHeader(0, 5, 5, 0), "not an image"u8),
            Good(6),
            Good(7),
            Good(8),
            Good(9),
        ];
        var offsets = new long[records.Length];
        using (var writer = new RecordIOWriter(rec))
        {
            for (int i = 0; i < records.Length; i++)
            {
                offsets[i] = writer.Position;
                writer.Write(records[i]);
            }
        }

        byte[] bytes = File.ReadAllBytes(rec);

        // Record 6: a bad magic word. Record 8: its header claims more bytes than the file holds, so the record runs past the end.
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)offsets[6]), 0xDEADBEEF);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)offsets[8] + 4), 1u << 28);
        File.WriteAllBytes(rec, bytes);
        if (idx is not null) File.WriteAllLines(idx, offsets.Select((o, k) => $"{k}\t{o}"));
    }
}
