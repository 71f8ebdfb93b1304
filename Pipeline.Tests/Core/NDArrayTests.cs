using System.Numerics.Tensors;
using Pipeline.Core;

namespace Pipeline.Tests.Core;

public sealed class NDArrayTests
{
    [Fact]
    public void From_CopiesDataAndKeepsShape()
    {
        float[] source = [1, 2, 3, 4, 5, 6];
        using NDArray array = NDArray.From(source, 2, 3);
        source[0] = 99;
        Assert.Equal(DType.Float32, array.DType);
        Assert.Equal([2, 3], array.Shape);
        Assert.Equal([1f, 2, 3, 4, 5, 6], array.ToArray<float>());
        Assert.Equal(6, array.Size);
        Assert.Equal(24, array.ByteLength);
    }

    [Fact]
    public void From_EmptyShape_IsOneDimensional()
    {
        using NDArray array = NDArray.From(new long[] { 1, 2, 3 });
        Assert.Equal([3], array.Shape);
        Assert.Equal(DType.Int64, array.DType);
    }

    [Fact]
    public void From_ShapeMismatch_ThrowsNamingShape()
    {
        var error = Assert.Throws<ArgumentException>(() => NDArray.From(new float[5], 2, 3));
        Assert.Contains("(2, 3)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Shape_IsACopy()
    {
        using NDArray array = NDArray.Zeros(DType.UInt8, 4, 5);
        array.Shape[0] = 100;
        Assert.Equal([4, 5], array.Shape);
    }

    [Fact]
    public void Zeros_IsZeroedEvenWhenThePoolHandsBackDirtyMemory()
    {
        using (NDArray dirty = NDArray.Empty(DType.Int32, 1000))
        {
            dirty.AsSpan<int>().Fill(7);
        }

        using NDArray zeros = NDArray.Zeros(DType.Int32, 1000);
        Assert.All(zeros.ToArray<int>(), v => Assert.Equal(0, v));
    }

    [Fact]
    public void AsSpan_WrongType_Throws()
    {
        using NDArray array = NDArray.Zeros(DType.Float32, 3);
        var error = Assert.Throws<InvalidOperationException>(() => array.AsSpan<int>());
        Assert.Contains("float32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispose_ThenUse_ThrowsObjectDisposed()
    {
        NDArray array = NDArray.Zeros(DType.Float32, 3);
        array.Dispose();
        array.Dispose();
        Assert.Throws<ObjectDisposedException>(() => array.AsSpan<float>());
    }

    [Theory]
    [InlineData(new[] { 30, 3 }, "<NDArray 30x3 @cpu(0)>")]
    [InlineData(new[] { 5 }, "<NDArray 5 @cpu(0)>")]
    [InlineData(new[] { 2, 3, 224, 224 }, "<NDArray 2x3x224x224 @cpu(0)>")]
    public void ToString_IsMXNetStyle(int[] shape, string expected)
    {
        using NDArray array = NDArray.Zeros(DType.Float32, shape);
        Assert.Equal(expected, array.ToString());
    }

    [Fact]
    public void Zeros_NegativeAxis_Throws() => Assert.Throws<ArgumentException>(() => NDArray.Zeros(DType.Float32, 2, -1));

    [Fact]
    public void Zeros_TooLarge_ThrowsWithoutAllocating() => Assert.Throws<ArgumentException>(() => NDArray.Zeros(DType.Float64, 100000, 100000));

    [Fact]
    public void Tensor_RoundTripsAndSharesStorageThroughTensorSpan()
    {
        using NDArray array = NDArray.From(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        Tensor<float> tensor = array.ToTensor<float>();
        Assert.Equal([2, 3], tensor.Lengths.ToArray().Select(l => (int)l));
        using NDArray back = NDArray.FromTensor(tensor);
        Assert.Equal(array.ToArray<float>(), back.ToArray<float>());
        Assert.Equal([2, 3], back.Shape);

        TensorSpan<float> span = array.AsTensorSpan<float>();
        span[1, 2] = 60;
        Assert.Equal(60, array.AsSpan<float>()[5]);
    }
}
