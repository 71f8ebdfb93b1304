using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Core;
using Pipeline.Core.Batching;
using Pipeline.Core.Diagnostics;
using Pipeline.Stages.Dataflow;

namespace Pipeline.Stages.Iterators;

/// <summary>Iterates over in-memory arrays in batches, as MXNet's <c>mx.io.NDArrayIter</c>.</summary>
/// <remarks>
/// <para>Inputs are named as MXNet names them: a single array is <c>data</c> / <c>softmax_label</c>; a list of
/// two or more is <c>_0_data</c>, <c>_1_data</c>, ...; a dictionary uses its keys. Inputs are ordered by name with
/// ordinal comparison, so eleven list inputs come out as <c>_0_data, _10_data, _1_data, ...</c> (as in MXNet).</para>
/// <para>Differences from MXNet (decisions 1-3 and 5 in <c>docs/architecture.md</c>): every array must have the same number of rows; the
/// last batch's pad wraps to the start of the epoch's order; a roll-over batch reports pad 0; shuffling is a
/// pure function of (seed, epoch) and never changes an array's dtype. The arrays are read, not copied: do not
/// change or dispose them while iterating.</para>
/// </remarks>
public sealed class NDArrayIter : DataIter
{
    private readonly (string Name, NDArray Array)[] _data;
    private readonly (string Name, NDArray Array)[] _label;
    private readonly int[] _dataRowBytes;
    private readonly int[] _labelRowBytes;
    private readonly bool _shuffle;
    private readonly long _seed;
    private readonly int _prefetch;
    private readonly BatchAssembler? _assembler;
    private readonly (string Name, CsrNDArray Array)[] _sparseData;
    private readonly (string Name, CsrNDArray Array)[] _sparseLabel;
    private readonly IteratorTelemetry _telemetry = new(nameof(NDArrayIter), logger: null);
    private readonly EpochRunner _epochs;
    private int[] _order;
    private int _carriedIn;
    private ulong? _dataFingerprint;

    /// <summary>Initializes an iterator over one data array and an optional label array.</summary>
    /// <param name="data">The data; the first axis indexes examples.</param>
    /// <param name="label">The labels, one row per example, or <see langword="null"/>.</param>
    /// <param name="batchSize">The examples per batch.</param>
    /// <param name="shuffle">Whether to visit the examples in a new random order every epoch.</param>
    /// <param name="lastBatchHandle">What to do with the examples that do not fill the last batch.</param>
    /// <param name="dataName">The name of the data input.</param>
    /// <param name="labelName">The name of the label input.</param>
    /// <param name="seed">The shuffle seed; <see langword="null"/> picks one at random.</param>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException">The arrays are empty or have different numbers of rows.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    public NDArrayIter(NDArray data, NDArray? label = null, int batchSize = 1, bool shuffle = false,
                       LastBatchHandle lastBatchHandle = LastBatchHandle.Pad, string dataName = "data",
                       string labelName = "softmax_label", int? seed = null)
        : this(Named(data, dataName), label is null ? [] : Named(label, labelName), [], [], batchSize, shuffle, lastBatchHandle, seed, prefetch: 2)
    {
    }

    /// <summary>Initializes an iterator over named arrays.</summary>
    /// <param name="data">The data inputs by name (at least one).</param>
    /// <param name="label">The label inputs by name, or <see langword="null"/>.</param>
    /// <param name="batchSize">The examples per batch.</param>
    /// <param name="shuffle">Whether to visit the examples in a new random order every epoch.</param>
    /// <param name="lastBatchHandle">What to do with the examples that do not fill the last batch.</param>
    /// <param name="seed">The shuffle seed; <see langword="null"/> picks one at random.</param>
    /// <param name="prefetch">How many batches to prepare ahead.</param>
    /// <exception cref="ArgumentException">There is no data input, or the arrays are empty or have different numbers of rows.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> or <paramref name="prefetch"/> is not positive.</exception>
    public NDArrayIter(IReadOnlyDictionary<string, NDArray> data, IReadOnlyDictionary<string, NDArray>? label, int batchSize,
                       bool shuffle = false, LastBatchHandle lastBatchHandle = LastBatchHandle.Pad, int? seed = null, int prefetch = 2)
        : this(FromDictionary(data, nameof(data)), label is null ? [] : FromDictionary(label, nameof(label)), [], [], batchSize, shuffle, lastBatchHandle, seed, prefetch)
    {
    }

    /// <summary>Initializes an iterator over lists of arrays, named <c>_0_data</c>, <c>_1_data</c>, ... (or <c>data</c> for one).</summary>
    /// <param name="data">The data inputs (at least one).</param>
    /// <param name="label">The label inputs, or <see langword="null"/>.</param>
    /// <param name="batchSize">The examples per batch.</param>
    /// <param name="shuffle">Whether to visit the examples in a new random order every epoch.</param>
    /// <param name="lastBatchHandle">What to do with the examples that do not fill the last batch.</param>
    /// <param name="dataName">The base name of the data inputs.</param>
    /// <param name="labelName">The base name of the label inputs.</param>
    /// <param name="seed">The shuffle seed; <see langword="null"/> picks one at random.</param>
    /// <param name="prefetch">How many batches to prepare ahead.</param>
    /// <exception cref="ArgumentException">There is no data input, or the arrays are empty or have different numbers of rows.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> or <paramref name="prefetch"/> is not positive.</exception>
    public NDArrayIter(IReadOnlyList<NDArray> data, IReadOnlyList<NDArray>? label, int batchSize, bool shuffle = false,
                       LastBatchHandle lastBatchHandle = LastBatchHandle.Pad, string dataName = "data", string labelName = "softmax_label",
                       int? seed = null, int prefetch = 2)
        : this(FromList(data, dataName, nameof(data)), label is null ? [] : FromList(label, labelName, nameof(label)), [], [], batchSize, shuffle, lastBatchHandle, seed, prefetch)
    {
    }

    /// <summary>Initializes an iterator over a sparse (CSR) data array and an optional dense label array, as MXNet's <c>NDArrayIter</c> over a <c>CSRNDArray</c>.</summary>
    /// <param name="data">The data; row <c>i</c> is example <c>i</c>. Batches carry it in <see cref="DataBatch.SparseData"/>.</param>
    /// <param name="label">The labels, one row per example, or <see langword="null"/>.</param>
    /// <param name="batchSize">The examples per batch.</param>
    /// <param name="shuffle">Whether to visit the examples in a new random order every epoch.</param>
    /// <param name="lastBatchHandle">Only <see cref="LastBatchHandle.Discard"/> (the default here), as in MXNet.</param>
    /// <param name="dataName">The name of the data input.</param>
    /// <param name="labelName">The name of the label input.</param>
    /// <param name="seed">The shuffle seed; <see langword="null"/> picks one at random.</param>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException">The arrays are empty or have different numbers of rows.</exception>
    /// <exception cref="NotSupportedException"><paramref name="lastBatchHandle"/> is not <see cref="LastBatchHandle.Discard"/> (MXNet's <c>NotImplementedError</c>).</exception>
    public NDArrayIter(CsrNDArray data, NDArray? label = null, int batchSize = 1, bool shuffle = false,
                       LastBatchHandle lastBatchHandle = LastBatchHandle.Discard, string dataName = "data",
                       string labelName = "softmax_label", int? seed = null)
        : this([], label is null ? [] : Named(label, labelName), NamedSparse(data, dataName), [], batchSize, shuffle, lastBatchHandle, seed, prefetch: 2)
    {
    }

    /// <summary>Initializes an iterator over sparse (CSR) data and sparse labels.</summary>
    /// <param name="data">The data; batches carry it in <see cref="DataBatch.SparseData"/>.</param>
    /// <param name="label">The labels, one row per example; batches carry them in <see cref="DataBatch.SparseLabel"/>.</param>
    /// <param name="batchSize">The examples per batch.</param>
    /// <param name="shuffle">Whether to visit the examples in a new random order every epoch.</param>
    /// <param name="lastBatchHandle">Only <see cref="LastBatchHandle.Discard"/> (the default here), as in MXNet.</param>
    /// <param name="dataName">The name of the data input.</param>
    /// <param name="labelName">The name of the label input.</param>
    /// <param name="seed">The shuffle seed; <see langword="null"/> picks one at random.</param>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> or <paramref name="label"/> is null.</exception>
    /// <exception cref="ArgumentException">The arrays are empty or have different numbers of rows.</exception>
    /// <exception cref="NotSupportedException"><paramref name="lastBatchHandle"/> is not <see cref="LastBatchHandle.Discard"/>.</exception>
    public NDArrayIter(CsrNDArray data, CsrNDArray label, int batchSize = 1, bool shuffle = false,
                       LastBatchHandle lastBatchHandle = LastBatchHandle.Discard, string dataName = "data",
                       string labelName = "softmax_label", int? seed = null)
        : this([], [], NamedSparse(data, dataName), NamedSparse(label, labelName), batchSize, shuffle, lastBatchHandle, seed, prefetch: 2)
    {
    }

    /// <summary>Initializes an iterator over named dense and sparse (CSR) arrays, as MXNet's <c>NDArrayIter({'csr_data': csr, 'dns_data': dns}, ...)</c>.</summary>
    /// <param name="data">The dense data inputs by name (may be empty).</param>
    /// <param name="sparseData">The sparse data inputs by name; batches carry them in <see cref="DataBatch.SparseData"/>.</param>
    /// <param name="label">The dense label inputs by name, or <see langword="null"/>.</param>
    /// <param name="batchSize">The examples per batch.</param>
    /// <param name="shuffle">Whether to visit the examples in a new random order every epoch.</param>
    /// <param name="lastBatchHandle">Only <see cref="LastBatchHandle.Discard"/> when any input is sparse, as in MXNet.</param>
    /// <param name="seed">The shuffle seed; <see langword="null"/> picks one at random.</param>
    /// <param name="prefetch">How many batches to prepare ahead.</param>
    /// <param name="sparseLabel">The sparse label inputs by name, or <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">There is no data input, or the arrays are empty or have different numbers of rows.</exception>
    /// <exception cref="NotSupportedException">An input is sparse and <paramref name="lastBatchHandle"/> is not <see cref="LastBatchHandle.Discard"/>.</exception>
    public NDArrayIter(IReadOnlyDictionary<string, NDArray> data, IReadOnlyDictionary<string, CsrNDArray> sparseData, IReadOnlyDictionary<string, NDArray>? label, int batchSize,
                       bool shuffle = false, LastBatchHandle lastBatchHandle = LastBatchHandle.Discard, int? seed = null, int prefetch = 2,
                       IReadOnlyDictionary<string, CsrNDArray>? sparseLabel = null)
        : this(FromDictionary(data, nameof(data)), label is null ? [] : FromDictionary(label, nameof(label)), FromSparseDictionary(sparseData, nameof(sparseData)),
               sparseLabel is null ? [] : FromSparseDictionary(sparseLabel, nameof(sparseLabel)), batchSize, shuffle, lastBatchHandle, seed, prefetch)
    {
    }

    private NDArrayIter((string, NDArray)[] data, (string, NDArray)[] label, (string, CsrNDArray)[] sparseData, (string, CsrNDArray)[] sparseLabel, int batchSize, bool shuffle, LastBatchHandle lastBatchHandle, int? seed, int prefetch)
        : base(batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (data.Length + sparseData.Length == 0) throw new ArgumentException("NDArrayIter needs at least one data array.", nameof(data));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(prefetch);
        if (!Enum.IsDefined(lastBatchHandle)) throw new ArgumentOutOfRangeException(nameof(lastBatchHandle), lastBatchHandle, "Unknown LastBatchHandle.");
        _data = SortByName(data);
        _label = SortByName(label);
        _sparseData = SortByName(sparseData);
        _sparseLabel = SortByName(sparseLabel);
        NumData = CheckRows(_data, _label, _sparseData, _sparseLabel);
        bool sparse = _sparseData.Length + _sparseLabel.Length > 0;
        if (sparse && lastBatchHandle != LastBatchHandle.Discard)
        {
            throw new NotSupportedException($"NDArrayIter over sparse (CSR) inputs supports only LastBatchHandle.Discard, as MXNet's; got {lastBatchHandle}.");
        }

        _shuffle = shuffle;
        _seed = seed ?? Random.Shared.Next();
        _prefetch = prefetch;
        LastBatchHandle = lastBatchHandle;
        ProvideData = [.. Describe(_data, batchSize), .. Describe(_sparseData, batchSize)];
        ProvideLabel = [.. Describe(_label, batchSize), .. Describe(_sparseLabel, batchSize)];

        // Batches with sparse inputs are made whole (every batch is full under Discard); dense ones go through the assembler.
        _assembler = sparse ? null : new BatchAssembler(ProvideData, ProvideLabel, lastBatchHandle) { Telemetry = _telemetry };
        _dataRowBytes = [.. _data.Select(d => d.Array.ByteLength / NumData)];
        _labelRowBytes = [.. _label.Select(d => d.Array.ByteLength / NumData)];
        _order = MakeOrder(epoch: 0);
        _epochs = new EpochRunner(this, StartEpoch, OnReset, Release);
        _epochs.Start();
    }

    /// <summary>Gets where the iterator writes warnings (once: a batch dropped without <c>Dispose()</c>, whose buffers then never return to the pool).</summary>
    /// <remarks>Default <see langword="null"/>: silent. Set it in the object initializer: <c>new NDArrayIter(...) { Logger = logger }</c>.</remarks>
    public ILogger? Logger
    {
        get => _telemetry.Logger is NullLogger ? null : _telemetry.Logger;
        init => _telemetry.Logger = value;
    }

    /// <summary>Gets the telemetry the batches report to (<see cref="MnistIter"/> renames it).</summary>
    internal IteratorTelemetry Telemetry => _telemetry;

    /// <summary>Gets the number of examples (rows of every array).</summary>
    public int NumData { get; }

    /// <summary>Gets the last-batch policy.</summary>
    public LastBatchHandle LastBatchHandle { get; }

    /// <summary>Gets the current epoch's order: position <c>i</c> of the epoch reads row <c>Idx[i]</c> of every array.</summary>
    public IReadOnlyList<int> Idx => _order;

    /// <inheritdoc />
    public override IReadOnlyList<DataDesc> ProvideData { get; }

    /// <inheritdoc />
    public override IReadOnlyList<DataDesc> ProvideLabel { get; }

    /// <inheritdoc />
    public override ValueTask<DataBatch?> NextAsync(CancellationToken cancellationToken = default) => _epochs.NextAsync(cancellationToken);

    /// <inheritdoc />
    public override void Reset()
    {
        // What the next epoch starts with: the roll-over carry if this one ran to its end, else nothing.
        _carriedIn = _epochs.EpochEnded ? BatchPlan.CarryOut(NumData, BatchSize, LastBatchHandle, _carriedIn) : 0;

        // The next epoch's order is known now (a pure function of seed and epoch), so Idx shows it as soon as Reset returns,
        // even while the old graph is still draining; that graph holds its own order.
        _order = MakeOrder(_epochs.Epoch + 1);
        _epochs.Reset();
    }

    /// <inheritdoc />
    public override int? BatchesPerEpoch => BatchPlan.BatchCount(NumData, BatchSize, LastBatchHandle, _carriedIn);

    /// <inheritdoc />
    public override IteratorState SaveState() =>
        new(StateKind, DataFingerprint(), OptionsFingerprint(), BatchSize, LastBatchHandle, _shuffle, _seed, _epochs.Epoch, _epochs.Delivered, _carriedIn, _epochs.EpochEnded);

    /// <inheritdoc />
    /// <exception cref="ObjectDisposedException">The iterator has been disposed.</exception>
    public override void RestoreState(IteratorState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.CheckMatches(this, StateKind, DataFingerprint(), OptionsFingerprint(), LastBatchHandle, _shuffle, _seed, "input names, shapes and dtypes");
        int carried = state.Carried;
        int batches = BatchPlan.BatchCount(NumData, BatchSize, LastBatchHandle, carried);
        if (carried != 0 && LastBatchHandle != LastBatchHandle.RollOver) throw IteratorState.BadPosition(this, $"it carries {carried} examples into the epoch, which only roll-over does");
        if ((long)carried > (long)NumData * state.Epoch) throw IteratorState.BadPosition(this, $"it carries {carried} examples into epoch {state.Epoch}, more than the epochs before it hold");
        if (state.BatchesInEpoch > batches || (state.Ended && state.BatchesInEpoch != batches))
        {
            throw IteratorState.BadPosition(this, $"it is at batch {state.BatchesInEpoch}{(state.Ended ? " (ended)" : "")} of an epoch of {batches} batches");
        }

        // The running graph captured its own order; only the assembler must wait until it has stopped.
        _order = MakeOrder(state.Epoch);
        _carriedIn = carried;
        _epochs.Restore(state.Epoch, state.BatchesInEpoch, state.Ended, _assembler is null ? static () => { } : _assembler.Reset);
    }

    /// <summary>Gets the kind a state of this iterator records (<see cref="MnistIter"/> wraps one).</summary>
    internal IteratorKind StateKind { get; init; } = IteratorKind.NDArray;

    /// <summary>Gets whether the iterator disposes its arrays once it has stopped (an iterator over arrays it made itself, as <see cref="MnistIter"/>'s).</summary>
    internal bool OwnsArrays { get; init; }

    private void Release()
    {
        _assembler?.Dispose();
        if (!OwnsArrays) return;
        foreach ((_, NDArray array) in _data) array.Dispose();
        foreach ((_, NDArray array) in _label) array.Dispose();
    }

    private EpochGraph StartEpoch(int epoch, CancellationToken cancellationToken)
    {
        int[] order = _order;
        int startBatch = _epochs.StartBatch;
        if (_assembler is null) return StartSparseEpoch(order, startBatch, cancellationToken);
        List<Segment> prefix = [];
        int skip = 0;
        if (startBatch == 0)
        {
            // A restored carry is not in the assembler: it is the last examples of the epochs before this one, in their own orders.
            int rebuild = _carriedIn - _assembler.Filled;
            for (int back = epoch - 1, left = rebuild; left > 0; back--)
            {
                int take = Math.Min(left, NumData);
                prefix.Insert(0, new Segment(MakeOrder(back), NumData - take, take, Filler: false));
                left -= take;
            }
        }
        else
        {
            // Resumed after startBatch batches: the carry went into the first of them.
            skip = (startBatch * BatchSize) - _carriedIn;
        }

        IPropagatorBlock<EpochMessage<Segment>, DataBatch> batch = BatchBlock.Create<Segment>(
            _assembler, (segment, assembler) => Fill(segment, assembler), boundedCapacity: 2, cancellationToken);
        Task producer = EpochProducer.Start(batch, Segments(prefix, order, skip, startBatch > 0), cancellationToken);
        return new EpochGraph(PrefetchBlock.Append(batch, _prefetch), producer);
    }

    private IEnumerable<Segment> Segments(List<Segment> prefix, int[] order, int skip, bool resumed)
    {
        foreach (Segment segment in prefix)
        {
            for (int start = 0; start < segment.Count; start += BatchSize)
            {
                yield return segment with { Start = segment.Start + start, Count = Math.Min(BatchSize, segment.Count - start) };
            }
        }

        foreach ((int start, int count) in Ranges(skip, order.Length, BatchSize)) yield return new Segment(order, start, count, Filler: false);

        // A resumed epoch never held its first batch, which Pad copies its filler from: write the filler here.
        if (resumed && LastBatchHandle == LastBatchHandle.Pad && skip < order.Length)
        {
            int pad = BatchPlan.LastPad(order.Length, BatchSize, LastBatchHandle.Pad);
            if (pad > 0) yield return new Segment(order, 0, pad, Filler: true);
        }
    }

    private void OnReset(bool epochEnded)
    {
        // A reset before the epoch's end abandons its partial batch; after the end, a roll-over carry stays.
        if (!epochEnded) _assembler?.Reset();
    }

    private ulong OptionsFingerprint()
    {
        var fingerprint = new Fingerprint();
        foreach (DataDesc desc in ProvideData.Concat(ProvideLabel))
        {
            fingerprint.Add(desc.Name);
            fingerprint.Add(desc.Shape);
            fingerprint.Add((long)desc.DType);
        }

        return fingerprint.Value;
    }

    private ulong DataFingerprint()
    {
        if (_dataFingerprint is { } known) return known;

        // Up to 64 rows spread over the data, every input: enough to tell data sets apart without reading all of it.
        var fingerprint = new Fingerprint();
        fingerprint.Add(NumData);
        int step = Math.Max(1, NumData / 64);
        for (int o = 0; o < _data.Length + _label.Length; o++)
        {
            bool isData = o < _data.Length;
            NDArray array = isData ? _data[o].Array : _label[o - _data.Length].Array;
            int rowBytes = isData ? _dataRowBytes[o] : _labelRowBytes[o - _data.Length];
            ReadOnlySpan<byte> bytes = array.AsBytes();
            for (long row = 0; row < NumData; row += step) fingerprint.Add(bytes.Slice((int)(row * rowBytes), Math.Min(rowBytes, 4096)));
            fingerprint.Add(bytes.Slice((NumData - 1) * rowBytes, Math.Min(rowBytes, 4096)));
        }

        foreach ((string name, CsrNDArray array) in _sparseData.Concat(_sparseLabel))
        {
            fingerprint.Add(name);
            fingerprint.Add(array.NonZeroCount);
            fingerprint.Add(System.Runtime.InteropServices.MemoryMarshal.AsBytes(array.IndPtr.AsSpan<long>()));
            fingerprint.Add(array.Data.AsBytes()[..Math.Min(array.Data.ByteLength, 4096)]);
        }

        _dataFingerprint = fingerprint.Value;
        return fingerprint.Value;
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

    private DataBatch? Fill(Segment segment, BatchAssembler assembler)
    {
        DataBatch? filled = null;
        (int[] order, int start, int count, bool filler) = segment;
        int end = start + count;
        while (start < end)
        {
            int take = Math.Min(assembler.FreeSlots, end - start);
            for (int o = 0; o < _data.Length; o++) Gather(_data[o].Array.AsBytes(), _dataRowBytes[o], order, start, take, assembler.DataSlots(o, take));
            for (int o = 0; o < _label.Length; o++) Gather(_label[o].Array.AsBytes(), _labelRowBytes[o], order, start, take, assembler.LabelSlots(o, take));
            Span<long> index = assembler.IndexSlots(take);
            for (int i = 0; i < take; i++) index[i] = order[start + i];
            start += take;
            filled = BatchBlock.KeepOne(filled, filler ? assembler.CommitFiller(take) : assembler.Commit(take));
        }

        return filled;
    }

    private void Gather(ReadOnlySpan<byte> source, int rowBytes, int[] order, int start, int count, Span<byte> destination)
    {
        if (!_shuffle)
        {
            // Unshuffled rows are consecutive: one copy for the whole run.
            source.Slice(order[start] * rowBytes, count * rowBytes).CopyTo(destination);
            return;
        }

        for (int i = 0; i < count; i++)
        {
            source.Slice(order[start + i] * rowBytes, rowBytes).CopyTo(destination.Slice(i * rowBytes, rowBytes));
        }
    }

    private int[] MakeOrder(int epoch)
    {
        int[] order = new int[NumData];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        if (_shuffle) SeededRandom.For(_seed, epoch).Shuffle(order);
        return order;
    }

    private static IEnumerable<(int Start, int Count)> Ranges(int first, int total, int step)
    {
        for (int start = first; start < total; start += step) yield return (start, Math.Min(step, total - start));
    }

    /// <summary>A run of the examples of one epoch's order; filler is the epoch's first examples again, as pad.</summary>
    private readonly record struct Segment(int[] Order, int Start, int Count, bool Filler);

    private static (string, NDArray)[] Named(NDArray array, string name)
    {
        ArgumentNullException.ThrowIfNull(array);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return [(name, array)];
    }

    private static (string, NDArray)[] FromDictionary(IReadOnlyDictionary<string, NDArray> arrays, string parameter)
    {
        ArgumentNullException.ThrowIfNull(arrays, parameter);
        var result = new (string, NDArray)[arrays.Count];
        int i = 0;
        foreach (KeyValuePair<string, NDArray> pair in arrays)
        {
            if (pair.Value is null) throw new ArgumentException($"Input '{pair.Key}' is null.", parameter);
            result[i++] = (pair.Key, pair.Value);
        }

        return result;
    }

    private static (string, NDArray)[] FromList(IReadOnlyList<NDArray> arrays, string name, string parameter)
    {
        ArgumentNullException.ThrowIfNull(arrays, parameter);
        var result = new (string, NDArray)[arrays.Count];
        for (int i = 0; i < arrays.Count; i++)
        {
            if (arrays[i] is null) throw new ArgumentException($"Input {i} is null.", parameter);
            result[i] = (arrays.Count == 1 ? name : $"_{i}_{name}", arrays[i]);
        }

        return result;
    }

    private static (string Name, T Array)[] SortByName<T>((string Name, T Array)[] arrays)
    {
        var sorted = ((string Name, T Array)[])arrays.Clone();
        Array.Sort(sorted, (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return sorted;
    }

    private static int CheckRows((string Name, NDArray Array)[] data, (string Name, NDArray Array)[] label, (string Name, CsrNDArray Array)[] sparseData, (string Name, CsrNDArray Array)[] sparseLabel)
    {
        var shapes = new List<(string Name, int[] Shape)>();
        foreach ((string name, NDArray array) in data) shapes.Add((name, array.Shape));
        foreach ((string name, CsrNDArray array) in sparseData) shapes.Add((name, array.Shape));
        foreach ((string name, NDArray array) in label) shapes.Add((name, array.Shape));
        foreach ((string name, CsrNDArray array) in sparseLabel) shapes.Add((name, array.Shape));
        (string firstName, int[] first) = shapes[0];
        if (first.Length == 0 || first[0] == 0)
        {
            throw new ArgumentException($"Data input '{firstName}' has no examples (shape {DataDesc.FormatTuple(first)}).", nameof(data));
        }

        int rows = first[0];
        foreach ((string name, int[] shape) in shapes)
        {
            if (shape.Length == 0 || shape[0] != rows)
            {
                throw new ArgumentException($"Input '{name}' has shape {DataDesc.FormatTuple(shape)}, but '{firstName}' has {rows} examples; every input needs one row per example.", nameof(data));
            }
        }

        return rows;
    }

    private static DataDesc[] Describe((string Name, CsrNDArray Array)[] arrays, int batchSize)
    {
        var descs = new DataDesc[arrays.Length];
        for (int i = 0; i < arrays.Length; i++) descs[i] = new DataDesc(arrays[i].Name, [batchSize, arrays[i].Array.Shape[1]], arrays[i].Array.DType);
        return descs;
    }

    private static (string, CsrNDArray)[] NamedSparse(CsrNDArray array, string name)
    {
        ArgumentNullException.ThrowIfNull(array);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return [(name, array)];
    }

    private static (string, CsrNDArray)[] FromSparseDictionary(IReadOnlyDictionary<string, CsrNDArray> arrays, string parameter)
    {
        ArgumentNullException.ThrowIfNull(arrays, parameter);
        var result = new (string, CsrNDArray)[arrays.Count];
        int i = 0;
        foreach (KeyValuePair<string, CsrNDArray> pair in arrays)
        {
            if (pair.Value is null) throw new ArgumentException($"Input '{pair.Key}' is null.", parameter);
            result[i++] = (pair.Key, pair.Value);
        }

        return result;
    }

    private EpochGraph StartSparseEpoch(int[] order, int startBatch, CancellationToken cancellationToken)
    {
        BufferBlock<DataBatch> prefetch = PrefetchBlock.Create(_prefetch);
        return new EpochGraph(prefetch, PrefetchBlock.Fill(prefetch, SparseBatches(order, startBatch), cancellationToken));
    }

    /// <summary>The epoch's sparse batches from <paramref name="startBatch"/> on; Discard: whole batches only.</summary>
    private IEnumerable<DataBatch> SparseBatches(int[] order, int startBatch)
    {
        for (int start = startBatch * BatchSize; start + BatchSize <= order.Length; start += BatchSize) yield return SparseBatch(order, start);
    }

    private DataBatch SparseBatch(int[] order, int start)
    {
        ReadOnlySpan<int> rows = order.AsSpan(start, BatchSize);
        var data = new NDArray[_data.Length];
        var label = new NDArray[_label.Length];
        var sparseData = new CsrNDArray[_sparseData.Length];
        var sparseLabel = new CsrNDArray[_sparseLabel.Length];
        for (int o = 0; o < _data.Length; o++) data[o] = GatherRows(_data[o].Array, _dataRowBytes[o], order, start);
        for (int o = 0; o < _label.Length; o++) label[o] = GatherRows(_label[o].Array, _labelRowBytes[o], order, start);
        for (int o = 0; o < _sparseData.Length; o++) sparseData[o] = _sparseData[o].Array.TakeRows(rows);
        for (int o = 0; o < _sparseLabel.Length; o++) sparseLabel[o] = _sparseLabel[o].Array.TakeRows(rows);
        long[] index = new long[BatchSize];
        for (int i = 0; i < BatchSize; i++) index[i] = rows[i];
        return new DataBatch(data, label, 0, index) { SparseData = sparseData, SparseLabel = sparseLabel };
    }

    private NDArray GatherRows(NDArray source, int rowBytes, int[] order, int start)
    {
        int[] shape = source.Shape;
        shape[0] = BatchSize;
        NDArray batch = NDArray.Empty(source.DType, shape);
        Gather(source.AsBytes(), rowBytes, order, start, BatchSize, batch.AsBytes());
        return batch;
    }

    private static DataDesc[] Describe((string Name, NDArray Array)[] arrays, int batchSize)
    {
        var descs = new DataDesc[arrays.Length];
        for (int i = 0; i < arrays.Length; i++)
        {
            int[] shape = arrays[i].Array.Shape;
            shape[0] = batchSize;
            descs[i] = new DataDesc(arrays[i].Name, shape, arrays[i].Array.DType);
        }

        return descs;
    }
}
