using System.Runtime.ExceptionServices;
using System.Threading.Tasks.Dataflow;
using Pipeline.Core;

namespace Pipeline.Stages.Dataflow;

/// <summary>Runs the epochs of an iterator built from Dataflow blocks: one bounded block graph per epoch, whose last block yields the batches.</summary>
/// <remarks>
/// <para>The owner builds an epoch's graph in its <c>startEpoch</c> callback and returns the tail. The graph starts
/// producing at once (prefetch) and stays bounded by its blocks' capacities. A fault in any block reaches
/// <see cref="NextAsync"/> as the original exception.</para>
/// <para>Teardown never blocks a thread. <see cref="Reset"/> cancels the running graph and returns; the next epoch's
/// graph starts as soon as the old one has drained (its undelivered batches are disposed, so pooled buffers go back),
/// and <see cref="NextAsync"/> awaits that start. <see cref="DisposeAsync"/> awaits the same and then releases the
/// owner's resources; <see cref="Dispose"/> does the release when the graph has stopped, without waiting for it.</para>
/// <para>Not thread-safe, like the iterators it serves: one consumer calls it.</para>
/// </remarks>
internal sealed class EpochRunner
{
    private readonly object _owner;
    private readonly Func<int, CancellationToken, EpochGraph> _startEpoch;
    private readonly Action<bool>? _onReset;
    private readonly Action? _release;
    private ISourceBlock<DataBatch>? _tail;
    private Task? _producer;
    private CancellationTokenSource? _cancellation;
    private Task? _restart;
    private bool _epochEnded;
    private bool _restoredEnded;
    private bool _disposed;

    /// <summary>Initializes the runner; no graph starts until <see cref="Start"/> or the first <see cref="NextAsync"/>.</summary>
    /// <param name="owner">The iterator, named by <see cref="ObjectDisposedException"/>.</param>
    /// <param name="startEpoch">Builds and starts the graph of an epoch (zero-based) and returns its tail and producer; the token stops the epoch early.</param>
    /// <param name="onReset">Runs after an old epoch's graph has stopped and before the next starts; the argument says whether the consumer reached the old epoch's end.</param>
    /// <param name="release">Releases the owner's resources (files, batch buffers) once no graph runs any more.</param>
    public EpochRunner(object owner, Func<int, CancellationToken, EpochGraph> startEpoch, Action<bool>? onReset = null, Action? release = null)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(startEpoch);
        _owner = owner;
        (owner as DataIter)?.ReportsEpochRestarts();
        _startEpoch = startEpoch;
        _onReset = onReset;
        _release = release;
    }

    /// <summary>Gets the zero-based number of the current epoch (randomness derives from it).</summary>
    public int Epoch { get; private set; }

    /// <summary>Gets the number of batches of the current epoch returned to the consumer (the position an <see cref="IteratorState"/> saves).</summary>
    public int Delivered { get; private set; }

    /// <summary>Gets the batch of the current epoch its graph starts at: 0, or the position a restore moved to.</summary>
    /// <remarks>The owner's <c>startEpoch</c> reads it to seek its source.</remarks>
    public int StartBatch { get; private set; }

    /// <summary>Gets whether the consumer has seen the end of the current epoch (a <see langword="null"/> batch).</summary>
    public bool EpochEnded => _epochEnded;

    /// <summary>Starts the current epoch's graph now rather than on the first <see cref="NextAsync"/> (prefetch).</summary>
    public void Start() => EnsureStarted();

    /// <summary>Receives the epoch's next batch.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The batch, or <see langword="null"/> at the end of the epoch.</returns>
    /// <exception cref="ObjectDisposedException">The owner has been disposed.</exception>
    public async ValueTask<DataBatch?> NextAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, _owner);
        cancellationToken.ThrowIfCancellationRequested();
        if (_restart is { } restart)
        {
            // Until it has succeeded the restart stays pending: a failed start fails every call until the next Reset.
            await restart.WaitAsync(cancellationToken).ConfigureAwait(false);
            _restart = null;
        }

        // A state restored at the end of an epoch has no graph: the epoch is over until the next Reset.
        if (_restoredEnded) return null;
        ISourceBlock<DataBatch> tail = EnsureStarted();
        while (true)
        {
            if (tail is IReceivableSourceBlock<DataBatch> receivable && receivable.TryReceive(out DataBatch? batch))
            {
                Delivered++;
                batch.OnDelivered();
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
                DataBatch received = await tail.ReceiveAsync(cancellationToken).ConfigureAwait(false);
                Delivered++;
                received.OnDelivered();
                return received;
            }
        }
    }

    /// <summary>Stops the running epoch and starts the next one from the beginning of its order, without waiting for the old graph.</summary>
    /// <exception cref="ObjectDisposedException">The owner has been disposed.</exception>
    public void Reset()
    {
        ObjectDisposedException.ThrowIf(_disposed, _owner);
        (_owner as DataIter)?.EpochRestarted();
        Task stopped = StopAsync();
        bool ended = _epochEnded;
        _epochEnded = false;
        _restoredEnded = false;
        Epoch++;
        Delivered = 0;
        StartBatch = 0;
        if (stopped.IsCompleted)
        {
            _onReset?.Invoke(ended);
            EnsureStarted();
            return;
        }

        _restart = RestartAsync(stopped, ended, _onReset);
    }

    /// <summary>Stops the running epoch and moves to a saved position: epoch <paramref name="epoch"/> after <paramref name="delivered"/> batches.</summary>
    /// <param name="epoch">The zero-based epoch.</param>
    /// <param name="delivered">The batches of that epoch the consumer had received.</param>
    /// <param name="ended">Whether the consumer had seen the epoch's end; then no graph runs until <see cref="Reset"/>.</param>
    /// <param name="onStopped">Runs once the old graph has stopped and before the new one starts (the owner resets its assembler and seeks).</param>
    /// <exception cref="ObjectDisposedException">The owner has been disposed.</exception>
    public void Restore(int epoch, int delivered, bool ended, Action onStopped)
    {
        ObjectDisposedException.ThrowIf(_disposed, _owner);
        (_owner as DataIter)?.EpochRestarted();
        ArgumentNullException.ThrowIfNull(onStopped);
        Task stopped = StopAsync();
        Epoch = epoch;
        Delivered = delivered;
        StartBatch = delivered;
        _epochEnded = ended;
        _restoredEnded = ended;
        Action<bool> restart = _ => onStopped();
        if (stopped.IsCompleted)
        {
            onStopped();
            if (!ended) EnsureStarted();
            return;
        }

        _restart = RestartAsync(stopped, ended, restart, startGraph: !ended);
    }

    /// <summary>Stops the running epoch, waits for its graph to drain, and releases the owner's resources.</summary>
    /// <returns>A task that completes when everything is released.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        await StopAsync().ConfigureAwait(false);
        _release?.Invoke();
    }

    /// <summary>Stops the running epoch and releases the owner's resources once its graph has drained, without blocking the caller.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Task stopped = StopAsync();
        if (stopped.IsCompleted)
        {
            _release?.Invoke();
            return;
        }

        // Cancellation makes the graph stop promptly; its blocks may still be writing into the owner's buffers until then.
        _ = stopped.ContinueWith(_ => _release?.Invoke(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task RestartAsync(Task stopped, bool ended, Action<bool>? beforeStart, bool startGraph = true)
    {
        await stopped.ConfigureAwait(false);
        if (_disposed) return;
        beforeStart?.Invoke(ended);
        if (startGraph) EnsureStarted();
    }

    /// <summary>Cancels the running graph (after a pending restart, if any) and returns a task that completes once it has drained; it never faults.</summary>
    private Task StopAsync()
    {
        Task? restart = _restart;
        _restart = null;
        return restart is null ? StopCurrent() : StopAfterRestartAsync(restart);
    }

    private async Task StopAfterRestartAsync(Task restart)
    {
        // A restart that failed started no graph; its error belonged to the epoch being abandoned.
        await restart.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await StopCurrent().ConfigureAwait(false);
    }

    private Task StopCurrent()
    {
        ISourceBlock<DataBatch>? tail = _tail;
        Task? producer = _producer;
        CancellationTokenSource? cancellation = _cancellation;
        if (tail is null || producer is null || cancellation is null) return Task.CompletedTask;
        _tail = null;
        _producer = null;
        _cancellation = null;
        cancellation.Cancel();
        DrainInto(tail);
        if (!tail.Completion.IsCompleted || !producer.IsCompleted) return DrainAsync(tail, producer, cancellation);
        cancellation.Dispose();
        return Task.CompletedTask;
    }

    private static async Task DrainAsync(ISourceBlock<DataBatch> tail, Task producer, CancellationTokenSource cancellation)
    {
        // Drain rather than abandon: every batch the graph still makes is disposed, so pooled buffers go back.
        while (await tail.OutputAvailableAsync().ConfigureAwait(false)) DrainInto(tail);
        DrainInto(tail);

        // The abandoned epoch's failure, if any, is nobody's to see. The producer may still be inside the source:
        // the epoch has stopped (and the source may be reused or released) only once it has returned.
        await tail.Completion.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await producer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        cancellation.Dispose();
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
        var cancellation = new CancellationTokenSource();
        (ISourceBlock<DataBatch> tail, Task producer) = _startEpoch(Epoch, cancellation.Token);
        _tail = tail;
        _producer = producer;
        _cancellation = cancellation;
        return tail;
    }
}
