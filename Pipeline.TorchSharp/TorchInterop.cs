using Pipeline.Core;
using Pipeline.TorchSharp.Internal;
using TorchSharp;

namespace Pipeline.TorchSharp;

/// <summary>Views <see cref="NDArray"/>s as TorchSharp tensors without copying.</summary>
public static class TorchInterop
{
    /// <summary>Returns a CPU tensor that shares the array's memory: same shape, the matching dtype, no copy.</summary>
    /// <param name="array">The array to view; it stays usable, and writes through either side are seen by the other.</param>
    /// <returns>A new tensor; dispose it when done (or let a <c>torch.NewDisposeScope()</c> do it).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="array"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The array has been disposed.</exception>
    /// <remarks>
    /// The tensor holds a lease on the array's storage (<see cref="NDArray.Lease"/>) until libtorch frees the tensor's
    /// storage, that is until the tensor and every view or autograd record of it are disposed. So disposing the batch
    /// first is safe: its buffer goes back to the pool only after the last tensor on it is gone, and is never refilled
    /// with a later batch while a tensor can still read it. Dispose tensors promptly in a training loop: a batch whose
    /// buffer is still viewed is not recycled, and the iterator rents a new buffer instead.
    /// </remarks>
    public static torch.Tensor AsTorch(this NDArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        var dimensions = new long[array.Rank];
        for (int i = 0; i < dimensions.Length; i++) dimensions[i] = array.GetLength(i);

        torch.ScalarType type = array.DType.ToScalarType();
        if (array.ByteLength == 0)
        {
            // Nothing to share (and an empty pooled array is the one shared empty array); still refuse a disposed one.
            array.Lease().Dispose();
            return torch.empty(dimensions, type);
        }

        return NativeTensor.Create(array.Lease(), dimensions, type);
    }

    /// <summary>Gets the torch element type that stores <paramref name="dtype"/>.</summary>
    /// <param name="dtype">The element type.</param>
    /// <returns>The matching <see cref="torch.ScalarType"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dtype"/> is not a defined value.</exception>
    public static torch.ScalarType ToScalarType(this DType dtype) => dtype switch
    {
        DType.Float32 => torch.ScalarType.Float32,
        DType.Float64 => torch.ScalarType.Float64,
        DType.Float16 => torch.ScalarType.Float16,
        DType.UInt8 => torch.ScalarType.Byte,
        DType.Int8 => torch.ScalarType.Int8,
        DType.Int32 => torch.ScalarType.Int32,
        DType.Int64 => torch.ScalarType.Int64,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown DType."),
    };
}
