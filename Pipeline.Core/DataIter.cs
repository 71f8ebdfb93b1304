using System.Runtime.CompilerServices;

namespace Pipeline.Core;

/// <summary>The base of every iterator: produces the batches of one epoch, then <see langword="null"/> until <see cref="Reset"/>.</summary>
/// <remarks>
/// <para><c>await foreach</c> over an iterator yields the rest of the current epoch; it does not reset, so a
/// second loop without <see cref="Reset"/> yields nothing (as in MXNet, where the iterator is its own iterable).</para>
/// <para>Subclass it to write a custom iterator: implement <see cref="NextAsync"/>, <see cref="Reset"/>,
/// <see cref="ProvideData"/> and <see cref="ProvideLabel"/>.</para>
/// </remarks>
public abstract class DataIter : IAsyncEnumerable<DataBatch>, IAsyncDisposable, IDisposable
{
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

    /// <summary>Yields the remaining batches of the current epoch.</summary>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>An enumerator over the rest of the epoch.</returns>
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
        while (await NextAsync(cancellationToken).ConfigureAwait(false) is { } batch)
        {
            yield return batch;
        }
    }
}
