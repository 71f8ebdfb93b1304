using System.Runtime.ExceptionServices;
using System.Threading.Tasks.Dataflow;
using Pipeline.Core;

namespace Pipeline.Stages.Iterators;

/// <summary>The base of iterators built from Dataflow blocks: each epoch runs a bounded block graph whose last block yields batches.</summary>
/// <remarks>
/// <para>A subclass builds one epoch's graph in <see cref="StartEpoch"/> and returns its tail. The graph starts
/// producing at once (prefetch) and stays bounded by the blocks' capacities. A fault in any block reaches
/// <see cref="NextAsync"/> with the original exception.</para>
/// <para><see cref="Reset"/> stops the running epoch (its producer sees the token, queued batches are disposed),
/// then starts the next one from the beginning of its order.</para>
/// </remarks>
public abstract class DataflowIter : DataIter
{
    private ISourceBlock<DataBatch>? _tail;
    private CancellationTokenSource? _epochCancellation;
    private bool _disposed;
    private bool _epochEnded;

    /// <summary>Initializes the iterator.</summary>
    /// <param name="batchSize">The examples per batch.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    protected DataflowIter(int batchSize)
        : base(batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
    }

    /// <summary>Gets the zero-based number of the current epoch.</summary>
    public int Epoch { get; private set; }

    /// <inheritdoc />
    public override async ValueTask<DataBatch?> NextAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        ISourceBlock<DataBatch> tail = EnsureStarted();
        while (true)
        {
            if (tail is IReceivableSourceBlock<DataBatch> receivable && receivable.TryReceive(out DataBatch? batch))
            {
                return batch;
            }

            if (!await tail.OutputAvailableAsync(cancellationToken).ConfigureAwait(false))
            {
                await ThrowIfFaultedAsync(tail).ConfigureAwait(false);
                _epochEnded = true;
                return null;
            }

            if (tail is not IReceivableSourceBlock<DataBatch>)
            {
                return await tail.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    public override void Reset()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        StopEpoch();
        bool ended = _epochEnded;
        _epochEnded = false;
        Epoch++;
        OnReset(ended);
        EnsureStarted();
    }

    /// <summary>Builds and starts the block graph of one epoch.</summary>
    /// <param name="epoch">The zero-based epoch number (randomness derives from it).</param>
    /// <param name="cancellationToken">Signalled when the epoch is stopped early; the producer must stop and complete the graph.</param>
    /// <returns>The graph's last block; it completes after the epoch's last batch.</returns>
    protected abstract ISourceBlock<DataBatch> StartEpoch(int epoch, CancellationToken cancellationToken);

    /// <summary>Ends a graph with the prefetch stage: a bounded queue of <paramref name="depth"/> ready batches.</summary>
    /// <param name="batches">The block that makes the batches.</param>
    /// <param name="depth">How many batches to keep ready.</param>
    /// <returns>The graph's new last block.</returns>
    protected static ISourceBlock<DataBatch> Prefetched(ISourceBlock<DataBatch> batches, int depth)
    {
        ArgumentNullException.ThrowIfNull(batches);
        BufferBlock<DataBatch> prefetch = Blocks.PrefetchBlock.Create(depth);
        batches.LinkTo(prefetch, new DataflowLinkOptions { PropagateCompletion = true });
        return prefetch;
    }

    /// <summary>Called by <see cref="Reset"/> after the old epoch has stopped and before the next starts.</summary>
    /// <param name="epochEnded">Whether the consumer reached the end of the old epoch; if not, the reset abandons it midway.</param>
    protected virtual void OnReset(bool epochEnded)
    {
    }

    /// <summary>Starts the first epoch's graph now rather than on the first <see cref="NextAsync"/>; subclasses call it at the end of their constructors to prefetch.</summary>
    protected void StartPrefetch() => EnsureStarted();

    /// <summary>Stops the running epoch, if any, and waits for its graph to finish.</summary>
    protected void StopEpoch()
    {
        ISourceBlock<DataBatch>? tail = _tail;
        if (tail is null) return;
        _tail = null;
        _epochCancellation!.Cancel();

        // Drain rather than abandon: every batch the graph still makes is disposed, so pooled buffers go back.
        while (true)
        {
            DrainInto(tail);
            if (tail.Completion.IsCompleted) break;
            Task.WaitAny([tail.Completion, tail.OutputAvailableAsync()], TimeSpan.FromSeconds(30));
        }

        DrainInto(tail);
        _epochCancellation.Dispose();
        _epochCancellation = null;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (_disposed) return;
        _disposed = true;
        if (disposing) StopEpoch();
        base.Dispose(disposing);
    }

    private static void DrainInto(ISourceBlock<DataBatch> tail)
    {
        if (tail is IReceivableSourceBlock<DataBatch> receivable)
        {
            while (receivable.TryReceive(out DataBatch? batch)) batch.Dispose();
        }
    }

    private static async Task ThrowIfFaultedAsync(ISourceBlock<DataBatch> tail)
    {
        try
        {
            await tail.Completion.ConfigureAwait(false);
        }
        catch (Exception error)
        {
            // Completion propagated through linked blocks wraps the original in AggregateExceptions, and parallel
            // workers may fail together; surface the first original exception.
            Exception original = error is AggregateException aggregate ? aggregate.Flatten().InnerExceptions[0] : error;
            ExceptionDispatchInfo.Throw(original);
        }
    }

    private ISourceBlock<DataBatch> EnsureStarted()
    {
        if (_tail is not null) return _tail;
        _epochCancellation = new CancellationTokenSource();
        _tail = StartEpoch(Epoch, _epochCancellation.Token);
        return _tail;
    }
}
