using System.Runtime.CompilerServices;
using Pipeline.Core;
using Pipeline.Stages.Iterators;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Stages.Iterators;

/// <summary>ResizeIter, PrefetchingIter and custom iterators (a DataIter subclass, and one composed from blocks).</summary>
public sealed class CompositionTests
{
    [Fact]
    public async Task ResizeIter_SpansInnerEpochs()
    {
        using var iter = new ResizeIter(Rows(10, batchSize: 4), size: 5);
        List<BatchCopy> first = await Batches.EpochAsync(iter);
        Assert.Equal(5, first.Count);
        Assert.Equal([0f, 1, 2, 3], first[0].Data[0]);
        Assert.Equal([8f, 9, 0, 1], first[2].Data[0]);
        Assert.Equal(2, first[2].Pad);
        Assert.Equal([0f, 1, 2, 3], first[3].Data[0]);
        iter.Reset();
        List<BatchCopy> next = await Batches.EpochAsync(iter);
        Assert.Equal([0f, 1, 2, 3], next[0].Data[0]);
    }

    [Fact]
    public async Task ResizeIter_WithoutInternalReset_Continues()
    {
        using var iter = new ResizeIter(Rows(12, batchSize: 4), size: 2, resetInternal: false);
        await Batches.EpochAsync(iter);
        iter.Reset();
        List<BatchCopy> second = await Batches.EpochAsync(iter);
        Assert.Equal([8f, 9, 10, 11], second[0].Data[0]);
        Assert.Equal([0f, 1, 2, 3], second[1].Data[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ResizeIter(Rows(4, 2), -1));
    }

    [Fact]
    public async Task PrefetchingIter_JoinsSideBySideAndRenames()
    {
        using var iter = new PrefetchingIter(
            [Rows(10, 5), Rows(10, 5, offset: 100)],
            [new Dictionary<string, string> { ["data"] = "left" }, new Dictionary<string, string> { ["data"] = "right" }],
            [new Dictionary<string, string> { ["softmax_label"] = "left_label" }, new Dictionary<string, string> { ["softmax_label"] = "right_label" }]);
        Assert.Equal(["left", "right"], iter.ProvideData.Select(d => d.Name));
        Assert.Equal(["left_label", "right_label"], iter.ProvideLabel.Select(d => d.Name));
        Assert.Equal(5, iter.BatchSize);
        for (int epoch = 0; epoch < 2; epoch++)
        {
            List<BatchCopy> batches = await Batches.EpochAsync(iter);
            Assert.Equal(2, batches.Count);
            Assert.Equal([5f, 6, 7, 8, 9], batches[1].Data[0]);
            Assert.Equal([105f, 106, 107, 108, 109], batches[1].Data[1]);
            Assert.Equal(2, batches[1].Label.Length);
            iter.Reset();
        }
    }

    [Fact]
    public async Task PrefetchingIter_MismatchedLengths_Throws()
    {
        using var iter = new PrefetchingIter(Rows(10, 5), Rows(15, 5));
        using (DataBatch? first = await iter.NextAsync())
        {
            Assert.NotNull(first);
        }

        using (DataBatch? second = await iter.NextAsync())
        {
            Assert.NotNull(second);
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await iter.NextAsync());
        Assert.Contains("ended at different batches", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrefetchingIter_FailureInside_IsRethrownNotHung()
    {
        using var iter = new PrefetchingIter(Rows(10, 5), new SimpleIter(batchSize: 5, numBatches: 3, failAt: 1));
        (await iter.NextAsync())!.Dispose();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await iter.NextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("generator failed", error.Message);
    }

    [Fact]
    public async Task CustomSubclass_TutorialSimpleIter_Works()
    {
        using var iter = new SimpleIter(batchSize: 30, numBatches: 10);
        Assert.Equal([new DataDesc("data", [30, 100])], iter.ProvideData);
        List<BatchCopy> batches = await Batches.EpochAsync(iter);
        Assert.Equal(10, batches.Count);
        Assert.All(batches, b => Assert.All(b.Data[0], v => Assert.InRange(v, -1f, 1f)));
        Assert.All(batches, b => Assert.All(b.Label[0], v => Assert.InRange(v, 0f, 9f)));
        Assert.Equal("DataBatch: data shapes: [(30, 100)] label shapes: [(30,)]", batches[0].Text);
    }

    [Fact]
    public async Task ComposedFromBlocks_BatchesPadsAndPrefetches()
    {
        using var iter = new SampleIter<(float[] Features, int Label)>(
            (epoch, ct) => Generate(25, epoch, ct),
            [new DataDesc("data", [10, 3])],
            [new DataDesc("softmax_label", [10], DType.Int32)],
            (sample, slot) =>
            {
                sample.Features.CopyTo(slot.Data<float>());
                slot.Label<int>()[0] = sample.Label;
            });
        List<BatchCopy> batches = await Batches.EpochAsync(iter);
        Assert.Equal([0, 0, 5], batches.Select(b => b.Pad));
        Assert.Equal([20f, 20, 20, 21, 21, 21], batches[2].Data[0][..6]);
        Assert.Equal([0f, 1, 2, 3, 4], batches[2].Label[0][5..]);
        iter.Reset();
        Assert.Equal(1000f, (await Batches.EpochAsync(iter))[0].Data[0][0]);
    }

    [Fact]
    public async Task ComposedFromBlocks_SourceFailure_ReachesAwaitForeach()
    {
        using var iter = new SampleIter<int>(
            (epoch, ct) => Failing(ct),
            [new DataDesc("data", [4, 1], DType.Int32)],
            [],
            (sample, slot) => slot.Data<int>()[0] = sample);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Batches.EpochAsync(iter));
        Assert.Equal("bad sample 6", error.Message);
    }

    [Fact]
    public async Task ComposedFromBlocks_WrongElementType_Throws()
    {
        using var iter = new SampleIter<int>(
            (epoch, ct) => Generate(3, epoch, ct).Select(s => s.Label),
            [new DataDesc("data", [4, 1], DType.Int32)],
            [],
            (sample, slot) => slot.Data<float>()[0] = sample);
        await Assert.ThrowsAsync<InvalidOperationException>(() => Batches.EpochAsync(iter));
    }

    [Fact]
    public async Task Cancellation_And_DisposalMidEpoch_AreQuick()
    {
        var iter = new SampleIter<(float[] Features, int Label)>(
            (epoch, ct) => Generate(1_000_000, epoch, ct),
            [new DataDesc("data", [10, 3])],
            [],
            (sample, slot) => sample.Features.CopyTo(slot.Data<float>()));
        using var cts = new CancellationTokenSource();
        (await iter.NextAsync(cts.Token))!.Dispose();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await iter.NextAsync(cts.Token));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await iter.DisposeAsync();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"Disposal took {watch.Elapsed}.");
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await iter.NextAsync());
    }

    [Fact]
    public async Task PrefetchingIter_ResetWhileAFetchIsStuck_ReturnsAtOnce_AndTheNextEpochFollows()
    {
        using var open = new ManualResetEventSlim();
        using var stuck = new SemaphoreSlim(0);
        var slow = new SampleIter<int>(
            (epoch, _) => Numbers(epoch),
            [new DataDesc("data", [1])],
            [],
            (sample, slot) =>
            {
                if (sample == 1)
                {
                    stuck.Release();
                    open.Wait(TimeSpan.FromMinutes(1));
                }

                slot.Data<float>()[0] = sample;
            },
            prefetch: 1);
        using var iter = new PrefetchingIter(slow);
        (await iter.NextAsync())!.Dispose();
        await stuck.WaitAsync(TimeSpan.FromSeconds(20));

        // The wrapped iterator's fetch is inside the stuck writer: a Reset that waited for it would never return.
        await Task.Run(iter.Reset).WaitAsync(TimeSpan.FromSeconds(20));
        Task<DataBatch?> next = iter.NextAsync().AsTask();
        open.Set();
        using DataBatch? first = await next.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal([100f], first!.Data[0].ToArray<float>());
    }

    private static async IAsyncEnumerable<int> Numbers(int epoch)
    {
        for (int i = 0; i < 4; i++)
        {
            await Task.Yield();
            yield return (100 * epoch) + i;
        }
    }

    private static NDArrayIter Rows(int count, int batchSize, int offset = 0) =>
        new(NDArray.From(Enumerable.Range(offset, count).Select(i => (float)i).ToArray(), count), NDArray.From(new float[count], count), batchSize);

    private static async IAsyncEnumerable<(float[] Features, int Label)> Generate(int count, int epoch, [EnumeratorCancellation] CancellationToken ct)
    {
        for (int i = 0; i < count; i++)
        {
            ct.ThrowIfCancellationRequested();
            float value = (epoch * 1000) + i;
            yield return ([value, value, value], i);
        }

        await Task.CompletedTask;
    }

    private static async IAsyncEnumerable<int> Failing([EnumeratorCancellation] CancellationToken ct)
    {
        for (int i = 0; i < 6; i++) yield return i;
        await Task.Yield();
        ct.ThrowIfCancellationRequested();
        throw new InvalidDataException("bad sample 6");
    }

    /// <summary>The tutorial's SimpleIter: a DataIter subclass whose batches come from generator functions.</summary>
    private sealed class SimpleIter(int batchSize, int numBatches, int failAt = -1) : DataIter(batchSize)
    {
        private readonly Random _random = new(1);
        private int _current;

        public override IReadOnlyList<DataDesc> ProvideData => [new DataDesc("data", [BatchSize, 100])];

        public override IReadOnlyList<DataDesc> ProvideLabel => [new DataDesc("softmax_label", [BatchSize])];

        public override ValueTask<DataBatch?> NextAsync(CancellationToken cancellationToken = default)
        {
            if (_current == numBatches) return ValueTask.FromResult<DataBatch?>(null);
            if (_current++ == failAt) throw new InvalidOperationException("generator failed");
            float[] data = new float[BatchSize * 100];
            for (int i = 0; i < data.Length; i++) data[i] = (float)((_random.NextDouble() * 2) - 1);
            float[] label = new float[BatchSize];
            for (int i = 0; i < label.Length; i++) label[i] = _random.Next(0, 10);
            return ValueTask.FromResult<DataBatch?>(new DataBatch([NDArray.From(data, BatchSize, 100)], [NDArray.From(label, BatchSize)]));
        }

        public override void Reset() => _current = 0;
    }
}
