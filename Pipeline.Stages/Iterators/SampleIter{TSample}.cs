using System.Runtime.CompilerServices;
using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Core;
using Pipeline.Core.Batching;
using Pipeline.Core.Diagnostics;
using Pipeline.Stages.Dataflow;

namespace Pipeline.Stages.Iterators;

/// <summary>An iterator composed from blocks: your source of examples, your writer, and the library's batching, padding and prefetching.</summary>
/// <typeparam name="TSample">The example type.</typeparam>
/// <remarks>
/// Every epoch reads <c>source(epoch, token)</c> on its own task, writes each example into a pooled batch buffer
/// with the writer, applies the last-batch policy, and keeps up to <c>prefetch</c> batches ready. A source or
/// writer that throws ends the epoch with that exception at <see cref="DataIter.NextAsync"/>.
/// <para>A source that can start an epoch at an ordinal (the constructor that takes <c>source(epoch, first, token)</c>)
/// makes the iterator resumable (<see cref="SaveState"/>); with the other, saving the state throws
/// <see cref="NotSupportedException"/>. The source's examples must then be a pure function of (epoch, ordinal).</para>
/// </remarks>
public sealed class SampleIter<TSample> : DataIter
{
    private readonly Func<int, long, CancellationToken, IAsyncEnumerable<TSample>> _source;
    private readonly bool _canSeek;
    private readonly SampleWriter<TSample> _write;
    private readonly int _prefetch;
    private readonly BatchAssembler _assembler;
    private readonly IteratorTelemetry _telemetry = new("SampleIter", logger: null);
    private readonly EpochRunner _epochs;
    private int _carriedIn;
    private (int Epoch, long Ordinal)? _position = (0, 0);
    private long _resumeFrom;
    private (int Epoch, long Ordinal)? _rebuildFrom;
    private int? _restoredCarryOut;

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
        : this(FromStart(source), canSeek: false, data, label, write, lastBatchHandle, prefetch)
    {
    }

    /// <summary>Initializes a resumable iterator over a source that can start an epoch at any ordinal, and starts prefetching the first epoch.</summary>
    /// <param name="source">Gives the examples of an epoch (zero-based) in order, from ordinal <c>first</c> on; the same (epoch, ordinal) must always give the same example.</param>
    /// <param name="data">The data outputs; each shape starts with the batch size.</param>
    /// <param name="label">The label outputs; each shape starts with the batch size.</param>
    /// <param name="write">Writes an example into its slot.</param>
    /// <param name="lastBatchHandle">What to do with the examples that do not fill the last batch.</param>
    /// <param name="prefetch">How many batches to prepare ahead.</param>
    /// <exception cref="ArgumentNullException">A delegate or list is null.</exception>
    /// <exception cref="ArgumentException">The outputs do not share a positive batch size.</exception>
    public SampleIter(
        Func<int, long, CancellationToken, IAsyncEnumerable<TSample>> source,
        IReadOnlyList<DataDesc> data,
        IReadOnlyList<DataDesc> label,
        SampleWriter<TSample> write,
        LastBatchHandle lastBatchHandle = LastBatchHandle.Pad,
        int prefetch = 2)
        : this(source, canSeek: true, data, label, write, lastBatchHandle, prefetch)
    {
    }

    private SampleIter(
        Func<int, long, CancellationToken, IAsyncEnumerable<TSample>> source,
        bool canSeek,
        IReadOnlyList<DataDesc> data,
        IReadOnlyList<DataDesc> label,
        SampleWriter<TSample> write,
        LastBatchHandle lastBatchHandle,
        int prefetch)
        : base(BatchSizeOf(data))
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(write);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(prefetch);
        _canSeek = canSeek;
        _source = source;
        _write = write;
        _prefetch = prefetch;
        _assembler = new BatchAssembler(data, label, lastBatchHandle) { Telemetry = _telemetry };
        ProvideData = [.. data];
        ProvideLabel = [.. label];
        _epochs = new EpochRunner(this, StartEpoch, OnReset, _assembler.Dispose);
        _epochs.Start();
    }

    /// <summary>Gets where the iterator writes warnings (once: a batch dropped without <c>Dispose()</c>, whose buffers then never return to the pool).</summary>
    /// <remarks>Default <see langword="null"/>: silent. Set it in the object initializer: <c>new SampleIter&lt;T&gt;(...) { Logger = logger }</c>.</remarks>
    public ILogger? Logger
    {
        get => _telemetry.Logger is NullLogger ? null : _telemetry.Logger;
        init => _telemetry.Logger = value;
    }

    /// <summary>Gets the number of examples the source gives per epoch, when the caller knows it; it makes <see cref="BatchesPerEpoch"/> known.</summary>
    /// <remarks>Default <see langword="null"/>: the source is a stream whose length is found by reading it.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int? SamplesPerEpoch
    {
        get;
        init
        {
            if (value is { } count) ArgumentOutOfRangeException.ThrowIfNegative(count, nameof(SamplesPerEpoch));
            field = value;
        }
    }

    /// <inheritdoc />
    /// <remarks><see langword="null"/> unless <see cref="SamplesPerEpoch"/> is given.</remarks>
    public override int? BatchesPerEpoch => SamplesPerEpoch is { } count ? BatchPlan.BatchCount(count, BatchSize, _assembler.Handle, _carriedIn) : null;

    /// <inheritdoc />
    public override IReadOnlyList<DataDesc> ProvideData { get; }

    /// <inheritdoc />
    public override IReadOnlyList<DataDesc> ProvideLabel { get; }

    /// <inheritdoc />
    public override async ValueTask<DataBatch?> NextAsync(CancellationToken cancellationToken = default)
    {
        DataBatch? batch = await _epochs.NextAsync(cancellationToken).ConfigureAwait(false);

        // A batch without a position was finished at the epoch's end (pad): past it, the epoch has nothing left.
        if (batch is not null) _position = batch.ResumeCursor is ValueTuple<int, long> next ? next : (_epochs.Epoch, long.MaxValue);
        return batch;
    }

    /// <inheritdoc />
    public override void Reset()
    {
        bool ended = _epochs.EpochEnded;
        _carriedIn = ended ? _restoredCarryOut ?? _assembler.Filled : 0;
        if (!ended) _position = (_epochs.Epoch + 1, 0);
        _restoredCarryOut = null;
        _epochs.Reset();
    }

    /// <inheritdoc />
    /// <exception cref="NotSupportedException">The iterator's source cannot start an epoch at an ordinal.</exception>
    public override IteratorState SaveState()
    {
        if (!_canSeek) throw new NotSupportedException($"{GetType().Name} cannot save its position: its source cannot start an epoch at an ordinal (construct it with source(epoch, first, token)).");
        int carryOut = _epochs.EpochEnded ? _restoredCarryOut ?? _assembler.Filled : 0;
        (int epoch, long ordinal) = _position ?? (-1, 0);
        return new IteratorState(
            IteratorKind.Sample, 0, OptionsFingerprint(), BatchSize, _assembler.Handle, shuffle: false, seed: 0,
            _epochs.Epoch, _epochs.Delivered, _carriedIn, _epochs.EpochEnded, [epoch, ordinal, carryOut]);
    }

    /// <inheritdoc />
    /// <exception cref="NotSupportedException">The iterator's source cannot start an epoch at an ordinal.</exception>
    /// <exception cref="ObjectDisposedException">The iterator has been disposed.</exception>
    public override void RestoreState(IteratorState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!_canSeek) throw new NotSupportedException($"{GetType().Name} cannot restore a position: its source cannot start an epoch at an ordinal (construct it with source(epoch, first, token)).");
        state.CheckMatches(this, IteratorKind.Sample, 0, OptionsFingerprint(), _assembler.Handle, shuffle: false, seed: 0, "output names, shapes and dtypes");
        if (state.Cursors.Count != 3) throw IteratorState.BadPosition(this, $"it holds {state.Cursors.Count} source positions, not 3");
        (int Epoch, long Ordinal)? cursor = state.Cursors[0] < 0 ? null : ((int)state.Cursors[0], state.Cursors[1]);
        int carried = state.Carried;
        int carryOut = (int)state.Cursors[2];
        if (carried != 0 && _assembler.Handle != LastBatchHandle.RollOver) throw IteratorState.BadPosition(this, $"it carries {carried} examples into the epoch, which only roll-over does");
        if (carryOut < 0 || carryOut >= BatchSize) throw IteratorState.BadPosition(this, $"it carries {carryOut} examples out of the epoch");
        bool rebuildCarry = (state.BatchesInEpoch == 0 && carried > 0) || (state.Ended && carryOut > 0);
        if ((state.BatchesInEpoch > 0 || rebuildCarry) && cursor is null) throw IteratorState.BadPosition(this, "it has no source position");
        if (cursor is { } at && (at.Epoch > state.Epoch || (state.BatchesInEpoch > 0 && at.Epoch != state.Epoch))) throw IteratorState.BadPosition(this, $"its source position is in epoch {at.Epoch}, not {state.Epoch}");
        // Only the next graph reads these; the assembler must wait until the running one has stopped.
        _carriedIn = carried;
        _position = cursor;
        _resumeFrom = state.BatchesInEpoch > 0 ? cursor!.Value.Ordinal : 0;
        _rebuildFrom = rebuildCarry ? cursor : null;
        _restoredCarryOut = state.Ended ? carryOut : null;
        _epochs.Restore(state.Epoch, state.BatchesInEpoch, state.Ended, _assembler.Reset);
    }

    private EpochGraph StartEpoch(int epoch, CancellationToken cancellationToken)
    {
        long from = 0;
        (int Epoch, long Ordinal)? rebuild = null;
        if (_epochs.StartBatch > 0)
        {
            from = _resumeFrom;
        }
        else
        {
            rebuild = _rebuildFrom;
            _rebuildFrom = null;
        }

        bool fillers = _epochs.StartBatch > 0 && _assembler.Handle == LastBatchHandle.Pad;
        IPropagatorBlock<EpochMessage<Item>, DataBatch> batch = BatchBlock.Create<Item>(_assembler, WriteOne, boundedCapacity: Math.Max(2, BatchSize), cancellationToken);
        Task producer = EpochProducer.Start(batch, Items(epoch, from, rebuild, fillers, cancellationToken), cancellationToken);
        return new EpochGraph(PrefetchBlock.Append(batch, _prefetch), producer);
    }

    /// <summary>An epoch's examples with their (epoch, ordinal): first a restored roll-over carry (in its own epochs), then the epoch from <paramref name="from"/>, then the filler a resumed epoch's last batch needs.</summary>
    private async IAsyncEnumerable<Item> Items(int epoch, long from, (int Epoch, long Ordinal)? rebuild, bool fillers, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (rebuild is { } carry)
        {
            for (int old = carry.Epoch; old < epoch; old++)
            {
                long first = old == carry.Epoch ? carry.Ordinal : 0;
                if (first == long.MaxValue) continue;
                await foreach (TSample sample in _source(old, first, cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false)) yield return new Item(sample, old, first++, Filler: false);
            }
        }

        long ordinal = from;
        if (from != long.MaxValue)
        {
            await foreach (TSample sample in _source(epoch, from, cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false)) yield return new Item(sample, epoch, ordinal++, Filler: false);
        }

        // Pad copies its filler from the epoch's first batch, which a resumed epoch never made: its first examples come again.
        long sent = ordinal - from;
        int pad = (int)((BatchSize - (sent % BatchSize)) % BatchSize);
        if (!fillers || sent == 0 || pad == 0) yield break;
        long filler = 0;
        await foreach (TSample sample in _source(epoch, 0, cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (filler == pad) yield break;
            yield return new Item(sample, epoch, filler++, Filler: true);
        }
    }

    private void OnReset(bool epochEnded)
    {
        if (!epochEnded)
        {
            _assembler.Reset();
            _rebuildFrom = null;
        }
    }

    private ulong OptionsFingerprint()
    {
        var fingerprint = new Fingerprint();
        fingerprint.Add(typeof(TSample).FullName);
        foreach (DataDesc desc in ProvideData.Concat(ProvideLabel))
        {
            fingerprint.Add(desc.Name);
            fingerprint.Add(desc.Shape);
            fingerprint.Add((long)desc.DType);
        }

        return fingerprint.Value;
    }

    private static Func<int, long, CancellationToken, IAsyncEnumerable<TSample>> FromStart(Func<int, CancellationToken, IAsyncEnumerable<TSample>> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return (epoch, _, cancellationToken) => source(epoch, cancellationToken);
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

    private DataBatch? WriteOne(Item item, BatchAssembler assembler)
    {
        if (item.Filler && assembler.Filled == 0) return null;
        _write(item.Sample, new BatchSlot(assembler, item.Ordinal));
        assembler.IndexSlots(1)[0] = item.Ordinal;
        if (item.Filler) return assembler.CommitFiller(1);
        DataBatch? batch = assembler.Commit(1);
        if (batch is not null) batch.ResumeCursor = (item.Epoch, item.Ordinal + 1);
        return batch;
    }

    /// <summary>An example with where it stands: its epoch and ordinal, and whether it is filler.</summary>
    private readonly record struct Item(TSample Sample, int Epoch, long Ordinal, bool Filler);
}
