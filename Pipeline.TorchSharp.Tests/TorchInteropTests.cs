using Pipeline.Core;
using Pipeline.Stages.Iterators;
using Pipeline.Tests.Infrastructure;
using TorchSharp;

namespace Pipeline.TorchSharp.Tests;

/// <summary><see cref="TorchInterop.AsTorch"/>: the tensor is the array's memory, and the memory outlives neither side.</summary>
public sealed class TorchInteropTests
{
    public static TheoryData<DType> AllDTypes() => [.. Enum.GetValues<DType>()];

    [Theory]
    [MemberData(nameof(AllDTypes))]
    public void AsTorch_EveryDType_HasTheShapeTypeAndValues(DType dtype)
    {
        using NDArray array = NDArray.Empty(dtype, 2, 3, 4);
        Span<byte> bytes = array.AsBytes();
        for (int i = 0; i < array.Size; i++) Write(dtype, bytes, i, (i % 50) - 20);

        using torch.Tensor tensor = array.AsTorch();
        Assert.Equal([2L, 3, 4], tensor.shape);
        Assert.Equal(dtype.ToScalarType(), tensor.dtype);
        Assert.Equal(DeviceType.CPU, tensor.device_type);
        using torch.Tensor flat = tensor.flatten().to_type(torch.ScalarType.Float64);
        double[] values = flat.data<double>().ToArray();
        for (int i = 0; i < array.Size; i++)
        {
            double expected = dtype == DType.UInt8 ? (byte)((i % 50) - 20) : (i % 50) - 20;
            Assert.Equal(expected, values[i]);
        }
    }

    [Theory]
    [MemberData(nameof(AllDTypes))]
    public void AsTorch_EveryDType_SharesMemoryBothWays(DType dtype)
    {
        using NDArray array = NDArray.Zeros(dtype, 5);
        using torch.Tensor tensor = array.AsTorch();

        // Through the tensor into the array, and back: one buffer, no copy.
        using (torch.Tensor element = tensor[3]) element.fill_(7);
        Assert.Equal(7, Read(dtype, array.AsBytes(), 3));
        Write(dtype, array.AsBytes(), 1, 9);
        using torch.Tensor asDouble = tensor.to_type(torch.ScalarType.Float64);
        Assert.Equal([0d, 9, 0, 7, 0], asDouble.data<double>().ToArray());
    }

    [Fact]
    public void AsTorch_ScalarAndEmptyArrays()
    {
        using NDArray scalar = NDArray.From(new[] { 2.5f }, 1);
        using torch.Tensor one = scalar.AsTorch();
        Assert.Equal(2.5f, one.item<float>());

        using NDArray empty = NDArray.Empty(DType.Int64, 0, 3);
        using torch.Tensor none = empty.AsTorch();
        Assert.Equal([0L, 3], none.shape);
    }

    [Fact]
    public void TensorDisposedFirst_ThenBatch_ReturnsTheBufferOnce()
    {
        var pool = new CountingArrayPool();
        var batch = new DataBatch([NDArray.Empty(DType.Float32, pool, 4, 3)], [NDArray.Empty(DType.Float32, pool, 4)]);
        torch.Tensor tensor = batch.Data[0].AsTorch();
        tensor.Dispose();
        Assert.Equal(0, pool.Returned);
        batch.Dispose();
        Assert.Equal(2, pool.Returned);
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public void BatchDisposedFirst_TensorStaysValid_ThenReturnsTheBufferOnce()
    {
        var pool = new CountingArrayPool();
        NDArray data = NDArray.Empty(DType.Float32, pool, 4, 3);
        data.AsSpan<float>().Fill(1.5f);
        var batch = new DataBatch([data]);
        torch.Tensor tensor = data.AsTorch();
        batch.Dispose();
        Assert.Equal(0, pool.Returned);
        Assert.Throws<ObjectDisposedException>(() => data.AsSpan<float>());

        Assert.Equal(18f, tensor.sum().item<float>());
        tensor.Dispose();
        Assert.Equal(1, pool.Returned);
        tensor.Dispose();
        batch.Dispose();
        Assert.Equal(1, pool.Returned);
    }

    [Fact]
    public void ViewsOfTheTensor_HoldTheBufferUntilTheLastIsDisposed()
    {
        var pool = new CountingArrayPool();
        NDArray data = NDArray.Empty(DType.Int32, pool, 6);
        torch.Tensor tensor = data.AsTorch();
        torch.Tensor view = tensor.view(2, 3);
        torch.Tensor second = data.AsTorch();
        tensor.Dispose();
        data.Dispose();
        second.Dispose();
        Assert.Equal(0, pool.Returned);
        view.Dispose();
        Assert.Equal(1, pool.Returned);
    }

    [Fact]
    public async Task TensorKeptAfterItsBatch_IsNeverOverwrittenByLaterBatches()
    {
        // NDArrayIter recycles disposed batches: a kept tensor must stop its buffer from being reused.
        int[] rows = Enumerable.Range(0, 40).ToArray();
        using NDArray source = NDArray.From(rows.Select(x => (float)x).ToArray(), 40, 1);
        using var iter = new NDArrayIter(source, batchSize: 4);
        DataBatch first = (await iter.NextAsync())!;
        torch.Tensor kept = first.Data[0].AsTorch();
        first.Dispose();
        await foreach (DataBatch later in iter)
        {
            using (later) Assert.NotEqual(0f, later.Data[0].AsSpan<float>()[0]);
        }

        Assert.Equal([0f, 1, 2, 3], kept.flatten().data<float>().ToArray());
        kept.Dispose();
    }

    [Fact]
    public void AsTorch_DisposedArray_Throws()
    {
        NDArray array = NDArray.Zeros(DType.Float32, 3);
        array.Dispose();
        Assert.Throws<ObjectDisposedException>(() => array.AsTorch());
    }

    [Fact]
    public void Autograd_ThroughAView_AfterTheBatchIsDisposed()
    {
        var pool = new CountingArrayPool();
        NDArray data = NDArray.Empty(DType.Float32, pool, 2, 3);
        data.AsSpan<float>().Fill(2);
        using var weight = torch.ones(3, 1, requires_grad: true);
        torch.Tensor x = data.AsTorch();
        data.Dispose();
        using (torch.Tensor loss = x.matmul(weight).sum())
        {
            x.Dispose();
            Assert.Equal(0, pool.Returned);   // the graph still holds x for the gradient of weight
            loss.backward();
        }

        Assert.Equal([4f, 4, 4], weight.grad!.flatten().data<float>().ToArray());
        GC.KeepAlive(weight);
    }

    private static void Write(DType dtype, Span<byte> bytes, int index, int value)
    {
        switch (dtype)
        {
            case DType.Float32: System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes)[index] = value; break;
            case DType.Float64: System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(bytes)[index] = value; break;
            case DType.Float16: System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Half>(bytes)[index] = (Half)value; break;
            case DType.UInt8: bytes[index] = unchecked((byte)value); break;
            case DType.Int8: System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(bytes)[index] = (sbyte)value; break;
            case DType.Int32: System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(bytes)[index] = value; break;
            case DType.Int64: System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(bytes)[index] = value; break;
            default: throw new ArgumentOutOfRangeException(nameof(dtype));
        }
    }

    private static double Read(DType dtype, Span<byte> bytes, int index) => dtype switch
    {
        DType.Float32 => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes)[index],
        DType.Float64 => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(bytes)[index],
        DType.Float16 => (double)System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Half>(bytes)[index],
        DType.UInt8 => bytes[index],
        DType.Int8 => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(bytes)[index],
        DType.Int32 => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(bytes)[index],
        DType.Int64 => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(bytes)[index],
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };
}
