using Pipeline.Core;

namespace Pipeline.Tests.Core;

public sealed class CsrNDArrayTests
{
    [Fact]
    public void FromDense_ToDense_RoundTrips_WithMXNetsParts()
    {
        using NDArray dense = NDArray.From(new float[] { 0.5f, 0, 1.2f, 0, 0, 0, 0.6f, 2.4f, -0f }, 3, 3);
        using CsrNDArray csr = CsrNDArray.FromDense(dense);
        Assert.Equal([0.5f, 1.2f, 0.6f, 2.4f], csr.Data.ToArray<float>());
        Assert.Equal([0L, 2, 0, 1], csr.Indices.ToArray<long>());
        Assert.Equal([0L, 2, 2, 4], csr.IndPtr.ToArray<long>());
        Assert.Equal([3, 3], csr.Shape);
        Assert.Equal("<CSRNDArray 3x3 @cpu(0)>", csr.ToString());
        using NDArray back = csr.ToDense();
        Assert.Equal([0.5f, 0, 1.2f, 0, 0, 0, 0.6f, 2.4f, 0], back.ToArray<float>());

        // int32 whose bits look like float -0 is not zero.
        using NDArray ints = NDArray.From(new int[] { int.MinValue, 0 }, 1, 2);
        using CsrNDArray intCsr = CsrNDArray.FromDense(ints);
        Assert.Equal(1, intCsr.NonZeroCount);
    }

    [Fact]
    public void TakeRows_CopiesRowsInOrderWithRepeats()
    {
        using NDArray dense = NDArray.From(new double[] { 1, 0, 0, 2, 3, 0 }, 3, 2);
        using CsrNDArray csr = CsrNDArray.FromDense(dense);
        using CsrNDArray taken = csr.TakeRows([2, 0, 2]);
        using NDArray back = taken.ToDense();
        Assert.Equal([3.0, 0, 1, 0, 3, 0], back.ToArray<double>());
        Assert.Throws<ArgumentOutOfRangeException>(() => csr.TakeRows([3]));
    }

    [Theory]
    [InlineData(new long[] { 2, 0 }, new long[] { 0, 2, 2 }, "not strictly increasing")]
    [InlineData(new long[] { 1, 1 }, new long[] { 0, 2, 2 }, "not strictly increasing")]
    [InlineData(new long[] { 0, 5 }, new long[] { 0, 1, 2 }, "outside [0, 3)")]
    [InlineData(new long[] { 0, -1 }, new long[] { 0, 1, 2 }, "outside [0, 3)")]
    [InlineData(new long[] { 0, 1 }, new long[] { 0, 2, 1 }, "indptr decreases")]
    [InlineData(new long[] { 0, 1 }, new long[] { 1, 1, 2 }, "indptr[0]")]
    [InlineData(new long[] { 0, 1 }, new long[] { 0, 1, 1 }, "indptr ends at 1")]
    public void Constructor_RunsMXNetsFullCheckFormat(long[] indices, long[] indptr, string problem)
    {
        // Row 0 holds indices[0..indptr[1]], row 1 the rest; 3 columns.
        var error = Assert.Throws<ArgumentException>(() => new CsrNDArray(NDArray.From(new float[] { 1, 2 }), NDArray.From(indices), NDArray.From(indptr), 2, 3));
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }
}
