using Pipeline.Core;

namespace Pipeline.Stages.Iterators;

/// <summary>Reads several iterators side by side, each one batch ahead on its own task, and joins their batches, as MXNet's <c>mx.io.PrefetchingIter</c>.</summary>
/// <remarks>
/// <para>A joined batch holds every iterator's data arrays, then every iterator's label arrays, in iterator order,
/// with the pad and index of the first. Rename maps give inputs new names (a name missing from a map keeps its
/// own, where MXNet raises).</para>
/// <para>Differences from MXNet: a failure inside a wrapped iterator is rethrown from <see cref="NextAsync"/>
/// (MXNet's thread dies and the consumer hangs); iterators that end at different batches, or disagree on pad,
/// raise <see cref="InvalidOperationException"/> naming them.</para>
/// </remarks>
public sealed class PrefetchingIter : DataIter
{
    private readonly DataIter[] _iters;

    // Cancels the wrapped iterators' fetches in flight when this iterator is disposed: a fetch may wait forever otherwise.
    private readonly CancellationTokenSource _stop = new();
    private bool _disposed;
    private Task<DataBatch?>[]? _pending;
    private Task? _restart;
    private bool _ended;
    private IteratorState[]? _snapshot;
    private NotSupportedException? _snapshotError;

    /// <summary>Wraps iterators, keeping their names.</summary>
    /// <param name="iters">The iterators (at least one); disposing this one disposes them.</param>
    /// <exception cref="ArgumentException">No iterator was given.</exception>
    public PrefetchingIter(params DataIter[] iters)
        : this(iters, renameData: null, renameLabel: null)
    {
    }

    /// <summary>Wraps iterators and renames their inputs.</summary>
    /// <param name="iters">The iterators (at least one); disposing this one disposes them.</param>
    /// <param name="renameData">One map per iterator from data name to new name, or <see langword="null"/>.</param>
    /// <param name="renameLabel">One map per iterator from label name to new name, or <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">No iterator was given, or a rename list does not have one map per iterator.</exception>
    public PrefetchingIter(IReadOnlyList<DataIter> iters, IReadOnlyList<IReadOnlyDictionary<string, string>>? renameData, IReadOnlyList<IReadOnlyDictionary<string, string>>? renameLabel)
        : base(FirstBatchSize(iters))
    {
        _iters = [.. iters];
        ProvideData = Rename(_iters, i => i.ProvideData, renameData, nameof(renameData));
        ProvideLabel = Rename(_iters, i => i.ProvideLabel, renameLabel, nameof(renameLabel));
        ReportsEpochRestarts();
        StartFetch();
    }

    /// <inheritdoc />
    public override IReadOnlyList<DataDesc> ProvideData { get; }

    /// <inheritdoc />
    public override IReadOnlyList<DataDesc> ProvideLabel { get; }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The iterators end at different batches or disagree on pad.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> is cancelled, even when a batch is ready.</exception>
    /// <exception cref="ObjectDisposedException">The iterator has been disposed.</exception>
    public override async ValueTask<DataBatch?> NextAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);

        // Cancellation wins over a batch that is already waiting: a cancelled caller gets no more batches.
        cancellationToken.ThrowIfCancellationRequested();
        if (_ended) return null;
        if (_restart is { } restart)
        {
            await restart.WaitAsync(cancellationToken).ConfigureAwait(false);
            _restart = null;
        }

        Task<DataBatch?>[] pending = _pending!;
        try
        {
            await Task.WhenAll(pending).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch
        {
            DisposeFetched(pending);
            _ended = true;

            // Rethrow the first wrapped iterator's own exception, not the WhenAll wrapper.
            await Array.Find(pending, t => !t.IsCompletedSuccessfully)!.ConfigureAwait(false);
            throw;
        }

        DataBatch?[] batches = Array.ConvertAll(pending, t => t.Result);
        int ended = Array.FindAll(batches, b => b is null).Length;
        if (ended == batches.Length)
        {
            _ended = true;
            return null;
        }

        if (ended != 0 || Array.Exists(batches, b => b!.Pad != batches[0]!.Pad))
        {
            DisposeFetched(pending);
            _ended = true;
            throw new InvalidOperationException(ended != 0
                ? $"The iterators ended at different batches: iterator(s) {string.Join(", ", Enumerable.Range(0, batches.Length).Where(i => batches[i] is null))} ended first."
                : $"The iterators disagree on pad: {string.Join(", ", batches.Select(b => b!.Pad))}.");
        }

        var data = new List<NDArray>();
        var label = new List<NDArray>();
        var sparseData = new List<CsrNDArray>();
        var sparseLabel = new List<CsrNDArray>();
        int? bucketKey = null;
        bool ownShapes = false;
        foreach (DataBatch? batch in batches)
        {
            data.AddRange(batch!.Data);
            label.AddRange(batch.Label);
            sparseData.AddRange(batch.SparseData);
            sparseLabel.AddRange(batch.SparseLabel);
            bucketKey ??= batch.BucketKey;
            ownShapes |= batch.ProvideData is not null || batch.ProvideLabel is not null;
        }

        StartFetch();
        return new DataBatch(data, label, batches[0]!.Pad, batches[0]!.Index)
        {
            // Disposing the combined batch disposes the wrapped iterators' batches, so their buffers go back to their own pools.
            Parts = Array.ConvertAll(batches, b => b!),
            SparseData = sparseData,
            SparseLabel = sparseLabel,
            BucketKey = bucketKey,

            // A bucketing iterator's batch has its own shapes; the merged batch lists each iterator's, batch's first.
            ProvideData = ownShapes ? [.. Enumerable.Range(0, batches.Length).SelectMany(i => batches[i]!.ProvideData ?? _iters[i].ProvideData)] : null,
            ProvideLabel = ownShapes ? [.. Enumerable.Range(0, batches.Length).SelectMany(i => batches[i]!.ProvideLabel ?? _iters[i].ProvideLabel)] : null,
        };
    }

    /// <inheritdoc />
    /// <remarks>Returns at once: the wrapped iterators are reset once their fetches in flight have finished, and the next <see cref="NextAsync"/> awaits that.</remarks>
    /// <exception cref="ObjectDisposedException">The iterator has been disposed.</exception>
    public override void Reset()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        EpochRestarted();
        _ended = false;
        _restart = RestartAsync(StopFetching());
    }

    /// <inheritdoc />
    public override int? BatchesPerEpoch => _iters[0].BatchesPerEpoch;

    /// <inheritdoc />
    /// <remarks>The state holds each wrapped iterator's state as it was before the batch being prefetched, so prefetched batches are not counted.</remarks>
    /// <exception cref="NotSupportedException">A wrapped iterator cannot save its position.</exception>
    public override IteratorState SaveState()
    {
        // Right after Reset or RestoreState the wrapped iterators' new states exist once the restart has run (it waits
        // for the fetches in flight); this is the one place that waits for it synchronously.
        _restart?.GetAwaiter().GetResult();
        IteratorState[] inner;
        if (_ended && (_pending is null || Array.TrueForAll(_pending, t => t.IsCompleted)))
        {
            // Nothing is in flight after the end: the wrapped iterators stand where the consumer does.
            inner = Array.ConvertAll(_iters, i => i.SaveState());
        }
        else
        {
            if (_snapshotError is not null) throw new NotSupportedException($"PrefetchingIter cannot save its position: {_snapshotError.Message}", _snapshotError);
            inner = _snapshot ?? throw new InvalidOperationException("PrefetchingIter is restoring a state; save after the next batch.");
        }

        return new IteratorState(IteratorKind.Prefetching, 0, OptionsFingerprint(), BatchSize, LastBatchHandle.Pad, shuffle: false, seed: 0, epoch: 0, batches: 0, carried: 0, _ended, inner: inner);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The state does not hold one state per wrapped iterator, or one of them does not fit its iterator.</exception>
    public override void RestoreState(IteratorState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.CheckMatches(this, IteratorKind.Prefetching, 0, OptionsFingerprint(), LastBatchHandle.Pad, shuffle: false, seed: 0, "the wrapped iterators' outputs");
        if (state.Inner.Count != _iters.Length) throw IteratorState.BadPosition(this, $"it holds {state.Inner.Count} wrapped states for {_iters.Length} iterators");
        EpochRestarted();
        _ended = state.Ended;
        _snapshot = [.. state.Inner];
        _snapshotError = null;
        _restart = RestoreAsync(StopFetching(), state);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _stop.Cancel();
            Task stopped = StopFetching();
            if (stopped.IsCompleted)
            {
                DisposeIters();
            }
            else
            {
                // No blocking wait: the wrapped iterators go once their fetches in flight have finished.
                _ = stopped.ContinueWith(_ => DisposeIters(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }

        base.Dispose(disposing);
    }

    /// <inheritdoc />
    protected override async ValueTask DisposeAsyncCore()
    {
        if (!_disposed)
        {
            _disposed = true;

            // Cancel first, then wait: a wrapped iterator waiting on its source gives up instead of holding the disposal forever.
            await _stop.CancelAsync().ConfigureAwait(false);
            await StopFetching().ConfigureAwait(false);
            foreach (DataIter iter in _iters) await iter.DisposeAsync().ConfigureAwait(false);
            _stop.Dispose();
        }

        // Dispose(true) has nothing left to do.
        await base.DisposeAsyncCore().ConfigureAwait(false);
    }

    private static int FirstBatchSize(IReadOnlyList<DataIter> iters)
    {
        ArgumentNullException.ThrowIfNull(iters);
        if (iters.Count == 0) throw new ArgumentException("PrefetchingIter needs at least one iterator.", nameof(iters));
        for (int i = 0; i < iters.Count; i++)
        {
            if (iters[i] is null) throw new ArgumentException($"Iterator {i} is null.", nameof(iters));
        }

        IReadOnlyList<DataDesc> first = iters[0].ProvideData;
        return first.Count > 0 && first[0].Shape.Length > 0 ? first[0].Shape[0] : iters[0].BatchSize;
    }

    private static DataDesc[] Rename(DataIter[] iters, Func<DataIter, IReadOnlyList<DataDesc>> descs, IReadOnlyList<IReadOnlyDictionary<string, string>>? maps, string parameter)
    {
        if (maps is not null && maps.Count != iters.Length)
        {
            throw new ArgumentException($"{parameter} has {maps.Count} maps for {iters.Length} iterators.", parameter);
        }

        var result = new List<DataDesc>();
        for (int i = 0; i < iters.Length; i++)
        {
            foreach (DataDesc desc in descs(iters[i]))
            {
                result.Add(maps is not null && maps[i].TryGetValue(desc.Name, out string? name) ? desc with { Name = name } : desc);
            }
        }

        return [.. result];
    }

    /// <summary>Takes the fetches in flight (after a pending restart) and returns a task, never faulted, that completes once they have finished and what they fetched is disposed: it belonged to the abandoned epoch.</summary>
    private Task StopFetching()
    {
        Task? restart = _restart;
        Task<DataBatch?>[]? pending = _pending;
        _restart = null;
        _pending = null;
        if (restart is null && (pending is null || Array.TrueForAll(pending, t => t.IsCompleted)))
        {
            if (pending is not null) DisposeFetched(pending);
            return Task.CompletedTask;
        }

        return AbandonAsync(restart, pending);
    }

    private async Task AbandonAsync(Task? restart, Task<DataBatch?>[]? pending)
    {
        if (restart is not null) await restart.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        pending ??= _pending;
        if (pending is null) return;
        await ((Task)Task.WhenAll(pending)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        DisposeFetched(pending);
    }

    private async Task RestoreAsync(Task stopped, IteratorState state)
    {
        // No wrapped iterator is fetching any more: each can move to its state.
        await stopped.ConfigureAwait(false);
        if (_disposed) return;
        for (int i = 0; i < _iters.Length; i++) _iters[i].RestoreState(state.Inner[i]);
        if (!state.Ended) StartFetch();
    }

    private ulong OptionsFingerprint()
    {
        var fingerprint = new Fingerprint();
        fingerprint.Add(_iters.Length);
        foreach (DataDesc desc in ProvideData.Concat(ProvideLabel))
        {
            fingerprint.Add(desc.Name);
            fingerprint.Add(desc.Shape);
        }

        return fingerprint.Value;
    }

    private async Task RestartAsync(Task stopped)
    {
        await stopped.ConfigureAwait(false);
        if (_disposed) return;
        foreach (DataIter iter in _iters) iter.Reset();
        StartFetch();
    }

    private void DisposeIters()
    {
        foreach (DataIter iter in _iters) iter.Dispose();
        _stop.Dispose();
    }

    private static void DisposeFetched(Task<DataBatch?>[] pending)
    {
        foreach (Task<DataBatch?> task in pending)
        {
            if (task.IsCompletedSuccessfully) task.Result?.Dispose();
        }
    }

    private void StartFetch()
    {
        // The wrapped iterators' states before this fetch are the position after the batch the consumer has.
        try
        {
            _snapshot = Array.ConvertAll(_iters, i => i.SaveState());
            _snapshotError = null;
        }
        catch (NotSupportedException error)
        {
            _snapshot = null;
            _snapshotError = error;
        }

        _pending = new Task<DataBatch?>[_iters.Length];
        for (int i = 0; i < _iters.Length; i++)
        {
            DataIter iter = _iters[i];
            CancellationToken stop = _stop.Token;
            _pending[i] = Task.Run(async () => await iter.NextAsync(stop).ConfigureAwait(false));
        }
    }
}
