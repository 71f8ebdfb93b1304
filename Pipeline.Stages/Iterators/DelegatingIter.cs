using Pipeline.Core;

namespace Pipeline.Stages.Iterators;

/// <summary>An iterator that is another iterator set up in a particular way (MNIST files, image records, ...): it forwards everything to it.</summary>
public abstract class DelegatingIter : DataIter
{
    /// <summary>Initializes the iterator around an inner one, which it owns.</summary>
    /// <param name="inner">The iterator doing the work; disposing this one disposes it.</param>
    /// <exception cref="ArgumentNullException"><paramref name="inner"/> is null.</exception>
    protected DelegatingIter(DataIter inner)
        : base(inner?.BatchSize ?? throw new ArgumentNullException(nameof(inner)))
    {
        Inner = inner;
    }

    /// <inheritdoc />
    public override IReadOnlyList<DataDesc> ProvideData => Inner.ProvideData;

    /// <inheritdoc />
    public override IReadOnlyList<DataDesc> ProvideLabel => Inner.ProvideLabel;

    /// <summary>Gets the iterator doing the work.</summary>
    protected DataIter Inner { get; }

    /// <inheritdoc />
    public override ValueTask<DataBatch?> NextAsync(CancellationToken cancellationToken = default) => Inner.NextAsync(cancellationToken);

    /// <inheritdoc />
    public override void Reset() => Inner.Reset();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) Inner.Dispose();
        base.Dispose(disposing);
    }
}
