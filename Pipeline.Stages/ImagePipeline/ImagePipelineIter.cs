using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Dataflow;
using Pipeline.Core;
using Pipeline.Core.Batching;
using Pipeline.Core.Diagnostics;
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
    private BatchAssembler _assembler;
    private readonly SampleProcessor _processor;
    private readonly EpochRunner _epochs;
    private Func<CancellationToken, Task<SampleLayout>>? _prepareLayout;
    private int _carriedIn;
    private SourcePosition? _position = new SourcePosition(0, 0);
    private SourcePosition? _resumeFrom;
    private SourcePosition? _rebuildFrom;
    private int? _restoredCarryOut;
    private ulong? _dataFingerprint;
    private ulong? _optionsFingerprint;
    private IReadOnlyList<DataDesc> _provideLabel;

    /// <summary>Builds the pipeline and starts prefetching the first epoch.</summary>
    /// <param name="options">The pipeline's parts.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public ImagePipelineIter(ImagePipelineOptions options)
        : base(CheckedBatchSize(options))
    {
        _options = options;
        SampleLayout layout = options.Layout;
        ProvideData = [new DataDesc(options.DataName, [options.BatchSize, layout.Channels, layout.Height, layout.Width], layout.DType)];
        _provideLabel = [new DataDesc(options.LabelName, options.LabelShape is { } shape ? [options.BatchSize, .. shape] : options.LabelWidth == 1 ? [options.BatchSize] : [options.BatchSize, options.LabelWidth])];
        var telemetry = new IteratorTelemetry(GetType().Name, options.Logger);
        _assembler = new BatchAssembler(ProvideData, _provideLabel, options.LastBatchHandle) { ZeroFillPad = options.ZeroFillPad, Telemetry = telemetry };
        Metrics = new PipelineMetrics(options.Threads, telemetry);
        PipelineInstruments.Register(Metrics, telemetry.Iterator);
        options.Source.SkipInto = options.CorruptRecords == CorruptRecordPolicy.Skip ? Metrics : null;
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
    public override IReadOnlyList<DataDesc> ProvideLabel => _provideLabel;

    /// <inheritdoc />
    public override async ValueTask<DataBatch?> NextAsync(CancellationToken cancellationToken = default)
    {
        long start = Stopwatch.GetTimestamp();
        DataBatch? batch = await _epochs.NextAsync(cancellationToken).ConfigureAwait(false);
        Metrics.Consumer.AddWaitingInput(Stopwatch.GetTimestamp() - start);
        if (batch is not null)
        {
            Metrics.Consumer.AddItem(Stopwatch.GetTimestamp());

            // A batch without a position was finished at the epoch's end (pad): past it, the epoch has no records left.
            _position = batch.ResumeCursor is SourcePosition next ? next : new SourcePosition(_epochs.Epoch, long.MaxValue);
        }

        return batch;
    }

    /// <inheritdoc />
    public override void Reset()
    {
        bool ended = _epochs.EpochEnded;

        // An epoch that ran to its end has stopped writing: its roll-over carry is what the assembler holds. The
        // position stays: with a carry, it is where the carried examples start.
        _carriedIn = ended ? _restoredCarryOut ?? _assembler.Filled : 0;
        if (!ended) _position = new SourcePosition(_epochs.Epoch + 1, 0);
        _restoredCarryOut = null;
        _epochs.Reset();
    }

    /// <inheritdoc />
    public override int? BatchesPerEpoch =>
        _options.Source.Count is { } count ? BatchPlan.BatchCount(count, BatchSize, _options.LastBatchHandle, _carriedIn) : null;

    /// <inheritdoc />
    /// <exception cref="NotSupportedException">The source cannot start an epoch at a position (a custom <see cref="ImageRecordSource"/>).</exception>
    public override IteratorState SaveState()
    {
        if (!_options.Source.CanSeek) throw new NotSupportedException($"{GetType().Name} cannot save its position: its source {_options.Source.GetType().FullName} cannot start an epoch at a position.");
        int carryOut = _epochs.EpochEnded ? _restoredCarryOut ?? _assembler.Filled : 0;
        SourcePosition position = _position ?? new SourcePosition(-1, 0);
        return new IteratorState(
            _options.StateKind, DataFingerprint(), OptionsFingerprint(), BatchSize, _options.LastBatchHandle, _options.StateShuffle, _options.Seed,
            _epochs.Epoch, _epochs.Delivered, _carriedIn, _epochs.EpochEnded,
            [position.Epoch, position.Ordinal, position.Offset, position.Chunk, position.ChunkFirst, carryOut]);
    }

    /// <inheritdoc />
    /// <remarks>The source seeks to the saved position: by ordinal through a <c>.idx</c> or a list, by byte offset in a record
    /// file (to the start of the shuffle chunk, which is read again but not decoded). No image before the position is decoded.</remarks>
    /// <exception cref="NotSupportedException">The source cannot start an epoch at a position.</exception>
    /// <exception cref="ObjectDisposedException">The iterator has been disposed.</exception>
    public override void RestoreState(IteratorState state) => RestoreState(state, null);

    private void RestoreState(IteratorState state, Action? swap)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!_options.Source.CanSeek) throw new NotSupportedException($"{GetType().Name} cannot restore a position: its source {_options.Source.GetType().FullName} cannot start an epoch at a position.");
        state.CheckMatches(this, _options.StateKind, DataFingerprint(), OptionsFingerprint(), _options.LastBatchHandle, _options.StateShuffle, _options.Seed, "data shape, augmentation, label width");
        if (state.Cursors.Count != 6) throw IteratorState.BadPosition(this, $"it holds {state.Cursors.Count} source positions, not 6");
        IReadOnlyList<long> c = state.Cursors;
        SourcePosition? cursor = c[0] < 0 ? null : new SourcePosition((int)c[0], c[1], c[2], c[3], c[4]);
        int carried = state.Carried;
        int carryOut = (int)c[5];
        LastBatchHandle handle = _options.LastBatchHandle;
        if (carried != 0 && handle != LastBatchHandle.RollOver) throw IteratorState.BadPosition(this, $"it carries {carried} examples into the epoch, which only roll-over does");
        if (carryOut < 0 || carryOut >= BatchSize) throw IteratorState.BadPosition(this, $"it carries {carryOut} examples out of the epoch");
        if (cursor is { } at && (at.Epoch > state.Epoch || at.Ordinal < 0)) throw IteratorState.BadPosition(this, $"its source position is in epoch {at.Epoch}, after its epoch {state.Epoch}");
        bool rebuildCarry = (state.BatchesInEpoch == 0 && carried > 0) || (state.Ended && carryOut > 0);
        if ((state.BatchesInEpoch > 0 || rebuildCarry) && cursor is null) throw IteratorState.BadPosition(this, "it has no source position");
        if (state.BatchesInEpoch > 0 && cursor!.Value.Epoch != state.Epoch) throw IteratorState.BadPosition(this, $"its source position is in epoch {cursor.Value.Epoch}, not {state.Epoch}");
        // Only the next graph reads these; the assembler must wait until the running one has stopped.
        _carriedIn = carried;
        _position = cursor;
        _resumeFrom = state.BatchesInEpoch > 0 ? cursor : null;
        _rebuildFrom = rebuildCarry ? cursor : null;
        _restoredCarryOut = state.Ended ? carryOut : null;
        _epochs.Restore(state.Epoch, state.BatchesInEpoch, state.Ended, () =>
        {
            swap?.Invoke();
            _assembler.Reset();
        });
    }

    /// <summary>Changes the shape of every later batch's label (a detection iterator's <c>reshape</c>): the running epoch stops and continues from the position after the last batch returned, with the new shape.</summary>
    /// <param name="labelShape">One sample's label shape.</param>
    internal void ReshapeLabel(int[] labelShape)
    {
        IteratorState state = SaveState();
        DataDesc old = _provideLabel[0];
        IReadOnlyList<DataDesc> reshaped = [old with { Shape = [BatchSize, .. labelShape] }];
        BatchAssembler previous = _assembler;
        RestoreState(state, () =>
        {
            // The old graph has stopped: batches it made stay valid; the next graph fills rows of the new width.
            previous.Dispose();
            _assembler = new BatchAssembler(ProvideData, reshaped, _options.LastBatchHandle) { ZeroFillPad = _options.ZeroFillPad, Telemetry = previous.Telemetry };
        });
        _provideLabel = reshaped;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _epochs.Dispose();
        PipelineInstruments.Unregister(Metrics);
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
        SourcePosition? from = null;
        SourcePosition? rebuild = null;
        if (_epochs.StartBatch > 0)
        {
            from = _resumeFrom;
        }
        else
        {
            rebuild = _rebuildFrom;
            _rebuildFrom = null;
        }

        bool fillers = from is not null && _options.LastBatchHandle == LastBatchHandle.Pad && !_options.ZeroFillPad;
        IAsyncEnumerable<RawImageRecord> records = from is null && rebuild is null
            ? _options.Source.ReadEpochAsync(epoch, cancellationToken)
            : ResumedRead(epoch, from, rebuild, fillers, cancellationToken);
        Task producer = EpochProducer.Start(decode, TimedRead(records, cancellationToken), cancellationToken);
        return new EpochGraph(prefetch, producer);
    }

    /// <summary>Reads a restored epoch: the roll-over carry rebuilt from where it starts (in its own epochs), the epoch from the position on, and the filler a resumed epoch's last batch needs.</summary>
    private async IAsyncEnumerable<RawImageRecord> ResumedRead(int epoch, SourcePosition? from, SourcePosition? rebuild, bool fillers, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ImageRecordSource source = _options.Source;
        if (rebuild is { } carry)
        {
            for (int old = carry.Epoch; old < epoch; old++)
            {
                SourcePosition? start = old == carry.Epoch ? carry : null;
                if (start is { Ordinal: long.MaxValue }) continue;
                await foreach (RawImageRecord record in source.ReadEpochFromAsync(old, start, cancellationToken).ConfigureAwait(false))
                {
                    record.Epoch = old;
                    yield return record;
                }
            }
        }

        long sent = 0;
        if (from is not { Ordinal: long.MaxValue })
        {
            await foreach (RawImageRecord record in source.ReadEpochFromAsync(epoch, from, cancellationToken).ConfigureAwait(false))
            {
                sent++;
                yield return record;
            }
        }

        // Pad copies its filler from the epoch's first batch, which a resumed epoch never made: its first records come again,
        // decoded with their own ordinals, so they are the same examples.
        int pad = (int)((BatchSize - (sent % BatchSize)) % BatchSize);
        if (!fillers || sent == 0 || pad == 0) yield break;
        int taken = 0;
        await foreach (RawImageRecord record in source.ReadEpochFromAsync(epoch, null, cancellationToken).ConfigureAwait(false))
        {
            if (taken++ == pad)
            {
                record.Dispose();
                yield break;
            }

            record.IsFiller = true;
            yield return record;
        }
    }

    private ulong DataFingerprint() => _dataFingerprint ??= _options.Source.DataFingerprint();

    private ulong OptionsFingerprint()
    {
        if (_optionsFingerprint is { } known) return known;
        var fingerprint = new Fingerprint();
        fingerprint.Add(ProvideData[0].Shape);
        fingerprint.Add((long)ProvideData[0].DType);
        fingerprint.Add(_options.LabelWidth);
        fingerprint.Add(_options.ZeroFillPad ? 1 : 0);
        fingerprint.Add(_options.Augmenter?.GetType().FullName);
        fingerprint.Add(_options.StateOptions);
        _optionsFingerprint = fingerprint.Value;
        return fingerprint.Value;
    }

    private void OnReset(bool epochEnded)
    {
        if (!epochEnded)
        {
            _assembler.Reset();
            _rebuildFrom = null;
        }
    }

    private void Release()
    {
        _assembler.Dispose();
        _options.Source.Dispose();
    }

    private async IAsyncEnumerable<RawImageRecord> TimedRead(IAsyncEnumerable<RawImageRecord> epochRecords, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (_prepareLayout is { } prepare)
        {
            // One-time work the options deferred to first use (a mean image computed from the data): no record flows before it.
            long started = Stopwatch.GetTimestamp();
            _processor.Layout = await prepare(cancellationToken).ConfigureAwait(false);
            _prepareLayout = null;
            Metrics.Preparation.AddItem(started);
        }

        IAsyncEnumerator<RawImageRecord> records = epochRecords.GetAsyncEnumerator(cancellationToken);
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
