using Pipeline.Core;

namespace Pipeline.Stages.Iterators;

/// <summary>Makes every epoch exactly <c>size</c> batches long, whatever the wrapped iterator's length, as MXNet's <c>mx.io.ResizeIter</c>.</summary>
/// <remarks>
/// When the wrapped iterator runs out mid-epoch it is reset and reading goes on, so one epoch here can span
/// several of its epochs and the other way round. With <c>resetInternal = false</c>, <see cref="Reset"/> leaves the
/// wrapped iterator where it is, so the next epoch continues from there. An empty wrapped iterator is an error
/// (it would never fill an epoch), not a silent empty epoch.
/// </remarks>
public sealed class ResizeIter : DataIter
{
    private readonly DataIter _inner;
    private readonly bool _resetInternal;
    private int _current;
    private bool _ended;

    /// <summary>Wraps an iterator.</summary>
    /// <param name="inner">The iterator to resize; disposing this one disposes it.</param>
    /// <param name="size">The number of batches per epoch (zero or more).</param>
    /// <param name="resetInternal">Whether <see cref="Reset"/> also resets <paramref name="inner"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="inner"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is negative.</exception>
    public ResizeIter(DataIter inner, int size, bool resetInternal = true)
        : base(inner?.BatchSize ?? throw new ArgumentNullException(nameof(inner)))
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        _inner = inner;
        Size = size;
        _resetInternal = resetInternal;
        ReportsEpochRestarts();
    }

    /// <summary>Gets the number of batches per epoch.</summary>
    public int Size { get; }

    /// <inheritdoc />
    public override IReadOnlyList<DataDesc> ProvideData => _inner.ProvideData;

    /// <inheritdoc />
    public override IReadOnlyList<DataDesc> ProvideLabel => _inner.ProvideLabel;

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The wrapped iterator yields no batch even right after a reset.</exception>
    public override async ValueTask<DataBatch?> NextAsync(CancellationToken cancellationToken = default)
    {
        if (_current == Size)
        {
            _ended = true;
            return null;
        }

        DataBatch? batch = await _inner.NextAsync(cancellationToken).ConfigureAwait(false);
        if (batch is null)
        {
            _inner.Reset();
            batch = await _inner.NextAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException("The iterator inside ResizeIter yields no batch even right after a reset.");
        }

        _current++;
        return batch;
    }

    /// <inheritdoc />
    public override void Reset()
    {
        _current = 0;
        _ended = false;
        EpochRestarted();
        if (_resetInternal) _inner.Reset();
    }

    /// <inheritdoc />
    public override int? BatchesPerEpoch => Size;

    /// <inheritdoc />
    /// <remarks>The state holds the batches of this epoch returned so far and the wrapped iterator's state.</remarks>
    /// <exception cref="NotSupportedException">The wrapped iterator cannot save its position.</exception>
    public override IteratorState SaveState() =>
        new(IteratorKind.Resize, 0, OptionsFingerprint(), BatchSize, LastBatchHandle.Pad, shuffle: false, seed: 0, epoch: 0, _current, carried: 0, _ended, inner: [_inner.SaveState()]);

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The state does not fit, or the wrapped state does not fit the wrapped iterator.</exception>
    public override void RestoreState(IteratorState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.CheckMatches(this, IteratorKind.Resize, 0, OptionsFingerprint(), LastBatchHandle.Pad, shuffle: false, seed: 0, "size, reset_internal");
        if (state.Inner.Count != 1 || state.BatchesInEpoch > Size) throw IteratorState.BadPosition(this, $"it is at batch {state.BatchesInEpoch} of {Size} with {state.Inner.Count} wrapped states");
        _inner.RestoreState(state.Inner[0]);
        EpochRestarted();
        _current = state.BatchesInEpoch;
        _ended = state.Ended;
    }

    private ulong OptionsFingerprint()
    {
        var fingerprint = new Fingerprint();
        fingerprint.Add(Size);
        fingerprint.Add(_resetInternal ? 1 : 0);
        return fingerprint.Value;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }
}
