using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;

namespace Pipeline.TorchSharp.Internal;

/// <summary>
/// Makes a CPU tensor over pinned memory with a deleter (libtorch's <c>from_blob</c>, through LibTorchSharp's
/// <c>THSTensor_new</c>): the deleter runs when libtorch frees the tensor's storage, that is after the tensor and every
/// view or autograd record of it are gone, and only then is the NDArray lease released.
/// </summary>
/// <remarks>
/// TorchSharp's own public factories either copy (<c>torch.tensor(Memory&lt;T&gt;)</c>) or share a whole managed array
/// without telling anyone when libtorch lets go of it (<c>from_array</c>), so neither can hold a pooled buffer safely.
/// The native entry point is TorchSharp 0.107's; its tests (Pipeline.TorchSharp.Tests) pin the ABI.
/// </remarks>
internal static unsafe partial class NativeTensor
{
    // Live tensors by data pointer. Pinned live buffers never overlap, so every entry under one pointer belongs to the
    // same buffer (several tensors may view one array); any of them can be released by that buffer's deleter.
    private static readonly Dictionary<nint, Hold> Holds = [];
    private static readonly Lock Gate = new();
    private static int _initialized;

    /// <summary>Creates the tensor; on success the lease is the tensor's to release, on failure it is released here.</summary>
    public static torch.Tensor Create(IMemoryOwner<byte> lease, long[] dimensions, torch.ScalarType type)
    {
        try
        {
            EnsureInitialized();
        }
        catch
        {
            lease.Dispose();
            throw;
        }

        MemoryHandle pin = lease.Memory.Pin();
        nint data = (nint)pin.Pointer;
        var hold = new Hold(lease, pin);
        lock (Gate)
        {
            if (Holds.TryGetValue(data, out Hold? first)) hold.Next = first;
            Holds[data] = hold;
        }

        nint handle;
        fixed (long* shape = dimensions.Length == 0 ? [0L] : dimensions)
        {
            handle = THSTensor_new(data, &Deleter, shape, dimensions.Length, (sbyte)type, (sbyte)type, (int)DeviceType.CPU, 0, false);
        }

        if (handle == 0)
        {
            // from_blob failed before taking the pointer, so no deleter will run for it.
            Release(data);
            torch.CheckForErrors();
            throw new InvalidOperationException("libtorch could not create a tensor over the array's memory.");
        }

        return torch.Tensor.UnsafeCreateTensor(handle);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Deleter(nint data) => Release(data);

    private static void Release(nint data)
    {
        Hold hold;
        lock (Gate)
        {
            hold = Holds[data];
            if (hold.Next is null) Holds.Remove(data);
            else Holds[data] = hold.Next;
        }

        hold.Pin.Dispose();
        hold.Lease.Dispose();
    }

    private static void EnsureInitialized()
    {
        if (Volatile.Read(ref _initialized) != 0) return;

        // Loads libtorch and LibTorchSharp (and fails with TorchSharp's explanation when they cannot load).
        torch.InitializeDeviceType(DeviceType.CPU);
        Volatile.Write(ref _initialized, 1);
    }

    [LibraryImport("LibTorchSharp")]
    private static partial nint THSTensor_new(nint data, delegate* unmanaged[Cdecl]<nint, void> deleter, long* sizes, int dimensions, sbyte type, sbyte dtype, int deviceType, int deviceIndex, [MarshalAs(UnmanagedType.U1)] bool requiresGrad);

    /// <summary>One tensor's hold on a buffer; <see cref="Next"/> links the other tensors over the same buffer.</summary>
    private sealed class Hold(IMemoryOwner<byte> lease, MemoryHandle pin)
    {
        public IMemoryOwner<byte> Lease { get; } = lease;

        public MemoryHandle Pin { get; } = pin;

        public Hold? Next { get; set; }
    }
}
