using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Dataflow;
using Pipeline.Core;
using Pipeline.Core.Batching;
using Pipeline.Stages.Dataflow;

namespace Pipeline.Stages.ImagePipeline;

/// <summary>An image iterator built from Dataflow blocks: read, decode + augment (parallel, ordered), batch into pooled NCHW buffers, bounded prefetch.</summary>
/// <remarks>
/// <para>Randomness is a pure function of (seed, epoch, sample ordinal): the same options give bit-identical
/// batches at any thread count or prefetch depth, and the output order is the source order (see
/// <c>docs/architecture.md</c>). Memory is bounded by the queues: about <c>8 x threads</c> encoded images waiting for
/// decode, <c>4 x threads</c> finished samples, and <c>prefetch + 2</c> batches.</para>
/// <para>An undecodable record fails the epoch with a <see cref="RecordFormatException"/> naming it, or is skipped and
/// counted (<see cref="CorruptRecordPolicy.Skip"/>, see <see cref="Metrics"/>). <see cref="Metrics"/> shows which stage
/// is the bottleneck while iterating. The decode stage itself is <c>SampleProcessor</c>.</para>
/// <para><c>ImageRecordIter</c> and <c>ImageIter</c> are this pipeline with MXNet's parts.</para>
/// </remarks>
public class ImagePipelineIter : DataIter
{
    private readonly ImagePipelineOptions _options;
    private readonly BatchAssembler _assembler;
    private readonly SampleProcessor _processor;
    private readonly EpochRunner _epochs;
    private Func<CancellationToken, Task<SampleLayout>>? _prepareLayout;

    /// <summary>Builds the pipeline and starts prefetching the first epoch.</summary>
    /// <param name="options">The pipeline's parts.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public ImagePipelineIter(ImagePipelineOptions options)
        : base(CheckedBatchSize(options))
    {
        _options = options;
        SampleLayout layout = options.Layout;
        ProvideData = [new DataDesc(options.DataName, [options.BatchSize, layout.Channels, layout.Height, layout.Width], layout.DType)];
        ProvideLabel = [new DataDesc(options.LabelName, options.LabelWidth == 1 ? [options.BatchSize] : [options.BatchSize, options.LabelWidth])];
        _assembler = new BatchAssembler(ProvideData, ProvideLabel, options.LastBatchHandle) { ZeroFillPad = options.ZeroFillPad };
        Metrics = new PipelineMetrics(options.Threads);
        _processor = new SampleProcessor(options, Metrics);
        _prepareLayout = options.PrepareLayout;
        _epochs = new EpochRunner(this, StartEpoch, OnReset, Release);
        _epochs.Start();
    }

    /// <summary>Gets the live per-stage metrics.</summary>
    public PipelineMetrics Metrics { get; }

    /// <inheritdoc />
    public override IReadOnlyList<DataDesc> ProvideData { get; }

    /// <inheritdoc />
    public override IReadOnlyList<DataDesc> ProvideLabel { get; }

    /// <inheritdoc />
    public override async ValueTask<DataBatch?> NextAsync(CancellationToken cancellationToken = default)
    {
        long start = Stopwatch.GetTimestamp();
        DataBatch? batch = await _epochs.NextAsync(cancellationToken).ConfigureAwait(false);
        Metrics.Consumer.AddWaitingInput(Stopwatch.GetTimestamp() - start);
        if (batch is not null) Metrics.Consumer.AddItem(Stopwatch.GetTimestamp());
        return batch;
    }

    /// <inheritdoc />
    public override void Reset() => _epochs.Reset();

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

    private static int CheckedBatchSize(ImagePipelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options.BatchSize;
    }

    private EpochGraph StartEpoch(int epoch, CancellationToken cancellationToken)
    {
        int threads = _options.Threads;
        TransformBlock<EpochMessage<RawImageRecord>, EpochMessage<ProcessedSample>> decode = OrderedTransformBlock.Create<EpochMessage<RawImageRecord>, EpochMessage<ProcessedSample>>(
            message => _processor.Process(message, epoch, cancellationToken), threads, boundedCapacity: threads * 8, cancellationToken);
        IPropagatorBlock<EpochMessage<ProcessedSample>, DataBatch> batch = BatchBlock.Create<ProcessedSample>(_assembler, _processor.Write, boundedCapacity: Math.Max(8, threads * 4), cancellationToken);
        decode.LinkTo(batch, new DataflowLinkOptions { PropagateCompletion = true });
        BufferBlock<DataBatch> prefetch = PrefetchBlock.Append(batch, _options.Prefetch);
        Metrics.Read.QueueProbe = () => decode.InputCount;
        Metrics.Decode.QueueProbe = () => decode.OutputCount;
        Metrics.Batch.QueueProbe = () => prefetch.Count;
        Task producer = EpochProducer.Start(decode, TimedRead(epoch, cancellationToken), cancellationToken);
        return new EpochGraph(prefetch, producer);
    }

    private void OnReset(bool epochEnded)
    {
        if (!epochEnded) _assembler.Reset();
    }

    private void Release()
    {
        _assembler.Dispose();
        _options.Source.Dispose();
    }

    private async IAsyncEnumerable<RawImageRecord> TimedRead(int epoch, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (_prepareLayout is { } prepare)
        {
            // One-time work the options deferred to first use (a mean image computed from the data): no record flows before it.
            long started = Stopwatch.GetTimestamp();
            _processor.Layout = await prepare(cancellationToken).ConfigureAwait(false);
            _prepareLayout = null;
            Metrics.Preparation.AddItem(started);
        }

        IAsyncEnumerator<RawImageRecord> records = _options.Source.ReadEpochAsync(epoch, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                long start = Stopwatch.GetTimestamp();
                if (!await records.MoveNextAsync().ConfigureAwait(false)) yield break;
                Metrics.Read.AddItem(start);
                long handOff = Stopwatch.GetTimestamp();
                yield return records.Current;

                // The producer resumes here once the decode stage accepted the record.
                Metrics.Read.AddWaitingOutput(Stopwatch.GetTimestamp() - handOff);
            }
        }
        finally
        {
            await records.DisposeAsync().ConfigureAwait(false);
        }
    }
}
