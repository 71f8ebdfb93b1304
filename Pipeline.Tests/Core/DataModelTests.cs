using Pipeline.Core;
using Pipeline.Stages.Iterators;

namespace Pipeline.Tests.Core;

public sealed class DataModelTests
{
    [Theory]
    [InlineData(null, 0)]
    [InlineData("NCHW", 0)]
    [InlineData("TNC", 1)]
    [InlineData("NTC", 0)]
    [InlineData("CHW", -1)]
    public void GetBatchAxis_IsIndexOfN(string? layout, int expected) => Assert.Equal(expected, DataDesc.GetBatchAxis(layout));

    [Fact]
    public void DataDesc_EqualityIgnoresTypeAndLayoutButComparesShapeElements()
    {
        var a = new DataDesc("data", [25, 10]);
        var b = new DataDesc("data", [25, 10], DType.UInt8, "NTC");
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, new DataDesc("data", [25, 11]));
        Assert.NotEqual(a, new DataDesc("label", [25, 10]));
        Assert.Equal("DataDesc[data,(25, 10),float32,NCHW]", a.ToString());
        Assert.Equal(1, new DataDesc("x", [2, 3], Layout: "TNC").BatchAxis);
    }

    [Fact]
    public void DataBatch_ToString_MatchesMXNet()
    {
        using var batch = new DataBatch([NDArray.Zeros(DType.Float32, 2, 3)]);
        Assert.Equal("DataBatch: data shapes: [(2, 3)] label shapes: None", batch.ToString());
        using var labeled = new DataBatch([NDArray.Zeros(DType.Float32, 30, 3)], [NDArray.Zeros(DType.Float32, 30)], pad: 20);
        Assert.Equal("DataBatch: data shapes: [(30, 3)] label shapes: [(30,)]", labeled.ToString());
        Assert.Equal(20, labeled.Pad);
    }

    [Fact]
    public void DataBatch_Dispose_DisposesItsArrays()
    {
        NDArray data = NDArray.Zeros(DType.Float32, 2);
        NDArray label = NDArray.Zeros(DType.Float32, 2);
        var batch = new DataBatch([data], [label]);
        batch.Dispose();
        batch.Dispose();
        Assert.Throws<ObjectDisposedException>(() => data.AsSpan<float>());
        Assert.Throws<ObjectDisposedException>(() => label.AsSpan<float>());
    }

    [Fact]
    public void DataBatch_NegativePad_Throws() => Assert.Throws<ArgumentOutOfRangeException>(() => new DataBatch([], pad: -1));

    [Fact]
    public async Task DataIter_AwaitForeach_YieldsRestOfEpochAndDoesNotReset()
    {
        using var iter = new CountingIter(batches: 3);
        Assert.NotNull(iter.Next());
        int seen = 0;
        await foreach (DataBatch batch in iter)
        {
            using (batch) seen++;
        }

        Assert.Equal(2, seen);

        // A user's subclass does not report its resets, so the base cannot tell a finished epoch from an empty one: MXNet's empty loop.
        await foreach (DataBatch batch in iter)
        {
            Assert.Fail("A finished epoch yields nothing until Reset.");
        }

        iter.Reset();
        Assert.Equal(3, await CountAsync(iter));
    }

    [Fact]
    public async Task LibraryIterator_SecondLoopOverAFinishedEpoch_ThrowsSayingToReset()
    {
        using var iter = new NDArrayIter(NDArray.From(new float[] { 1, 2, 3, 4, 5, 6 }, 6, 1), batchSize: 2);
        Assert.Equal(3, await CountAsync(iter));

        // A second loop over the finished epoch would silently do nothing: it is an error that says what to do.
        InvalidOperationException ended = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (DataBatch batch in iter) batch.Dispose();
        });
        Assert.Contains("The epoch has ended: call Reset()", ended.Message, StringComparison.Ordinal);
        Assert.Null(iter.Next());

        iter.Reset();
        Assert.Equal(3, await CountAsync(iter));

        // A new epoch that is empty (roll-over carrying its only example) is a loop of nothing, not an error.
        using var rolling = new NDArrayIter(NDArray.From(new float[] { 1 }, 1, 1), batchSize: 2, lastBatchHandle: LastBatchHandle.RollOver);
        for (int epoch = 0; epoch < 4; epoch++)
        {
            Assert.Equal(epoch % 2, await CountAsync(rolling));
            rolling.Reset();
        }
    }

    [Fact]
    public async Task DataIter_TwoLoopsAtOnce_SecondThrowsInsteadOfSplittingTheBatches()
    {
        using var iter = new CountingIter(batches: 6);
        int seen = 0;
        await foreach (DataBatch batch in iter)
        {
            using (batch) seen++;
            if (seen == 2)
            {
                InvalidOperationException error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
                {
                    await foreach (DataBatch other in iter) other.Dispose();
                });
                Assert.Contains("already being enumerated", error.Message, StringComparison.Ordinal);
            }
        }

        Assert.Equal(6, seen);

        // A loop left early frees the iterator for the next one, which continues the epoch.
        iter.Reset();
        await foreach (DataBatch batch in iter)
        {
            batch.Dispose();
            break;
        }

        Assert.Equal(5, await CountAsync(iter));
    }

    [Fact]
    public async Task DataIter_ConfigureAwait_IsUnambiguousAndYieldsTheEpoch()
    {
        using var iter = new CountingIter(batches: 4);
        int seen = 0;
        await foreach (DataBatch batch in iter.ConfigureAwait(false))
        {
            using (batch) seen++;
        }

        Assert.Equal(4, seen);
    }

    [Fact]
    public async Task DataIter_AwaitForeach_HonoursCancellation()
    {
        using var iter = new CountingIter(batches: 100);
        using var cts = new CancellationTokenSource();
        int seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (DataBatch batch in iter.WithCancellation(cts.Token))
            {
                batch.Dispose();
                if (++seen == 5) await cts.CancelAsync();
            }
        });
        Assert.Equal(5, seen);
    }

    private static async Task<int> CountAsync(DataIter iter)
    {
        int count = 0;
        await foreach (DataBatch batch in iter)
        {
            batch.Dispose();
            count++;
        }

        return count;
    }

    /// <summary>The smallest custom iterator: a subclass that makes its batches itself.</summary>
    private sealed class CountingIter(int batches) : DataIter(batchSize: 2)
    {
        private int _produced;

        public override IReadOnlyList<DataDesc> ProvideData => [new DataDesc("data", [2, 1])];

        public override IReadOnlyList<DataDesc> ProvideLabel => [];

        public override ValueTask<DataBatch?> NextAsync(CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_produced == batches) return ValueTask.FromResult<DataBatch?>(null);
            _produced++;
            return ValueTask.FromResult<DataBatch?>(new DataBatch([NDArray.From(new float[] { _produced, _produced }, 2, 1)]));
        }

        public override void Reset() => _produced = 0;
    }
}
