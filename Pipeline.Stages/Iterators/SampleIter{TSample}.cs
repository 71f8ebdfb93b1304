using System.Threading.Tasks.Dataflow;
using Pipeline.Core;
using Pipeline.Core.Batching;
using Pipeline.Stages.Dataflow;

namespace Pipeline.Stages.Iterators;

/// <summary>An iterator composed from blocks: your source of examples, your writer, and the library's batching, padding and prefetching.</summary>
/// <typeparam name="TSample">The example type.</typeparam>
/// <remarks>
/// Every epoch reads <c>source(epoch, token)</c> on its own task, writes each example into a pooled batch buffer
/// with the writer, applies the last-batch policy, and keeps up to <c>prefetch</c> batches ready. A source or
/// writer that throws ends the epoch with that exception at <see cref="DataIter.NextAsync"/>.
/// </remarks>
public sealed class SampleIter<TSample> : DataIter
{
    private readonly Func<int, CancellationToken, IAsyncEnumerable<TSample>> _source;
    private readonly SampleWriter<TSample> _write;
    private readonly int _prefetch;
    private readonly BatchAssembler _assembler;
    private readonly EpochRunner _epochs;
    private long _ordinal;

    /// <summary>Initializes the iterator and starts prefetching the first epoch.</summary>
    /// <param name="source">Gives the examples of an epoch (zero-based) in order.</param>
    /// <param name="data">The data outputs; each shape starts with the batch size.</param>
    /// <param name="label">The label outputs; each shape starts with the batch size.</param>
    /// <param name="write">Writes an example into its slot.</param>
    /// <param name="lastBatchHandle">What to do with the examples that do not fill the last batch.</param>
    /// <param name="prefetch">How many batches to prepare ahead.</param>
    /// <exception cref="ArgumentNullException">A delegate or list is null.</exception>
    /// <exception cref="ArgumentException">The outputs do not share a positive batch size.</exception>
    public SampleIter(
        Func<int, CancellationToken, IAsyncEnumerable<TSample>> source,
        IReadOnlyList<DataDesc> data,
        IReadOnlyList<DataDesc> label,
        SampleWriter<TSample> write,
        LastBatchHandle lastBatchHandle = LastBatchHandle.Pad,
        int prefetch = 2)
        : base(BatchSizeOf(data))
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(write);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(prefetch);
        _source = source;
        _write = write;
        _prefetch = prefetch;
        _assembler = new BatchAssembler(data, label, lastBatchHandle);
        ProvideData = [.. data];
        ProvideLabel = [.. label];
        _epochs = new EpochRunner(this, StartEpoch, OnReset, _assembler.Dispose);
        _epochs.Start();
    }

    /// <inheritdoc />
    public override IReadOnlyList<DataDesc> ProvideData { get; }

    /// <inheritdoc />
    public override IReadOnlyList<DataDesc> ProvideLabel { get; }

    /// <inheritdoc />
    public override ValueTask<DataBatch?> NextAsync(CancellationToken cancellationToken = default) => _epochs.NextAsync(cancellationToken);

    /// <inheritdoc />
    public override void Reset() => _epochs.Reset();

    private EpochGraph StartEpoch(int epoch, CancellationToken cancellationToken)
    {
        _ordinal = 0;
        IPropagatorBlock<EpochMessage<TSample>, DataBatch> batch = BatchBlock.Create<TSample>(_assembler, WriteOne, boundedCapacity: Math.Max(2, BatchSize), cancellationToken);
        Task producer = EpochProducer.Start(batch, _source(epoch, cancellationToken), cancellationToken);
        return new EpochGraph(PrefetchBlock.Append(batch, _prefetch), producer);
    }

    private void OnReset(bool epochEnded)
    {
        if (!epochEnded) _assembler.Reset();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _epochs.Dispose();
        base.Dispose(disposing);
    }

    /// <inheritdoc />
    protected override async ValueTask DisposeAsyncCore()
    {
        await _epochs.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsyncCore().ConfigureAwait(false);
    }

    private static int BatchSizeOf(IReadOnlyList<DataDesc> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return data.Count > 0 && data[0].Shape.Length > 0 && data[0].Shape[0] > 0
            ? data[0].Shape[0]
            : throw new ArgumentException("The first data output must have the batch size as its first axis.", nameof(data));
    }

    private DataBatch? WriteOne(TSample sample, BatchAssembler assembler)
    {
        long ordinal = _ordinal++;
        _write(sample, new BatchSlot(assembler, ordinal));
        assembler.IndexSlots(1)[0] = ordinal;
        return assembler.Commit(1);
    }
}
