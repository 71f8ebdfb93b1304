using System.Runtime.CompilerServices;
using Pipeline.Core;
using Pipeline.Stages.ImagePipeline;
using Pipeline.Stages.Iterators;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Stages.Dataflow;

/// <summary>Teardown of Dataflow-built iterators: Reset and Dispose never block a thread; DisposeAsync waits for the graph and its producer, then releases.</summary>
public sealed class EpochRunnerTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Reset_WhileTheOldGraphIsStillWorking_ReturnsAtOnce_AndTheNextEpochStartsWhenItStops()
    {
        using var gate = new Gate();
        using SampleIter<int> iter = Numbers(gate);
        await gate.Entered.WaitAsync(s_timeout);

        // The batch stage is stuck inside the writer of epoch 0: a blocking Reset would wait for it forever.
        await Task.Run(iter.Reset).WaitAsync(s_timeout);

        Task<DataBatch?> next = iter.NextAsync().AsTask();
        gate.Release();
        using DataBatch? first = await next.WaitAsync(s_timeout);
        Assert.Equal([100f, 101f], first!.Data[0].ToArray<float>());
    }

    [Fact]
    public async Task Dispose_WhileTheGraphIsWorking_DoesNotBlock()
    {
        using var gate = new Gate();
        SampleIter<int> iter = Numbers(gate);
        await gate.Entered.WaitAsync(s_timeout);
        await Task.Run(iter.Dispose).WaitAsync(s_timeout);
        gate.Release();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => iter.NextAsync().AsTask());
    }

    [Fact]
    public async Task DisposeAsync_WaitsForTheProducerToLeaveTheSource_ThenReleasesIt()
    {
        using var gate = new Gate();
        var source = new StuckSource(gate);
        var iter = new ImagePipelineIter(new ImagePipelineOptions
        {
            Source = source,
            Layout = new SampleLayout { Channels = 3, Height = 8, Width = 8 },
            BatchSize = 1,
            Threads = 1,
        });
        await gate.Entered.WaitAsync(s_timeout);

        // The source ignores cancellation while it is inside a read: it must not be disposed under it.
        Task disposing = iter.DisposeAsync().AsTask();
        await Task.Delay(200);
        Assert.False(disposing.IsCompleted);
        Assert.False(source.Disposed);

        gate.Release();
        await disposing.WaitAsync(s_timeout);
        Assert.True(source.Disposed);
        Assert.True(source.LeftRead);
    }

    [Fact]
    public async Task ResetTwiceInARow_ThenIterate_GivesTheThirdEpochFromItsStart()
    {
        using var gate = new Gate();
        using SampleIter<int> iter = Numbers(gate);
        await gate.Entered.WaitAsync(s_timeout);
        iter.Reset();
        iter.Reset();
        gate.Release();
        List<BatchCopy> batches = await Batches.EpochAsync(iter);
        Assert.Equal([200f, 201f], batches[0].Data[0]);
        Assert.Equal(5, batches.Count);
    }

    /// <summary>Ten numbers per epoch (100 x epoch + i) in batches of 2; the writer of epoch 0 waits at its fourth sample.</summary>
    private static SampleIter<int> Numbers(Gate gate) => new(
        (epoch, _) => Range(epoch),
        [new DataDesc("data", [2], DType.Float32)],
        [],
        (sample, slot) =>
        {
            if (sample == 3) gate.Wait();
            slot.Data<float>()[0] = sample;
        });

    private static async IAsyncEnumerable<int> Range(int epoch)
    {
        for (int i = 0; i < 10; i++)
        {
            await Task.Yield();
            yield return (100 * epoch) + i;
        }
    }

    /// <summary>Lets a test hold a stage at a known point and release it.</summary>
    private sealed class Gate : IDisposable
    {
        private readonly ManualResetEventSlim _open = new();

        public SemaphoreSlim Entered { get; } = new(0);

        public void Wait()
        {
            Entered.Release();
            _open.Wait(TimeSpan.FromMinutes(1));
        }

        public void Release() => _open.Set();

        public void Dispose()
        {
            _open.Set();
            _open.Dispose();
            Entered.Dispose();
        }
    }

    /// <summary>A source whose first read blocks until the gate opens, ignoring cancellation.</summary>
    private sealed class StuckSource(Gate gate) : ImageRecordSource
    {
        public bool Disposed { get; private set; }

        public bool LeftRead { get; private set; }

        public override int? Count => null;

        public override async IAsyncEnumerable<RawImageRecord> ReadEpochAsync(int epoch, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            try
            {
                await Task.Run(gate.Wait, CancellationToken.None);
                Assert.False(Disposed);
                yield break;
            }
            finally
            {
                LeftRead = true;
            }
        }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
