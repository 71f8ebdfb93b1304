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
        if (_current == Size) return null;
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
        if (_resetInternal) _inner.Reset();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }
}
