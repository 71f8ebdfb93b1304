using System.Buffers;
using Pipeline.Core;

namespace Pipeline.Stages.Iterators.Internal;

/// <summary>Collects the rows of one batch in CSR form (pooled growing buffers) and turns them into arrays.</summary>
internal sealed class LibSvmBatchBuilder : IDisposable
{
    private float[] _values = ArrayPool<float>.Shared.Rent(1024);
    private long[] _indices = ArrayPool<long>.Shared.Rent(1024);
    private readonly long[] _indptr;
    private readonly float[] _labels;
    private int _nnz;

    public LibSvmBatchBuilder(int rows, long columns)
    {
        _indptr = new long[rows + 1];
        _labels = new float[rows];
        Columns = columns;
    }

    /// <summary>Gets the number of columns a row may index.</summary>
    public long Columns { get; }

    /// <summary>Gets the number of complete rows.</summary>
    public int Rows { get; private set; }

    /// <summary>Gets whether every row of the batch is complete.</summary>
    public bool IsFull => Rows == _labels.Length;

    public void BeginRow() => _nnz = (int)_indptr[Rows];

    public void SetLabel(float label) => _labels[Rows] = label;

    public void Add(long index, float value)
    {
        if (_nnz == _values.Length) Grow();
        _values[_nnz] = value;
        _indices[_nnz] = index;
        _nnz++;
    }

    public void EndRow()
    {
        Rows++;
        _indptr[Rows] = _nnz;
    }

    /// <summary>Adds an empty row with label 0 (a zero-filled pad row).</summary>
    public void AddEmptyRow()
    {
        BeginRow();
        _labels[Rows] = 0;
        EndRow();
    }

    /// <summary>Copies the rows into a new CSR array and starts over.</summary>
    public CsrNDArray TakeCsr()
    {
        int nnz = (int)_indptr[Rows];
        NDArray data = NDArray.Empty(DType.Float32, nnz);
        NDArray indices = NDArray.Empty(DType.Int64, nnz);
        NDArray indptr = NDArray.Empty(DType.Int64, Rows + 1);
        _values.AsSpan(0, nnz).CopyTo(data.AsSpan<float>());
        _indices.AsSpan(0, nnz).CopyTo(indices.AsSpan<long>());
        _indptr.AsSpan(0, Rows + 1).CopyTo(indptr.AsSpan<long>());

        // The reader checked every row, so the full check_format cannot fail here.
        var csr = new CsrNDArray(data, indices, indptr, Rows, (int)Columns);
        Clear();
        return csr;
    }

    /// <summary>Copies the labels of the rows into a new dense (rows,) array; call before <see cref="TakeCsr"/>.</summary>
    public NDArray TakeLabels()
    {
        NDArray labels = NDArray.Empty(DType.Float32, Rows);
        _labels.AsSpan(0, Rows).CopyTo(labels.AsSpan<float>());
        return labels;
    }

    public void Clear()
    {
        Rows = 0;
        _nnz = 0;
        _indptr[0] = 0;
    }

    public void Dispose()
    {
        if (_values.Length > 0) ArrayPool<float>.Shared.Return(_values);
        if (_indices.Length > 0) ArrayPool<long>.Shared.Return(_indices);
        _values = [];
        _indices = [];
    }

    private void Grow()
    {
        float[] values = ArrayPool<float>.Shared.Rent(_values.Length * 2);
        long[] indices = ArrayPool<long>.Shared.Rent(_indices.Length * 2);
        _values.AsSpan(0, _nnz).CopyTo(values);
        _indices.AsSpan(0, _nnz).CopyTo(indices);
        ArrayPool<float>.Shared.Return(_values);
        ArrayPool<long>.Shared.Return(_indices);
        _values = values;
        _indices = indices;
    }
}
