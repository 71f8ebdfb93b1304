using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Pipeline.Core;
using Pipeline.Core.Batching;

namespace Pipeline.Tests.Core.Batching;

/// <summary>The batching semantics, pinned down by properties over random N, B, handle and epochs.</summary>
public sealed class BatchAssemblerTests
{
    [Property(MaxTest = 400)]
    public void Epochs_FollowThePlan_AndKeepEveryExampleExactlyOnce(PositiveInt n, PositiveInt b, LastBatchHandle handle, PositiveInt epochCount, int seed)
    {
        int numSamples = ((n.Get - 1) % 60) + 1;
        int batchSize = ((b.Get - 1) % 25) + 1;
        if (!Enum.IsDefined(handle)) return;
        int epochs = ((epochCount.Get - 1) % 4) + 1;
        var random = new Random(seed);
        using var assembler = NewAssembler(batchSize, handle);
        var stream = new List<int>();
        var emitted = new List<int>();
        int carried = 0;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            int[] order = Enumerable.Range(epoch * 1000, numSamples).ToArray();
            random.Shuffle(order);
            List<(int[] Rows, int Pad)> batches = RunEpoch(assembler, order, chunk: random.Next(1, batchSize + 2));

            Assert.Equal(BatchPlan.BatchCount(numSamples, batchSize, handle, carried), batches.Count);
            foreach ((int[] rows, int pad) in batches.SkipLast(1)) Assert.Equal(0, pad);
            if (batches.Count > 0) Assert.Equal(BatchPlan.LastPad(numSamples, batchSize, handle, carried), batches[^1].Pad);

            var real = batches.SelectMany(x => x.Rows.Take(batchSize - x.Pad)).ToList();
            switch (handle)
            {
                case LastBatchHandle.Pad:
                    Assert.Equal(order, real);
                    foreach ((int[] rows, int pad) in batches)
                    {
                        for (int k = 0; k < pad; k++) Assert.Equal(order[k % numSamples], rows[batchSize - pad + k]);
                    }

                    break;
                case LastBatchHandle.Discard:
                    Assert.Equal(order.Take(numSamples / batchSize * batchSize), real);
                    break;
                case LastBatchHandle.RollOver:
                    stream.AddRange(order);
                    emitted.AddRange(real);
                    break;
            }

            carried = BatchPlan.CarryOut(numSamples, batchSize, handle, carried);
            Assert.Equal(carried, assembler.Filled);
        }

        if (handle == LastBatchHandle.RollOver)
        {
            // Every example of every epoch is emitted exactly once, in order, except the ones still carried.
            Assert.Equal(stream.Take(stream.Count - carried), emitted);
        }
    }

    [Fact]
    public void Pad_TenSamplesBatch205_TilesTheDataTwentyTimesThenFive()
    {
        using var assembler = NewAssembler(205, LastBatchHandle.Pad);
        List<(int[] Rows, int Pad)> batches = RunEpoch(assembler, Enumerable.Range(0, 10).ToArray(), chunk: 7);
        (int[] rows, int pad) = Assert.Single(batches);
        Assert.Equal(195, pad);
        int[] expected = [.. Enumerable.Repeat(Enumerable.Range(0, 10), 20).SelectMany(x => x), .. Enumerable.Range(0, 5)];
        Assert.Equal(expected, rows);
    }

    [Fact]
    public void RollOver_HundredByThirty_MatchesTutorialTable()
    {
        using var assembler = NewAssembler(30, LastBatchHandle.RollOver);
        int[] order = Enumerable.Range(0, 100).ToArray();
        List<(int[] Rows, int Pad)> epoch1 = RunEpoch(assembler, order, 30);
        List<(int[] Rows, int Pad)> epoch2 = RunEpoch(assembler, order, 30);
        List<(int[] Rows, int Pad)> epoch3 = RunEpoch(assembler, order, 30);
        Assert.Equal(3, epoch1.Count);
        Assert.Equal(3, epoch2.Count);
        Assert.Equal([.. Enumerable.Range(90, 10), .. Enumerable.Range(0, 20)], epoch2[0].Rows);
        Assert.Equal(0, epoch2[0].Pad);
        Assert.Equal(4, epoch3.Count);
        Assert.Equal([.. Enumerable.Range(80, 20), .. Enumerable.Range(0, 10)], epoch3[0].Rows);
        Assert.All(epoch3, batch => Assert.Equal(0, batch.Pad));
    }

    [Fact]
    public void Reset_MidEpoch_DropsPartialBatchAndCarry()
    {
        using var assembler = NewAssembler(4, LastBatchHandle.RollOver);
        RunEpoch(assembler, [0, 1, 2, 3, 4, 5], 2);
        Assert.Equal(2, assembler.Filled);
        assembler.Reset();
        List<(int[] Rows, int Pad)> next = RunEpoch(assembler, [10, 11, 12, 13], 4);
        Assert.Equal([10, 11, 12, 13], Assert.Single(next).Rows);
    }

    [Fact]
    public void DisposedBatches_AreRecycled_AndReadAsDisposedWhileParked()
    {
        using BatchAssembler assembler = NewAssembler(2, LastBatchHandle.Pad);
        DataBatch first = Fill(assembler, 1);
        NDArray firstData = first.Data[0];
        first.Dispose();
        Assert.Throws<ObjectDisposedException>(() => firstData.AsSpan<int>());

        DataBatch second = Fill(assembler, 2);
        Assert.Same(first, second);
        Assert.Equal([2, -2, 3, -3], second.Data[0].ToArray<int>());
        Assert.Equal(0, second.Pad);

        // An array disposed by hand stops the batch from being recycled; nothing is handed out twice.
        second.Data[0].Dispose();
        second.Dispose();
        using DataBatch third = Fill(assembler, 4);
        Assert.NotSame(second, third);
    }

    [Fact]
    public void LeasedBatch_IsNotRecycled_AndTheLeaseKeepsItsExamples()
    {
        using BatchAssembler assembler = NewAssembler(2, LastBatchHandle.Pad);
        DataBatch first = Fill(assembler, 1);
        var lease = first.Data[0].Lease();
        first.Dispose();

        // Later batches are written into other buffers: the leased bytes still hold the first batch's examples.
        for (int start = 10; start < 50; start += 10)
        {
            using DataBatch next = Fill(assembler, start);
            Assert.NotSame(first, next);
            Assert.Equal([1, -1, 2, -2], System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(lease.Memory.Span).ToArray());
        }

        lease.Dispose();
    }

    private static DataBatch Fill(BatchAssembler assembler, int start)
    {
        DataBatch? batch = null;
        for (int i = 0; i < 2; i++)
        {
            Span<int> data = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(assembler.DataSlots(0, 1));
            data[0] = start + i;
            data[1] = -(start + i);
            assembler.LabelSlots(0, 1).Clear();
            batch = assembler.Commit(1);
        }

        return batch!;
    }

    [Fact]
    public void Constructor_BadShapes_Throw()
    {
        Assert.Throws<ArgumentException>(() => new BatchAssembler([], [], LastBatchHandle.Pad));
        Assert.Throws<ArgumentException>(() => new BatchAssembler([new DataDesc("data", [0, 3])], [], LastBatchHandle.Pad));
        Assert.Throws<ArgumentException>(() => new BatchAssembler([new DataDesc("data", [4, 3])], [new DataDesc("label", [5])], LastBatchHandle.Pad));
    }

    [Fact]
    public void BatchPlan_TestIoTable_1000By128()
    {
        Assert.Equal(8, BatchPlan.BatchCount(1000, 128, LastBatchHandle.Pad));
        Assert.Equal(24, BatchPlan.LastPad(1000, 128, LastBatchHandle.Pad));
        Assert.Equal(7, BatchPlan.BatchCount(1000, 128, LastBatchHandle.Discard));
        Assert.Equal(7, BatchPlan.BatchCount(1000, 128, LastBatchHandle.RollOver));
        Assert.Equal(104, BatchPlan.CarryOut(1000, 128, LastBatchHandle.RollOver));
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchPlan.BatchCount(10, 0, LastBatchHandle.Pad));
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchPlan.BatchCount(10, 4, LastBatchHandle.Pad, carried: 2));
    }

    internal static BatchAssembler NewAssembler(int batchSize, LastBatchHandle handle) =>
        new([new DataDesc("data", [batchSize, 2], DType.Int32)], [new DataDesc("softmax_label", [batchSize], DType.Int64)], handle);

    /// <summary>Feeds one epoch in chunks; data rows are (id, -id), labels 2*id; checks they stay together and returns the ids per batch.</summary>
    internal static List<(int[] Rows, int Pad)> RunEpoch(BatchAssembler assembler, int[] order, int chunk)
    {
        var batches = new List<DataBatch>();
        int at = 0;
        while (at < order.Length)
        {
            int count = Math.Min(Math.Min(chunk, assembler.FreeSlots), order.Length - at);
            Span<int> data = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(assembler.DataSlots(0, count));
            Span<long> label = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(assembler.LabelSlots(0, count));
            Span<long> index = assembler.IndexSlots(count);
            for (int i = 0; i < count; i++)
            {
                data[2 * i] = order[at + i];
                data[(2 * i) + 1] = -order[at + i];
                label[i] = 2L * order[at + i];
                index[i] = order[at + i];
            }

            at += count;
            if (assembler.Commit(count) is { } batch) batches.Add(batch);
        }

        if (assembler.CompleteEpoch() is { } last) batches.Add(last);
        var result = new List<(int[] Rows, int Pad)>();
        foreach (DataBatch batch in batches)
        {
            using (batch)
            {
                int[] values = batch.Data[0].ToArray<int>();
                long[] labels = batch.Label[0].ToArray<long>();
                int[] ids = new int[labels.Length];
                for (int i = 0; i < ids.Length; i++)
                {
                    ids[i] = values[2 * i];
                    Assert.Equal(-ids[i], values[(2 * i) + 1]);
                    Assert.Equal(2L * ids[i], labels[i]);
                    Assert.Equal(ids[i], batch.Index![i]);
                }

                result.Add((ids, batch.Pad));
            }
        }

        return result;
    }
}
