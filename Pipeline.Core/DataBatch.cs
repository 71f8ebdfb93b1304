using System.Text;
using Pipeline.Core.Batching;

namespace Pipeline.Core;

/// <summary>One batch of data and labels produced by a <see cref="DataIter"/>.</summary>
/// <remarks>
/// A batch owns its arrays: <see cref="Dispose"/> disposes them, which returns pooled batch buffers for
/// reuse. Dispose each batch once you are done with it (<c>using var batch = ...</c>).
/// </remarks>
public sealed class DataBatch : IDisposable
{
    private int _disposed;

    /// <summary>Initializes a new batch.</summary>
    /// <param name="data">The data arrays, one per input.</param>
    /// <param name="label">The label arrays, one per output; <see langword="null"/> or empty for none.</param>
    /// <param name="pad">The number of trailing examples that are filler and must be ignored.</param>
    /// <param name="index">The source index of each example, when the iterator knows it.</param>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pad"/> is negative.</exception>
    public DataBatch(IReadOnlyList<NDArray> data, IReadOnlyList<NDArray>? label = null, int pad = 0, IReadOnlyList<long>? index = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(pad);
        Data = data;
        Label = label ?? [];
        Pad = pad;
        Index = index;
    }

    /// <summary>Gets the data arrays, one per input.</summary>
    public IReadOnlyList<NDArray> Data { get; }

    /// <summary>Gets the label arrays, one per output; empty when there is no label.</summary>
    public IReadOnlyList<NDArray> Label { get; }

    /// <summary>Gets the number of trailing examples that are filler (wrapped from the start of the epoch).</summary>
    public int Pad { get; private set; }

    /// <summary>Gets the source index of each example, or <see langword="null"/> when not known.</summary>
    public IReadOnlyList<long>? Index { get; }

    /// <summary>Gets the bucket this batch belongs to (MXNet's <c>bucket_key</c>), for iterators whose batches differ in shape, such as <c>BucketSentenceIter</c>; <see langword="null"/> otherwise.</summary>
    public int? BucketKey { get; init; }

    /// <summary>Gets the name, shape and type of this batch's data arrays when they differ from the iterator's <see cref="DataIter.ProvideData"/> (MXNet's per-batch <c>provide_data</c>); <see langword="null"/> when they do not.</summary>
    public IReadOnlyList<DataDesc>? ProvideData { get; init; }

    /// <summary>Gets the name, shape and type of this batch's label arrays when they differ from the iterator's <see cref="DataIter.ProvideLabel"/>; <see langword="null"/> when they do not.</summary>
    public IReadOnlyList<DataDesc>? ProvideLabel { get; init; }

    /// <summary>Gets the sparse (CSR) data arrays, for iterators over sparse inputs such as <c>LibSVMIter</c>; empty otherwise.</summary>
    /// <remarks>The iterator's <see cref="DataIter.ProvideData"/> describes the dense arrays of <see cref="Data"/> first, then these. The batch owns them.</remarks>
    public IReadOnlyList<CsrNDArray> SparseData { get; init; } = [];

    /// <summary>Gets the sparse (CSR) label arrays; empty when the labels are dense (or absent).</summary>
    /// <remarks>The iterator's <see cref="DataIter.ProvideLabel"/> describes the dense arrays of <see cref="Label"/> first, then these. The batch owns them.</remarks>
    public IReadOnlyList<CsrNDArray> SparseLabel { get; init; } = [];

    /// <summary>Returns MXNet's summary, for example <c>DataBatch: data shapes: [(2, 3)] label shapes: None</c>.</summary>
    /// <returns>The summary.</returns>
    public override string ToString()
    {
        var builder = new StringBuilder("DataBatch: data shapes: ");
        AppendShapes(builder, Data, SparseData);
        builder.Append(" label shapes: ");
        if (Label.Count == 0 && SparseLabel.Count == 0)
        {
            builder.Append("None");
        }
        else
        {
            AppendShapes(builder, Label, SparseLabel);
        }

        return builder.ToString();
    }

    /// <summary>Disposes every array of the batch, returning pooled buffers; later calls do nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        LeakSentinel?.Disarm();

        // A batch made of other iterators' batches (PrefetchingIter) gives each back to its own pool.
        if (Parts is { } parts)
        {
            for (int i = 0; i < parts.Count; i++) parts[i].Dispose();
            return;
        }

        // A batch made by a BatchAssembler goes back to it whole, so steady-state batching allocates nothing.
        if (Recycler is { } recycler && recycler.TryRecycle(this)) return;
        DisposeArrays();
    }

    /// <summary>Gets or sets where a recycled batch keeps its arrays' buffers while it waits for reuse.</summary>
    internal byte[][]? ParkedStorage { get; set; }

    /// <summary>Gets or sets who takes this batch back for reuse on <see cref="Dispose"/>.</summary>
    internal BatchAssembler? Recycler { get; set; }

    /// <summary>Gets or sets the finalizable companion that reports this batch if it is dropped undisposed (batches of a <see cref="BatchAssembler"/>).</summary>
    internal BatchLeakSentinel? LeakSentinel { get; set; }

    /// <summary>Gets or sets the batches whose arrays this batch shows; disposing it disposes them instead of the arrays.</summary>
    internal IReadOnlyList<DataBatch>? Parts { get; init; }

    /// <summary>Gets or sets where the source stands after this batch's last example (a stream's byte offsets), for <see cref="DataIter.SaveState"/>; null when the batch ends its epoch's data.</summary>
    internal object? ResumeCursor { get; set; }

    /// <summary>Makes a recycled batch live again with a new pad.</summary>
    internal void Revive(int pad)
    {
        ResumeCursor = null;
        Pad = pad;
        Volatile.Write(ref _disposed, 0);
    }

    /// <summary>The consumer has the batch now: from here on, dropping it without <see cref="Dispose"/> is reported.</summary>
    /// <remarks>Not earlier: a batch a cancelled graph drops (a <c>Reset</c> mid-epoch) was never the consumer's to dispose.</remarks>
    internal void OnDelivered() => LeakSentinel?.Arm();

    internal void DisposeArrays()
    {
        for (int i = 0; i < Data.Count; i++) Data[i].Dispose();
        for (int i = 0; i < Label.Count; i++) Label[i].Dispose();
        for (int i = 0; i < SparseData.Count; i++) SparseData[i].Dispose();
        for (int i = 0; i < SparseLabel.Count; i++) SparseLabel[i].Dispose();
    }

    private static void AppendShapes(StringBuilder builder, IReadOnlyList<NDArray> arrays, IReadOnlyList<CsrNDArray> sparse)
    {
        builder.Append('[');
        for (int i = 0; i < arrays.Count + sparse.Count; i++)
        {
            if (i > 0) builder.Append(", ");
            builder.Append(DataDesc.FormatTuple(i < arrays.Count ? arrays[i].Shape : sparse[i - arrays.Count].Shape));
        }

        builder.Append(']');
    }
}
