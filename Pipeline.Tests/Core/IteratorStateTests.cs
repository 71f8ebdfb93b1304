using System.Buffers.Binary;
using Pipeline.Core;
using Pipeline.Stages.Iterators;
using Pipeline.Tests.Infrastructure;
using Pipeline.Tests.Stages.Iterators;

namespace Pipeline.Tests.Core;

/// <summary>The resume token: small, round-trips, and refuses bad or foreign bytes with a message that says why.</summary>
public sealed class IteratorStateTests
{
    [Fact]
    public async Task ToBytes_FromBytesAndText_RoundTripAndStaySmall()
    {
        using NDArray data = NDArray.From(Enumerable.Range(0, 40).Select(i => (float)i).ToArray(), 20, 2);
        await using var iter = new NDArrayIter(data, batchSize: 3, shuffle: true, lastBatchHandle: LastBatchHandle.RollOver, seed: 5);
        (await iter.NextAsync())!.Dispose();
        (await iter.NextAsync())!.Dispose();
        IteratorState state = iter.SaveState();
        byte[] bytes = state.ToBytes();
        Assert.True(bytes.Length <= 128, $"{bytes.Length} bytes");
        Assert.Equal(bytes, IteratorState.FromBytes(bytes).ToBytes());
        Assert.Equal(bytes, IteratorState.Parse(state.ToString()).ToBytes());
        Assert.Equal(0, state.Epoch);
        Assert.Equal(2, state.BatchesInEpoch);
        Assert.False(state.Ended);
    }

    [Fact]
    public async Task SingleIterators_TokensAreAtMost128Bytes()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("d.csv"), "1,2\n3,4\n5,6\n");
        File.WriteAllText(temp.File("l.csv"), "1\n0\n1\n");
        (string rec, _) = ResumeTests.WriteImages(temp, 5);
        DataIter[] iters =
        [
            new CsvIter(new CsvIterOptions { DataCsv = temp.File("d.csv"), LabelCsv = temp.File("l.csv"), DataShape = [2], BatchSize = 2 }),
            new ImageRecordIter(new ImageRecordIterOptions { PathImgRec = rec, DataShape = [3, 8, 8], BatchSize = 2, Shuffle = true }),
        ];
        foreach (DataIter iter in iters)
        {
            await using (iter)
            {
                (await iter.NextAsync())!.Dispose();
                int length = iter.SaveState().ToBytes().Length;
                Assert.True(length <= 128, $"{iter.GetType().Name}: {length} bytes");
            }
        }
    }

    [Fact]
    public void FromBytes_Truncated_SaysTruncated()
    {
        byte[] bytes = Sample().ToBytes();
        FormatException error = Assert.Throws<FormatException>(() => IteratorState.FromBytes(bytes.AsSpan(0, bytes.Length - 5)));
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", Assert.Throws<FormatException>(() => IteratorState.FromBytes(bytes.AsSpan(0, 3))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromBytes_AnyFlippedBit_SaysCorrupted()
    {
        byte[] bytes = Sample().ToBytes();
        for (int i = 6; i < bytes.Length; i++)
        {
            byte[] damaged = [.. bytes];
            damaged[i] ^= 0x10;
            FormatException error = Assert.Throws<FormatException>(() => IteratorState.FromBytes(damaged));
            Assert.Contains("corrupted", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void FromBytes_NewerFormat_SaysNewer()
    {
        byte[] bytes = Sample().ToBytes();
        bytes[2] = 9;
        uint checksum = 2166136261;
        foreach (byte b in bytes.AsSpan(0, bytes.Length - 4)) checksum = (checksum ^ b) * 16777619;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), checksum);
        FormatException error = Assert.Throws<FormatException>(() => IteratorState.FromBytes(bytes));
        Assert.Contains("format version 9, newer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromBytes_NotAState_SaysSo()
    {
        Assert.Contains("not an iterator state", Assert.Throws<FormatException>(() => IteratorState.FromBytes("hello, world"u8)).Message, StringComparison.Ordinal);
        Assert.Contains("not base64", Assert.Throws<FormatException>(() => IteratorState.Parse("%%%")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RestoreState_OtherDataOrOptions_NamesWhatDiffers()
    {
        using NDArray data = NDArray.From(Enumerable.Range(0, 40).Select(i => (float)i).ToArray(), 20, 2);
        using NDArray otherData = NDArray.From(Enumerable.Range(1, 40).Select(i => (float)i).ToArray(), 20, 2);
        using var saved = new NDArrayIter(data, batchSize: 4, shuffle: true, seed: 1);
        IteratorState state = saved.SaveState();
        using (var other = new NDArrayIter(otherData, batchSize: 4, shuffle: true, seed: 1))
        {
            Assert.Contains("another data set", Assert.Throws<ArgumentException>(() => other.RestoreState(state)).Message, StringComparison.Ordinal);
        }

        using (var batch = new NDArrayIter(data, batchSize: 5, shuffle: true, seed: 1))
        {
            Assert.Contains("batch size 4; this NDArrayIter has 5", Assert.Throws<ArgumentException>(() => batch.RestoreState(state)).Message, StringComparison.Ordinal);
        }

        using (var seed = new NDArrayIter(data, batchSize: 4, shuffle: true, seed: 2))
        {
            Assert.Contains("seed 1; this NDArrayIter has 2", Assert.Throws<ArgumentException>(() => seed.RestoreState(state)).Message, StringComparison.Ordinal);
        }

        using (var shuffle = new NDArrayIter(data, batchSize: 4, shuffle: false, seed: 1))
        {
            Assert.Contains("shuffle on", Assert.Throws<ArgumentException>(() => shuffle.RestoreState(state)).Message, StringComparison.Ordinal);
        }

        using (var handle = new NDArrayIter(data, batchSize: 4, shuffle: true, lastBatchHandle: LastBatchHandle.Discard, seed: 1))
        {
            Assert.Contains("last-batch handle Pad", Assert.Throws<ArgumentException>(() => handle.RestoreState(state)).Message, StringComparison.Ordinal);
        }

        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("d.csv"), "1,2\n");
        using var csv = new CsvIter(new CsvIterOptions { DataCsv = temp.File("d.csv"), DataShape = [2], BatchSize = 4 });
        Assert.Contains("saved by a NDArray iterator", Assert.Throws<ArgumentException>(() => csv.RestoreState(state)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DataIterBase_SaveAndRestore_ThrowNotSupportedNamingTheType()
    {
        using var iter = new Plain();
        Assert.Contains(typeof(Plain).FullName!, Assert.Throws<NotSupportedException>(() => iter.SaveState()).Message, StringComparison.Ordinal);
        Assert.Contains(typeof(Plain).FullName!, Assert.Throws<NotSupportedException>(() => iter.RestoreState(Sample())).Message, StringComparison.Ordinal);
        Assert.Null(iter.BatchesPerEpoch);
    }

    [Fact]
    public void BatchesPerEpoch_FollowsTheBatchPlan()
    {
        using NDArray data = NDArray.From(new float[10], 10, 1);
        using var pad = new NDArrayIter(data, batchSize: 4);
        using var discard = new NDArrayIter(data, batchSize: 4, lastBatchHandle: LastBatchHandle.Discard);
        Assert.Equal(3, pad.BatchesPerEpoch);
        Assert.Equal(2, discard.BatchesPerEpoch);
    }

    private static IteratorState Sample()
    {
        using NDArray data = NDArray.From(new float[6], 6, 1);
        using var iter = new NDArrayIter(data, batchSize: 2, seed: 3);
        return iter.SaveState();
    }

    private sealed class Plain : DataIter
    {
        public Plain()
            : base(1)
        {
        }

        public override IReadOnlyList<DataDesc> ProvideData => [];

        public override IReadOnlyList<DataDesc> ProvideLabel => [];

        public override ValueTask<DataBatch?> NextAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult<DataBatch?>(null);

        public override void Reset()
        {
        }
    }
}
