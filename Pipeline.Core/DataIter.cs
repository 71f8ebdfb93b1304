using System.Runtime.CompilerServices;

namespace Pipeline.Core;

/// <summary>The base of every iterator: produces the batches of one epoch, then <see langword="null"/> until <see cref="Reset"/>.</summary>
/// <remarks>
/// <para><c>await foreach</c> over an iterator yields the rest of the current epoch; it does not reset. A second loop
/// over an epoch a loop has finished, without <see cref="Reset"/>, throws <see cref="InvalidOperationException"/> (MXNet's
/// silently yields nothing), and so does a loop started while another is still enumerating the same iterator (the two
/// would split the batches between them). <see cref="Next"/> after the end keeps returning <see langword="null"/>.</para>
/// <para>Subclass it to write a custom iterator: implement <see cref="NextAsync"/>, <see cref="Reset"/>,
/// <see cref="ProvideData"/> and <see cref="ProvideLabel"/>.</para>
/// </remarks>
public abstract class DataIter : IAsyncEnumerable<DataBatch>, IAsyncDisposable, IDisposable
{
    // Loops over the iterator: one at a time, and whether the last one ran to the end of its epoch. Only an iterator that
    // reports its epoch restarts (the library's own) can tell a loop over a finished epoch from one over a new, empty epoch;
    // a user's subclass keeps MXNet's silent empty loop.
    private int _enumerating;
    private bool _endSeen;
    private bool _reportsRestarts;

    /// <summary>Initializes the iterator.</summary>
    /// <param name="batchSize">The number of examples per batch.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is negative.</exception>
    protected DataIter(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batchSize);
        BatchSize = batchSize;
    }

    /// <summary>Gets the number of examples per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Gets the name, shape and type of each data array of a batch.</summary>
    public abstract IReadOnlyList<DataDesc> ProvideData { get; }

    /// <summary>Gets the name, shape and type of each label array of a batch (empty when unlabeled).</summary>
    public abstract IReadOnlyList<DataDesc> ProvideLabel { get; }

    /// <summary>Produces the next batch of the epoch.</summary>
    /// <param name="cancellationToken">Cancels the wait for the batch.</param>
    /// <returns>The next batch, or <see langword="null"/> at the end of the epoch. The caller disposes it.</returns>
    public abstract ValueTask<DataBatch?> NextAsync(CancellationToken cancellationToken = default);

    /// <summary>Produces the next batch of the epoch, blocking until it is ready.</summary>
    /// <returns>The next batch, or <see langword="null"/> at the end of the epoch. The caller disposes it.</returns>
    public DataBatch? Next()
    {
        ValueTask<DataBatch?> next = NextAsync();
        return next.IsCompletedSuccessfully ? next.Result : next.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Starts the next epoch from the beginning of its order.</summary>
    public abstract void Reset();

    /// <summary>Gets the number of batches the current epoch yields, or <see langword="null"/> where it is not known in advance (a stream whose length is found by reading it).</summary>
    public virtual int? BatchesPerEpoch => null;

    /// <summary>Captures the position after the last batch returned to the consumer, as a small token.</summary>
    /// <returns>The state; <see cref="RestoreState"/> on an iterator with equal options resumes from it, in this or another process.</returns>
    /// <remarks>Batches prefetched but not yet returned are not part of the position. Thread count and prefetch depth are not
    /// part of the state: the iterator that restores it may use others.</remarks>
    /// <exception cref="NotSupportedException">This iterator cannot save its position (the base implementation).</exception>
    public virtual IteratorState SaveState() =>
        throw new NotSupportedException($"{GetType().FullName} cannot save its position: it does not override DataIter.SaveState.");

    /// <summary>Moves the iterator to a position <see cref="SaveState"/> captured: the next batch is the one an uninterrupted run would have returned next, bit for bit.</summary>
    /// <param name="state">The state, saved by an iterator of the same kind over the same data with the same stream-changing options.</param>
    /// <remarks>Works before or after the iterator has started. It seeks; the examples before the position are never read again.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException">The state belongs to another kind of iterator, another data set or other options; the message names what differs.</exception>
    /// <exception cref="NotSupportedException">This iterator cannot restore a position (the base implementation).</exception>
    public virtual void RestoreState(IteratorState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        throw new NotSupportedException($"{GetType().FullName} cannot restore a position: it does not override DataIter.RestoreState.");
    }

    /// <summary>Declares that this iterator calls <see cref="EpochRestarted"/> whenever a new epoch starts (reset or restore).</summary>
    internal void ReportsEpochRestarts() => _reportsRestarts = true;

    /// <summary>A new epoch starts: the next loop enumerates it, even when it turns out empty.</summary>
    internal void EpochRestarted() => _endSeen = false;

    /// <summary>Yields the remaining batches of the current epoch.</summary>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>An enumerator over the rest of the epoch.</returns>
    /// <exception cref="InvalidOperationException">On the first move: a loop has already finished this epoch (call <see cref="Reset"/>),
    /// or another loop is enumerating this iterator.</exception>
    public IAsyncEnumerator<DataBatch> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        RemainingBatchesAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);

    /// <summary>Configures how <c>await foreach</c> resumes; resolves the ambiguity between the <see cref="IAsyncEnumerable{T}"/> and <see cref="IAsyncDisposable"/> extension methods.</summary>
    /// <param name="continueOnCapturedContext">Whether to resume on the captured synchronization context.</param>
    /// <returns>The configured enumerable.</returns>
    public ConfiguredCancelableAsyncEnumerable<DataBatch> ConfigureAwait(bool continueOnCapturedContext) =>
        TaskAsyncEnumerableExtensions.ConfigureAwait<DataBatch>(this, continueOnCapturedContext);

    /// <summary>Releases the iterator's resources (background work, files, pooled buffers).</summary>
    /// <returns>A task that completes when everything is released.</returns>
    public async ValueTask DisposeAsync()
    {
        await DisposeAsyncCore().ConfigureAwait(false);
        Dispose(disposing: false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the iterator's resources.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases resources; override to stop background work and close files.</summary>
    /// <param name="disposing"><see langword="true"/> from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>Releases resources asynchronously; the default calls <see cref="Dispose(bool)"/> with <see langword="true"/>.</summary>
    /// <returns>A task that completes when everything is released.</returns>
    protected virtual ValueTask DisposeAsyncCore()
    {
        Dispose(disposing: true);
        return ValueTask.CompletedTask;
    }

    private async IAsyncEnumerable<DataBatch> RemainingBatchesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _enumerating, 1) != 0)
        {
            throw new InvalidOperationException($"This {GetType().Name} is already being enumerated: two loops at once would split its batches between them. Finish or leave the first loop, or use one iterator per loop.");
        }

        try
        {
            DataBatch? batch = await NextAsync(cancellationToken).ConfigureAwait(false);

            // The end again, right after a loop saw it: without Reset the loop would silently do nothing.
            if (batch is null && _endSeen && _reportsRestarts) throw new InvalidOperationException($"The epoch has ended: call Reset() on the {GetType().Name} before enumerating it again.");
            while (batch is not null)
            {
                _endSeen = false;
                yield return batch;
                batch = await NextAsync(cancellationToken).ConfigureAwait(false);
            }

            _endSeen = true;
        }
        finally
        {
            Volatile.Write(ref _enumerating, 0);
        }
    }
}
