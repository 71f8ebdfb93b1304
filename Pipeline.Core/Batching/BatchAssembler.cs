using System.Buffers;
using System.Collections.Concurrent;
using Pipeline.Core.Diagnostics;

namespace Pipeline.Core.Batching;

/// <summary>Writes examples straight into pooled batch buffers and applies the last-batch policy at the end of each epoch.</summary>
/// <remarks>
/// <para>The shared batching engine of every iterator. Callers ask for the byte spans of the next free slots
/// (<see cref="DataSlots"/>, <see cref="LabelSlots"/>, <see cref="IndexSlots"/>), write examples there, and
/// <see cref="Commit"/> them; a full batch comes back from <see cref="Commit"/>, and the partial last one from
/// <see cref="CompleteEpoch"/>.</para>
/// <para><see cref="LastBatchHandle.Pad"/> fills the last batch by wrapping to the start of the epoch's order,
/// tiling when the epoch has fewer examples than a batch; filler comes from a copy of the epoch's first batch,
/// so sources may be streams that cannot rewind. <see cref="LastBatchHandle.RollOver"/> keeps the partial batch
/// and goes on filling it in the next epoch; such a batch is all real examples, so its pad is 0.</para>
/// <para>Batch buffers are rented from the shared pool. A disposed batch comes back to its assembler whole
/// (arrays, index and all, up to 16 of them) and is reused, so steady-state batching allocates nothing; while it
/// waits, its arrays read as disposed. A batch with a leased array (<see cref="NDArray.Lease"/>) is not reused. Not thread-safe: one producer drives it (batches may be disposed on any thread).</para>
/// </remarks>
internal sealed class BatchAssembler : IDisposable
{
    private readonly DataDesc[] _data;
    private readonly DataDesc[] _label;
    private readonly int[] _dataRowBytes;
    private readonly int[] _labelRowBytes;
    private const int MaxRecycled = 16;
    private readonly ConcurrentQueue<DataBatch> _recycled = new();
    private int _recycledCount;
    private DataBatch? _currentShell;
    private NDArray[]? _currentData;
    private NDArray[]? _currentLabel;
    private long[]? _currentIndex;
    private byte[][]? _head;
    private byte[][]? _headBuffers;
    private long[]? _headIndexBuffer;
    private long[]? _headIndex;
    private int _filled;
    private int _fillers;
    private long _epochSamples;
    private bool _disposed;

    /// <summary>Initializes an assembler for batches with the given outputs.</summary>
    /// <param name="data">The data outputs; each shape starts with the batch size.</param>
    /// <param name="label">The label outputs; each shape starts with the batch size.</param>
    /// <param name="handle">What to do with the partial last batch of an epoch.</param>
    /// <exception cref="ArgumentException">There is no data output, or an output's first axis is not the common batch size.</exception>
    public BatchAssembler(IReadOnlyList<DataDesc> data, IReadOnlyList<DataDesc> label, LastBatchHandle handle)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(label);
        if (data.Count == 0) throw new ArgumentException("A batch needs at least one data output.", nameof(data));
        if (!Enum.IsDefined(handle)) throw new ArgumentOutOfRangeException(nameof(handle), handle, "Unknown LastBatchHandle.");
        _data = [.. data];
        _label = [.. label];
        BatchSize = _data[0].Shape.Length > 0 ? _data[0].Shape[0] : 0;
        if (BatchSize <= 0) throw new ArgumentException($"Output '{_data[0].Name}' must have a positive batch size as its first axis.", nameof(data));
        _dataRowBytes = RowBytes(_data, BatchSize, nameof(data));
        _labelRowBytes = RowBytes(_label, BatchSize, nameof(label));
        Handle = handle;
    }

    /// <summary>Gets the examples per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Gets the data outputs.</summary>
    public IReadOnlyList<DataDesc> Data => _data;

    /// <summary>Gets the label outputs.</summary>
    public IReadOnlyList<DataDesc> Label => _label;

    /// <summary>Gets the last-batch policy.</summary>
    public LastBatchHandle Handle { get; }

    /// <summary>Gets or sets whether <see cref="LastBatchHandle.Pad"/> fills the last batch with zeros (index -1) instead of wrapping to the epoch's start.</summary>
    /// <remarks>Used for MXNet's <c>round_batch = false</c>, whose filler is stale rows of the previous batch; zeros are never stale.</remarks>
    public bool ZeroFillPad { get; set; }

    /// <summary>Gets or sets the iterator's telemetry: when set, a batch dropped without <see cref="DataBatch.Dispose"/> is counted there (and logged once).</summary>
    public IteratorTelemetry? Telemetry { get; set; }

    /// <summary>Gets the bytes one example takes in each data output.</summary>
    public IReadOnlyList<int> DataRowBytes => _dataRowBytes;

    /// <summary>Gets the bytes one example takes in each label output.</summary>
    public IReadOnlyList<int> LabelRowBytes => _labelRowBytes;

    /// <summary>Gets the number of examples already in the current batch (after a roll-over, the carried ones).</summary>
    public int Filled => _filled;

    /// <summary>Gets the number of slots left in the current batch.</summary>
    public int FreeSlots => BatchSize - _filled;

    /// <summary>Gets the bytes of the next <paramref name="count"/> free slots of a data output.</summary>
    /// <param name="output">The data output.</param>
    /// <param name="count">The number of slots, at most <see cref="FreeSlots"/>.</param>
    /// <returns>A span of <c>count</c> rows, to be written in full before <see cref="Commit"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> exceeds <see cref="FreeSlots"/>.</exception>
    public Span<byte> DataSlots(int output, int count)
    {
        EnsureBatch();
        CheckCount(count);
        int row = _dataRowBytes[output];
        return _currentData![output].AsBytes().Slice(_filled * row, count * row);
    }

    /// <summary>Gets the bytes of the next <paramref name="count"/> free slots of a label output.</summary>
    /// <param name="output">The label output.</param>
    /// <param name="count">The number of slots, at most <see cref="FreeSlots"/>.</param>
    /// <returns>A span of <c>count</c> rows, to be written in full before <see cref="Commit"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> exceeds <see cref="FreeSlots"/>.</exception>
    public Span<byte> LabelSlots(int output, int count)
    {
        EnsureBatch();
        CheckCount(count);
        int row = _labelRowBytes[output];
        return _currentLabel![output].AsBytes().Slice(_filled * row, count * row);
    }

    /// <summary>Gets the source indices of the next <paramref name="count"/> free slots.</summary>
    /// <param name="count">The number of slots, at most <see cref="FreeSlots"/>.</param>
    /// <returns>A span to fill with each example's index in its source.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> exceeds <see cref="FreeSlots"/>.</exception>
    public Span<long> IndexSlots(int count)
    {
        EnsureBatch();
        CheckCount(count);
        return _currentIndex.AsSpan(_filled, count);
    }

    /// <summary>Marks the next <paramref name="count"/> slots as written.</summary>
    /// <param name="count">The number of slots written, at most <see cref="FreeSlots"/>.</param>
    /// <returns>The batch if it is now full (the caller owns it), otherwise <see langword="null"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> exceeds <see cref="FreeSlots"/>.</exception>
    public DataBatch? Commit(int count)
    {
        EnsureBatch();
        CheckCount(count);
        _filled += count;
        _epochSamples += count;
        if (_filled < BatchSize) return null;

        // Pad needs the epoch's first examples at its end; a copy of the first batch holds every one it can need.
        if (Handle == LastBatchHandle.Pad && _head is null) SaveHead();
        return Emit(pad: 0);
    }

    /// <summary>Marks the next <paramref name="count"/> slots as written with filler: the epoch's first examples again, counted in the batch's pad.</summary>
    /// <param name="count">The number of filler slots written, at most <see cref="FreeSlots"/>.</param>
    /// <returns>The batch if it is now full (the caller owns it), otherwise <see langword="null"/>.</returns>
    /// <remarks>A resumed epoch never saw its first batch, so <see cref="CompleteEpoch"/> has nothing to pad from: the producer
    /// writes the filler itself, the same examples <see cref="LastBatchHandle.Pad"/> would have copied.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> exceeds <see cref="FreeSlots"/>.</exception>
    public DataBatch? CommitFiller(int count)
    {
        EnsureBatch();
        CheckCount(count);
        _filled += count;
        _fillers += count;
        if (_filled < BatchSize) return null;
        int pad = _fillers;
        _fillers = 0;
        return Emit(pad);
    }

    /// <summary>Ends the epoch: pads, drops or keeps the partial batch according to <see cref="Handle"/>.</summary>
    /// <returns>The padded last batch (caller owns it), or <see langword="null"/> when there is none.</returns>
    public DataBatch? CompleteEpoch()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long epochSamples = _epochSamples;
        _epochSamples = 0;
        DataBatch? last = null;
        if (_filled > 0)
        {
            switch (Handle)
            {
                case LastBatchHandle.Pad:
                    last = PadAndEmit(epochSamples);
                    break;
                case LastBatchHandle.Discard:
                    _filled = 0;
                    break;
                case LastBatchHandle.RollOver:
                    // Keep the partial batch: the next epoch's first examples complete it.
                    break;
            }
        }

        ReleaseHead();
        return last;
    }

    /// <summary>Abandons the epoch in progress: drops the partial batch and anything carried over.</summary>
    public void Reset()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _filled = 0;
        _fillers = 0;
        _epochSamples = 0;
        ReleaseHead();
    }

    /// <summary>Returns the buffers of the unfinished batch to the pool.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        Volatile.Write(ref _disposed, true);
        DisposeCurrent();
        ReleaseHead();
        _headBuffers = null;
        _headIndexBuffer = null;
        DrainRecycled();
    }

    private static int[] RowBytes(DataDesc[] descs, int batchSize, string parameter)
    {
        var rows = new int[descs.Length];
        for (int i = 0; i < descs.Length; i++)
        {
            int[] shape = descs[i].Shape;
            if (shape.Length == 0 || shape[0] != batchSize)
            {
                throw new ArgumentException($"Output '{descs[i].Name}' has shape {DataDesc.FormatTuple(shape)}; its first axis must be the batch size {batchSize}.", parameter);
            }

            long elements = 1;
            for (int axis = 1; axis < shape.Length; axis++) elements *= shape[axis];
            rows[i] = checked((int)(elements * descs[i].DType.SizeInBytes()));
        }

        return rows;
    }

    private void CheckCount(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, BatchSize - _filled);
    }

    /// <summary>Takes back a disposed batch for reuse, parking its buffers; false when the pool is full or closed.</summary>
    internal bool TryRecycle(DataBatch batch)
    {
        if (Volatile.Read(ref _disposed) || Interlocked.Increment(ref _recycledCount) > MaxRecycled)
        {
            Interlocked.Decrement(ref _recycledCount);
            return false;
        }

        int outputs = batch.Data.Count + batch.Label.Count;
        byte[][] storage = batch.ParkedStorage ??= new byte[outputs][];
        bool complete = true;
        for (int i = 0; i < outputs; i++)
        {
            NDArray array = i < batch.Data.Count ? batch.Data[i] : batch.Label[i - batch.Data.Count];
            complete &= (storage[i] = array.Park()!) is not null;
        }

        if (!complete)
        {
            // The caller disposed an array of the batch by hand, or a lease (a tensor viewing it) still holds one: that
            // storage must not carry a later batch. Give the rest back and let the batch dispose them; the leased
            // storage goes back to its pool when its last lease is released.
            Unpark(batch, storage);
            Interlocked.Decrement(ref _recycledCount);
            return false;
        }

        _recycled.Enqueue(batch);

        // Dispose may have closed the pool meanwhile; then nobody would take this batch again.
        if (Volatile.Read(ref _disposed)) DrainRecycled();
        return true;
    }

    private void DrainRecycled()
    {
        while (_recycled.TryDequeue(out DataBatch? batch))
        {
            Interlocked.Decrement(ref _recycledCount);
            Unpark(batch, batch.ParkedStorage!);
            batch.DisposeArrays();
        }
    }

    private static void Unpark(DataBatch batch, byte[][] storage)
    {
        for (int i = 0; i < storage.Length; i++)
        {
            if (storage[i] is null) continue;
            NDArray array = i < batch.Data.Count ? batch.Data[i] : batch.Label[i - batch.Data.Count];
            array.Unpark(storage[i]);
            storage[i] = null!;
        }
    }

    private void EnsureBatch()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_currentData is not null) return;
        if (_recycled.TryDequeue(out DataBatch? reuse))
        {
            Interlocked.Decrement(ref _recycledCount);
            Unpark(reuse, reuse.ParkedStorage!);
            _currentShell = reuse;
            _currentData = (NDArray[])reuse.Data;
            _currentLabel = (NDArray[])reuse.Label;
            _currentIndex = (long[])reuse.Index!;
            return;
        }

        _currentData = new NDArray[_data.Length];
        for (int i = 0; i < _data.Length; i++) _currentData[i] = NDArray.Empty(_data[i].DType, _data[i].Shape);
        _currentLabel = new NDArray[_label.Length];
        for (int i = 0; i < _label.Length; i++) _currentLabel[i] = NDArray.Empty(_label[i].DType, _label[i].Shape);
        _currentIndex = new long[BatchSize];
    }

    private DataBatch Emit(int pad)
    {
        DataBatch batch;
        if (_currentShell is not null)
        {
            batch = _currentShell;
            batch.Revive(pad);
        }
        else
        {
            batch = new DataBatch(_currentData!, _currentLabel, pad, _currentIndex) { Recycler = this };
            if (Telemetry is { } telemetry) batch.LeakSentinel = new BatchLeakSentinel(telemetry);
        }

        _currentShell = null;
        _currentData = null;
        _currentLabel = null;
        _currentIndex = null;
        _filled = 0;
        return batch;
    }

    private DataBatch PadAndEmit(long epochSamples)
    {
        int real = _filled;
        int pad = BatchSize - real;
        if (ZeroFillPad)
        {
            for (int o = 0; o < _data.Length; o++) _currentData![o].AsBytes()[(real * _dataRowBytes[o])..].Clear();
            for (int o = 0; o < _label.Length; o++) _currentLabel![o].AsBytes()[(real * _labelRowBytes[o])..].Clear();
            _currentIndex.AsSpan(real).Fill(-1);
            _filled = BatchSize;
            return Emit(pad);
        }

        // Filler k is the epoch's example k mod N. With N >= B the first batch (saved as the head) holds it;
        // with N < B the whole epoch is this batch, so it is slot k mod N of the batch itself.
        bool fromHead = _head is not null && epochSamples >= BatchSize;
        int n = (int)Math.Min(epochSamples, BatchSize);
        for (int k = 0; k < pad; k++)
        {
            int source = k % n;
            for (int o = 0; o < _data.Length; o++) CopyRow(_currentData![o].AsBytes(), _dataRowBytes[o], fromHead ? _head![o] : null, source, real + k);
            for (int o = 0; o < _label.Length; o++) CopyRow(_currentLabel![o].AsBytes(), _labelRowBytes[o], fromHead ? _head![_data.Length + o] : null, source, real + k);
            _currentIndex![real + k] = fromHead ? _headIndex![source] : _currentIndex[source];
        }

        _filled = BatchSize;
        return Emit(pad);
    }

    private static void CopyRow(Span<byte> batch, int rowBytes, byte[]? head, int sourceSlot, int targetSlot)
    {
        ReadOnlySpan<byte> source = head is null ? batch.Slice(sourceSlot * rowBytes, rowBytes) : head.AsSpan(sourceSlot * rowBytes, rowBytes);
        source.CopyTo(batch.Slice(targetSlot * rowBytes, rowBytes));
    }

    private void SaveHead()
    {
        // The copy's buffers are the assembler's own, kept from epoch to epoch: renting them from the shared pool every
        // epoch left one batch-sized array behind in some pool thread's cache each time (+1 batch of memory per epoch).
        if (_headBuffers is null)
        {
            _headBuffers = new byte[_data.Length + _label.Length][];
            for (int o = 0; o < _data.Length; o++) _headBuffers[o] = GC.AllocateUninitializedArray<byte>(_currentData![o].AsBytes().Length);
            for (int o = 0; o < _label.Length; o++) _headBuffers[_data.Length + o] = GC.AllocateUninitializedArray<byte>(_currentLabel![o].AsBytes().Length);
            _headIndexBuffer = new long[BatchSize];
        }

        for (int o = 0; o < _data.Length; o++) _currentData![o].AsBytes().CopyTo(_headBuffers[o]);
        for (int o = 0; o < _label.Length; o++) _currentLabel![o].AsBytes().CopyTo(_headBuffers[_data.Length + o]);
        _currentIndex.AsSpan().CopyTo(_headIndexBuffer);
        _head = _headBuffers;
        _headIndex = _headIndexBuffer;
    }

    /// <summary>Forgets the epoch's copy of its first batch (its buffers stay for the next epoch).</summary>
    private void ReleaseHead()
    {
        _head = null;
        _headIndex = null;
    }

    private void DisposeCurrent()
    {
        if (_currentData is not null) foreach (NDArray array in _currentData) array.Dispose();
        if (_currentLabel is not null) foreach (NDArray array in _currentLabel) array.Dispose();
        _currentShell = null;
        _currentData = null;
        _currentLabel = null;
        _currentIndex = null;
        _filled = 0;
        _fillers = 0;
    }
}
