using Pipeline.Core;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Core;

/// <summary><see cref="NDArray.Lease"/>: the storage goes back to its pool exactly once, after the array and every lease are disposed.</summary>
public sealed class NDArrayLeaseTests
{
    [Fact]
    public void Lease_ThenDisposeArray_ReturnsOnlyWhenTheLeaseIsReleased()
    {
        var pool = new CountingArrayPool();
        NDArray array = NDArray.Empty(DType.Float32, pool, 4, 3);
        var lease = array.Lease();
        array.Dispose();
        Assert.Equal(0, pool.Returned);
        Assert.Throws<ObjectDisposedException>(() => array.AsSpan<float>());

        lease.Memory.Span.Fill(1);   // still ours to touch
        lease.Dispose();
        Assert.Equal(1, pool.Returned);
        lease.Dispose();
        array.Dispose();
        Assert.Equal(1, pool.Returned);
    }

    [Fact]
    public void Lease_ReleasedBeforeDispose_ReturnsOnDispose()
    {
        var pool = new CountingArrayPool();
        NDArray array = NDArray.Empty(DType.UInt8, pool, 10);
        using (array.Lease())
        {
        }

        Assert.Equal(0, pool.Returned);
        array.Dispose();
        Assert.Equal(1, pool.Returned);
    }

    [Fact]
    public void Lease_MemoryIsTheArraysBytes()
    {
        using NDArray array = NDArray.Zeros(DType.Int32, 2, 2);
        using var lease = array.Lease();
        Assert.Equal(16, lease.Memory.Length);
        lease.Memory.Span[4] = 7;
        Assert.Equal([0, 7, 0, 0], array.ToArray<int>());
    }

    [Fact]
    public void Lease_AfterDispose_ThrowsAndReleasedLeaseMemoryThrows()
    {
        NDArray array = NDArray.Zeros(DType.Float64, 3);
        var lease = array.Lease();
        lease.Dispose();
        Assert.Throws<ObjectDisposedException>(() => lease.Memory);
        array.Dispose();
        Assert.Throws<ObjectDisposedException>(() => array.Lease());
    }

    [Fact]
    public void ManyLeasesOnManyThreads_ReturnExactlyOnce()
    {
        var pool = new CountingArrayPool();
        for (int round = 0; round < 200; round++)
        {
            NDArray array = NDArray.Empty(DType.Float32, pool, 64);
            var leases = new IDisposable[8];
            for (int i = 0; i < leases.Length; i++) leases[i] = array.Lease();
            Parallel.For(0, leases.Length + 1, i =>
            {
                if (i == leases.Length) array.Dispose();
                else leases[i].Dispose();
            });
        }

        Assert.Equal(200, pool.Rented);
        Assert.Equal(200, pool.Returned);
    }
}
