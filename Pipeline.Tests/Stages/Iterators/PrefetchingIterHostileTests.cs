using Pipeline.Core;
using Pipeline.Stages.Iterators;

namespace Pipeline.Tests.Stages.Iterators;

/// <summary>PrefetchingIter under cancellation and disposal: cancellation wins over a ready batch, disposal cancels then waits, use after disposal is refused.</summary>
public sealed class PrefetchingIterHostileTests
{
    [Fact]
    public async Task NextAsync_WithACancelledToken_ThrowsEvenWhenABatchIsReady()
    {
        using var iter = new PrefetchingIter(Rows(40));
        using (DataBatch? first = await iter.NextAsync()) Assert.NotNull(first);

        // Let the next batch arrive, so that it is ready when the cancelled call comes.
        await Task.Delay(100);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await iter.NextAsync(cancelled.Token));

        // The batch was not lost: the next call without a cancelled token gets it.
        using DataBatch? second = await iter.NextAsync();
        Assert.Equal(4f, second!.Data[0].ToArray<float>()[0]);
    }

    [Fact]
    public async Task DisposeAsync_WhileAWrappedIteratorWaitsForever_CancelsItAndCompletes()
    {
        var stuck = new StuckIter();
        var iter = new PrefetchingIter(stuck);
        await stuck.Waiting.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await iter.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(stuck.Disposed);
        Assert.True(stuck.Cancelled);
    }

    [Fact]
    public async Task Dispose_WhileAWrappedIteratorWaitsForever_DisposesItOnceItStops()
    {
        var stuck = new StuckIter();
        var iter = new PrefetchingIter(stuck);
        await stuck.Waiting.Task.WaitAsync(TimeSpan.FromSeconds(10));
        iter.Dispose();
        await stuck.DisposedTask.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(stuck.Cancelled);
    }

    [Fact]
    public async Task UseAfterDispose_IsObjectDisposedException()
    {
        var iter = new PrefetchingIter(Rows(10));
        iter.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await iter.NextAsync());
        Assert.Throws<ObjectDisposedException>(iter.Reset);

        var other = new PrefetchingIter(Rows(10));
        await other.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await other.NextAsync());
    }

    private static NDArrayIter Rows(int count)
    {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) values[i] = i;
        return new NDArrayIter(NDArray.From(values, count, 1), batchSize: 4);
    }

    /// <summary>An iterator whose source never answers: its fetch waits until it is cancelled.</summary>
    private sealed class StuckIter() : DataIter(batchSize: 1)
    {
        public TaskCompletionSource Waiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource DisposedTask { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Cancelled { get; private set; }

        public bool Disposed { get; private set; }

        public override IReadOnlyList<DataDesc> ProvideData => [new DataDesc("data", [1, 1])];

        public override IReadOnlyList<DataDesc> ProvideLabel => [];

        public override async ValueTask<DataBatch?> NextAsync(CancellationToken cancellationToken = default)
        {
            Waiting.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Cancelled = true;
                throw;
            }

            return null;
        }

        public override void Reset()
        {
        }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            DisposedTask.TrySetResult();
            base.Dispose(disposing);
        }
    }
}
