using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Pipeline.Core;
using Pipeline.Core.Batching;
using Pipeline.Stages.Iterators;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Stages.Iterators;

/// <summary>Ports of MXNet's <c>test_io.py</c> NDArrayIter tests, the tutorial's numbers, and properties.</summary>
public sealed class NDArrayIterTests
{
    [Theory]
    [InlineData(LastBatchHandle.Pad, 8, 124, 100)]
    [InlineData(LastBatchHandle.Discard, 7, 100, 96)]
    [InlineData(LastBatchHandle.RollOver, 7, 100, 96)]
    public async Task LastBatchTable_1000By128_MatchesTestIo(LastBatchHandle handle, int batches, int label0Count, int label8Count)
    {
        (NDArray data, NDArray label) = TestIoData();
        using var iter = new NDArrayIter(data, label, 128, shuffle: false, handle);
        List<BatchCopy> epoch = await Batches.EpochAsync(iter);

        Assert.Equal(batches, epoch.Count);
        int[] counts = new int[10];
        foreach (BatchCopy batch in epoch)
        {
            for (int i = 0; i < 128; i++)
            {
                Assert.Equal(batch.Label[0][i], batch.Data[0][i * 4]);
                counts[(int)batch.Label[0][i]]++;
            }
        }

        Assert.Equal(label0Count, counts[0]);
        Assert.Equal(label8Count, counts[8]);
    }

    [Fact]
    public async Task RollOver_FirstBatchAfterReset_EqualsPadsLastBatch()
    {
        (NDArray data, NDArray label) = TestIoData();
        using var pad = new NDArrayIter(data, label, 128, lastBatchHandle: LastBatchHandle.Pad);
        BatchCopy padLast = (await Batches.EpochAsync(pad))[^1];
        using var rollOver = new NDArrayIter(data, label, 128, lastBatchHandle: LastBatchHandle.RollOver);
        await Batches.EpochAsync(rollOver);
        rollOver.Reset();
        using DataBatch first = (await rollOver.NextAsync())!;
        Assert.Equal(padLast.Data[0], first.Data[0].ToArray<float>());
        Assert.Equal(24, padLast.Pad);
        Assert.Equal(0, first.Pad);
    }

    [Fact]
    public async Task ListAndDictionaryInputs_AreNamedAndBatchedTogether()
    {
        (NDArray data, NDArray label) = TestIoData();
        using NDArray data2 = NDArray.From(Enumerable.Range(0, 1000).Select(i => (float)-i).ToArray(), 1000, 1);
        using var fromList = new NDArrayIter([data, data2], [label], 128);
        Assert.Equal(["_0_data", "_1_data"], fromList.ProvideData.Select(d => d.Name));
        Assert.Equal(["softmax_label"], fromList.ProvideLabel.Select(d => d.Name));
        List<BatchCopy> epoch = await Batches.EpochAsync(fromList);
        Assert.Equal(8, epoch.Count);
        Assert.All(epoch, b => Assert.Equal(2, b.Data.Length));

        using var fromDict = new NDArrayIter(new Dictionary<string, NDArray> { ["b"] = data2, ["a"] = data }, new Dictionary<string, NDArray> { ["lbl"] = label }, 128);
        Assert.Equal(["a", "b"], fromDict.ProvideData.Select(d => d.Name));
        Assert.Equal(new DataDesc("a", [128, 2, 2]), fromDict.ProvideData[0]);
        Assert.Equal(new DataDesc("b", [128, 1]), fromDict.ProvideData[1]);
        BatchCopy first = (await Batches.EpochAsync(fromDict))[0];
        Assert.Equal(-5f, first.Data[1][5]);
    }

    [Fact]
    public void ElevenListInputs_AreOrderedAsMXNetSortsNames()
    {
        NDArray[] arrays = Enumerable.Range(0, 11).Select(i => NDArray.From(new float[] { i, i }, 2, 1)).ToArray();
        using var iter = new NDArrayIter(arrays, null, 1);
        Assert.Equal(["_0_data", "_10_data", "_1_data", "_2_data", "_3_data", "_4_data", "_5_data", "_6_data", "_7_data", "_8_data", "_9_data"], iter.ProvideData.Select(d => d.Name));
        Assert.Empty(iter.ProvideLabel);
    }

    [Fact]
    public async Task Tutorial_100By3_BatchesOf30_Pads00020()
    {
        using NDArray data = NDArray.From(Enumerable.Range(0, 300).Select(i => (float)i).ToArray(), 100, 3);
        using NDArray label = NDArray.From(Enumerable.Range(0, 100).Select(i => (float)i).ToArray(), 100);
        using var iter = new NDArrayIter(data, label, 30, shuffle: false);
        List<BatchCopy> epoch = await Batches.EpochAsync(iter);
        Assert.Equal([0, 0, 0, 20], epoch.Select(b => b.Pad));
        Assert.Equal("DataBatch: data shapes: [(30, 3)] label shapes: [(30,)]", epoch[0].Text);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (float)i), epoch[3].Label[0][10..]);

        iter.Reset();
        Assert.Equal([0, 0, 0, 20], (await Batches.EpochAsync(iter)).Select(b => b.Pad));
    }

    [Fact]
    public async Task Pad_TenSamplesBatch205_TilesTwentyTimesThenZeroToFour()
    {
        using NDArray data = NDArray.From(Enumerable.Range(0, 10).Select(i => (float)i).ToArray(), 10, 1);
        using var iter = new NDArrayIter(data, null, 205);
        BatchCopy batch = Assert.Single(await Batches.EpochAsync(iter));
        Assert.Equal(195, batch.Pad);
        Assert.Equal([.. Enumerable.Repeat(Enumerable.Range(0, 10), 20).SelectMany(x => x).Select(i => (float)i), 0, 1, 2, 3, 4], batch.Data[0]);
        Assert.Equal("DataBatch: data shapes: [(205, 1)] label shapes: None", batch.Text);
    }

    [Fact]
    public async Task Shuffle_KeepsDataWithLabelsAndFollowsIdx()
    {
        using NDArray data = NDArray.From(Enumerable.Range(0, 50).Select(i => (float)i).ToArray(), 50, 1);
        using NDArray label = NDArray.From(Enumerable.Range(0, 50).Select(i => (long)(i * 10)).ToArray(), 50);
        using var iter = new NDArrayIter(data, label, 8, shuffle: true, seed: 3);
        for (int epoch = 0; epoch < 2; epoch++)
        {
            int[] idx = [.. iter.Idx];
            Assert.NotEqual(Enumerable.Range(0, 50), idx);
            List<BatchCopy> batches = await Batches.EpochAsync(iter);
            float[] rows = batches.SelectMany(b => b.Data[0].Take(8 - b.Pad)).ToArray();
            Assert.Equal(idx.Select(i => (float)i), rows);
            Assert.All(batches, b => Assert.Equal(b.Data[0].Select(v => v * 10), b.Label[0]));
            Assert.Equal(DType.Int64, iter.ProvideLabel[0].DType);
            iter.Reset();
        }
    }

    [Fact]
    public async Task Shuffle_SameSeed_SameOrderEveryRun()
    {
        using NDArray data = NDArray.From(Enumerable.Range(0, 40).Select(i => (float)i).ToArray(), 40, 1);
        using var a = new NDArrayIter(data, null, 7, shuffle: true, seed: 42);
        using var b = new NDArrayIter(data, null, 7, shuffle: true, seed: 42);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            Assert.Equal(a.Idx, b.Idx);
            Assert.Equal((await Batches.EpochAsync(a)).SelectMany(x => x.Data[0]), (await Batches.EpochAsync(b)).SelectMany(x => x.Data[0]));
            a.Reset();
            b.Reset();
        }
    }

    [Fact]
    public void BadInput_FailsAtConstructionWithClearErrors()
    {
        using NDArray data = NDArray.Zeros(DType.Float32, 10, 2);
        using NDArray shortLabel = NDArray.Zeros(DType.Float32, 9);
        using NDArray empty = NDArray.Zeros(DType.Float32, 0, 2);
        Assert.Contains("softmax_label", Assert.Throws<ArgumentException>(() => new NDArrayIter(data, shortLabel, 2)).Message, StringComparison.Ordinal);
        Assert.Contains("no examples", Assert.Throws<ArgumentException>(() => new NDArrayIter(empty, null, 2)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new NDArrayIter(data, null, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NDArrayIter(data, null, -3));
        Assert.Throws<ArgumentException>(() => new NDArrayIter(Array.Empty<NDArray>(), null, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NDArrayIter(data, null, 2, lastBatchHandle: (LastBatchHandle)7));
    }

    [Fact]
    public async Task DType_IsPreserved()
    {
        using NDArray data = NDArray.From(new byte[] { 1, 2, 3, 4, 5, 6 }, 3, 2);
        using var iter = new NDArrayIter(data, null, 2, shuffle: true, seed: 1);
        Assert.Equal(DType.UInt8, iter.ProvideData[0].DType);
        DataBatch batch = (await iter.NextAsync())!;
        Assert.Equal(DType.UInt8, batch.Data[0].DType);
        batch.Dispose();
    }

    [Fact]
    public async Task Reset_MidEpoch_StartsFromTheBeginningAndDropsRollOver()
    {
        using NDArray data = NDArray.From(Enumerable.Range(0, 10).Select(i => (float)i).ToArray(), 10, 1);
        using var iter = new NDArrayIter(data, null, 4, lastBatchHandle: LastBatchHandle.RollOver);
        DataBatch first = (await iter.NextAsync())!;
        Assert.Equal([0f, 1, 2, 3], first.Data[0].ToArray<float>());
        first.Dispose();

        iter.Reset();
        List<BatchCopy> epoch = await Batches.EpochAsync(iter);
        Assert.Equal([0f, 1, 2, 3, 4, 5, 6, 7], epoch.SelectMany(b => b.Data[0]));
        iter.Reset();
        List<BatchCopy> next = await Batches.EpochAsync(iter);
        Assert.Equal([8f, 9, 0, 1], next[0].Data[0]);
    }

    [Property(MaxTest = 60)]
    public async Task Epochs_AnyNBHandleShuffle_MatchBatchPlanAndKeepRowsTogether(PositiveInt n, PositiveInt b, bool shuffle, int seed)
    {
        int numData = ((n.Get - 1) % 40) + 1;
        int batchSize = ((b.Get - 1) % 12) + 1;
        LastBatchHandle handle = (LastBatchHandle)(Math.Abs(seed % 3));
        using NDArray data = NDArray.From(Enumerable.Range(0, numData * 2).Select(i => (float)i).ToArray(), numData, 2);
        using NDArray label = NDArray.From(Enumerable.Range(0, numData).Select(i => (float)(i * 2)).ToArray(), numData);
        using var iter = new NDArrayIter(data, label, batchSize, shuffle, handle, seed: seed);
        int carried = 0;
        var stream = new List<float>();
        var seen = new List<float>();
        for (int epoch = 0; epoch < 3; epoch++)
        {
            int[] idx = [.. iter.Idx];
            List<BatchCopy> batches = await Batches.EpochAsync(iter);
            Assert.Equal(BatchPlan.BatchCount(numData, batchSize, handle, carried), batches.Count);
            foreach (BatchCopy batch in batches)
            {
                for (int i = 0; i < batchSize; i++) Assert.Equal(batch.Label[0][i], batch.Data[0][2 * i]);
            }

            float[] real = batches.SelectMany(x => x.Label[0].Take(batchSize - x.Pad)).ToArray();
            if (handle == LastBatchHandle.RollOver)
            {
                stream.AddRange(idx.Select(i => i * 2f));
                seen.AddRange(real);
            }
            else
            {
                Assert.Equal(idx.Select(i => i * 2f).Take(handle == LastBatchHandle.Pad ? numData : numData / batchSize * batchSize), real);
            }

            carried = BatchPlan.CarryOut(numData, batchSize, handle, carried);
            iter.Reset();
        }

        if (handle == LastBatchHandle.RollOver) Assert.Equal(stream.Take(stream.Count - carried), seen);
    }

    private static (NDArray Data, NDArray Label) TestIoData()
    {
        float[] data = new float[1000 * 4];
        float[] labels = new float[1000];
        for (int i = 0; i < 1000; i++)
        {
            data.AsSpan(i * 4, 4).Fill(i / 100);
            labels[i] = i / 100;
        }

        return (NDArray.From(data, 1000, 2, 2), NDArray.From(labels, 1000));
    }
}
