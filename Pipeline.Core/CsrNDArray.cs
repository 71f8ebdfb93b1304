using System.Globalization;

namespace Pipeline.Core;

/// <summary>A two-dimensional array in compressed sparse row form, like MXNet's <c>CSRNDArray</c>: the non-zero values, their column indices and the row pointers.</summary>
/// <remarks>
/// <para>Row <c>r</c> holds the values <c>Data[IndPtr[r] .. IndPtr[r + 1]]</c> at the columns <c>Indices[...]</c> of the same range.
/// <see cref="Indices"/> and <see cref="IndPtr"/> are int64, as in MXNet. The constructor runs MXNet's full
/// <c>check_format</c>: row pointers start at 0, never decrease and end at the number of values; in each row the
/// column indices are in range and strictly increasing (so sorted, without duplicates).</para>
/// <para>The array owns its three parts: <see cref="Dispose"/> disposes them.</para>
/// </remarks>
public sealed class CsrNDArray : IDisposable
{
    private readonly int[] _shape;

    /// <summary>Initializes an array over its three parts, which it takes ownership of.</summary>
    /// <param name="data">The non-zero values, one axis.</param>
    /// <param name="indices">The column index of each value, int64, one axis of the same length.</param>
    /// <param name="indptr">The row pointers, int64, one axis of <c>rows + 1</c>.</param>
    /// <param name="shape">The dense shape, <c>(rows, columns)</c>.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The parts do not form a valid CSR array; the message says where.</exception>
    public CsrNDArray(NDArray data, NDArray indices, NDArray indptr, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(indptr);
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length != 2 || shape[0] < 0 || shape[1] < 0)
        {
            throw new ArgumentException($"A CSR array is two-dimensional; got shape {DataDesc.FormatTuple(shape)}.", nameof(shape));
        }

        if (data.Rank != 1) throw new ArgumentException($"data must have one axis; got {DataDesc.FormatTuple(data.Shape)}.", nameof(data));
        if (indices.Rank != 1 || indices.DType != DType.Int64 || indices.Size != data.Size)
        {
            throw new ArgumentException($"indices must be int64 with one axis of {data.Size} (the number of values); got {indices.DType.ToNumPyName()} {DataDesc.FormatTuple(indices.Shape)}.", nameof(indices));
        }

        if (indptr.Rank != 1 || indptr.DType != DType.Int64 || indptr.Size != shape[0] + 1)
        {
            throw new ArgumentException($"indptr must be int64 with one axis of {shape[0] + 1} (rows + 1); got {indptr.DType.ToNumPyName()} {DataDesc.FormatTuple(indptr.Shape)}.", nameof(indptr));
        }

        string? problem = CheckFormat(indices.AsSpan<long>(), indptr.AsSpan<long>(), shape[1]);
        if (problem is not null) throw new ArgumentException($"Invalid CSR array: {problem}.", nameof(indices));
        Data = data;
        Indices = indices;
        IndPtr = indptr;
        _shape = [shape[0], shape[1]];
    }

    /// <summary>Gets the non-zero values.</summary>
    public NDArray Data { get; }

    /// <summary>Gets the column index of each value (int64).</summary>
    public NDArray Indices { get; }

    /// <summary>Gets the row pointers (int64, <c>rows + 1</c> of them).</summary>
    public NDArray IndPtr { get; }

    /// <summary>Gets a copy of the dense shape, <c>(rows, columns)</c>.</summary>
    public int[] Shape => (int[])_shape.Clone();

    /// <summary>Gets the element type of the values.</summary>
    public DType DType => Data.DType;

    /// <summary>Gets the number of stored values.</summary>
    public int NonZeroCount => Data.Size;

    /// <summary>Creates a CSR array holding the non-zero elements of a dense two-dimensional array (<c>tostype('csr')</c>).</summary>
    /// <param name="dense">The dense array; it is not disposed.</param>
    /// <returns>A new CSR array.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="dense"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="dense"/> is not two-dimensional.</exception>
    public static CsrNDArray FromDense(NDArray dense)
    {
        ArgumentNullException.ThrowIfNull(dense);
        if (dense.Rank != 2) throw new ArgumentException($"Only two-dimensional arrays convert to CSR; got {DataDesc.FormatTuple(dense.Shape)}.", nameof(dense));
        int rows = dense.GetLength(0), columns = dense.GetLength(1);
        int size = dense.DType.SizeInBytes();
        ReadOnlySpan<byte> bytes = dense.AsBytes();
        int nnz = 0;
        for (int i = 0; i < rows * columns; i++)
        {
            if (!IsZero(bytes.Slice(i * size, size), dense.DType)) nnz++;
        }

        NDArray data = NDArray.Empty(dense.DType, nnz);
        NDArray indices = NDArray.Empty(DType.Int64, nnz);
        NDArray indptr = NDArray.Empty(DType.Int64, rows + 1);
        Span<byte> values = data.AsBytes();
        Span<long> columnOf = indices.AsSpan<long>();
        Span<long> pointers = indptr.AsSpan<long>();
        int k = 0;
        pointers[0] = 0;
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                ReadOnlySpan<byte> element = bytes.Slice(((r * columns) + c) * size, size);
                if (IsZero(element, dense.DType)) continue;
                element.CopyTo(values.Slice(k * size, size));
                columnOf[k++] = c;
            }

            pointers[r + 1] = k;
        }

        return new CsrNDArray(data, indices, indptr, rows, columns);
    }

    /// <summary>Creates the dense array this one stands for (<c>asnumpy</c>, <c>tostype('default')</c>).</summary>
    /// <returns>A new dense array of <see cref="Shape"/>; the caller disposes it.</returns>
    public NDArray ToDense()
    {
        NDArray dense = NDArray.Zeros(DType, _shape);
        int size = DType.SizeInBytes();
        Span<byte> target = dense.AsBytes();
        ReadOnlySpan<byte> values = Data.AsBytes();
        ReadOnlySpan<long> columns = Indices.AsSpan<long>();
        ReadOnlySpan<long> pointers = IndPtr.AsSpan<long>();
        for (int r = 0; r < _shape[0]; r++)
        {
            for (long k = pointers[r]; k < pointers[r + 1]; k++)
            {
                values.Slice((int)k * size, size).CopyTo(target.Slice((int)(((long)r * _shape[1]) + columns[(int)k]) * size, size));
            }
        }

        return dense;
    }

    /// <summary>Copies the rows <paramref name="rows"/> (in that order, repeats allowed) into a new CSR array, as slicing and <c>take</c> do in MXNet.</summary>
    /// <param name="rows">The row numbers.</param>
    /// <returns>A new CSR array of <c>rows.Length</c> rows.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A row number is outside the array.</exception>
    public CsrNDArray TakeRows(ReadOnlySpan<int> rows)
    {
        ReadOnlySpan<long> pointers = IndPtr.AsSpan<long>();
        long nnz = 0;
        foreach (int r in rows)
        {
            if ((uint)r >= (uint)_shape[0]) throw new ArgumentOutOfRangeException(nameof(rows), r, $"Row {r} is outside the array's {_shape[0]} rows.");
            nnz += pointers[r + 1] - pointers[r];
        }

        int size = DType.SizeInBytes();
        NDArray data = NDArray.Empty(DType, checked((int)nnz));
        NDArray indices = NDArray.Empty(DType.Int64, (int)nnz);
        NDArray indptr = NDArray.Empty(DType.Int64, rows.Length + 1);
        Span<long> outPointers = indptr.AsSpan<long>();
        outPointers[0] = 0;
        int at = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            int begin = (int)pointers[rows[i]], count = (int)(pointers[rows[i] + 1] - begin);
            Data.AsBytes().Slice(begin * size, count * size).CopyTo(data.AsBytes()[(at * size)..]);
            Indices.AsSpan<long>().Slice(begin, count).CopyTo(indices.AsSpan<long>()[at..]);
            at += count;
            outPointers[i + 1] = at;
        }

        return new CsrNDArray(data, indices, indptr, rows.Length, _shape[1]);
    }

    /// <summary>Returns MXNet's summary, for example <c>&lt;CSRNDArray 3x3 @cpu(0)&gt;</c>.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"<CSRNDArray {_shape[0]}x{_shape[1]} @cpu(0)>");

    /// <summary>Disposes the three parts.</summary>
    public void Dispose()
    {
        Data.Dispose();
        Indices.Dispose();
        IndPtr.Dispose();
    }

    /// <summary>MXNet's full <c>check_format</c>; returns what is wrong, or null.</summary>
    internal static string? CheckFormat(ReadOnlySpan<long> indices, ReadOnlySpan<long> indptr, long columns)
    {
        if (indptr[0] != 0) return string.Create(CultureInfo.InvariantCulture, $"indptr[0] is {indptr[0]}, not 0");
        for (int r = 0; r + 1 < indptr.Length; r++)
        {
            if (indptr[r + 1] < indptr[r]) return string.Create(CultureInfo.InvariantCulture, $"indptr decreases at row {r} ({indptr[r]} then {indptr[r + 1]})");
            if (indptr[r + 1] > indices.Length) return string.Create(CultureInfo.InvariantCulture, $"indptr[{r + 1}] = {indptr[r + 1]} is past the {indices.Length} values");
            for (long k = indptr[r]; k < indptr[r + 1]; k++)
            {
                long column = indices[(int)k];
                if (column < 0 || column >= columns) return string.Create(CultureInfo.InvariantCulture, $"row {r} has column index {column}, outside [0, {columns})");
                if (k > indptr[r] && column <= indices[(int)k - 1]) return string.Create(CultureInfo.InvariantCulture, $"row {r} has column indices that are not strictly increasing ({indices[(int)k - 1]} then {column})");
            }
        }

        return indptr[^1] != indices.Length ? string.Create(CultureInfo.InvariantCulture, $"indptr ends at {indptr[^1]}, not at the {indices.Length} values") : null;
    }

    private static bool IsZero(ReadOnlySpan<byte> element, DType dtype) => dtype switch
    {
        // Negative zero counts as zero, as numpy's nonzero does.
        DType.Float32 => BitConverter.ToSingle(element) == 0,
        DType.Float64 => BitConverter.ToDouble(element) == 0,
        DType.Float16 => (BitConverter.ToUInt16(element) & 0x7FFF) == 0,
        _ => element.IndexOfAnyExcept((byte)0) < 0,
    };
}
