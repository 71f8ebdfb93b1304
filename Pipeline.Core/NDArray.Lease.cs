using System.Buffers;

namespace Pipeline.Core;

public sealed partial class NDArray
{
    /// <summary>One hold on an array's storage (see <see cref="Lease"/>); its first dispose releases the hold, later ones do nothing.</summary>
    private sealed class StorageLease(NDArray owner, byte[] buffer) : IMemoryOwner<byte>
    {
        private readonly Memory<byte> _memory = buffer.AsMemory(0, owner._byteLength);
        private NDArray? _owner = owner;

        public Memory<byte> Memory
        {
            get
            {
                ObjectDisposedException.ThrowIf(Volatile.Read(ref _owner) is null, this);
                return _memory;
            }
        }

        public void Dispose() => Interlocked.Exchange(ref _owner, null)?.ReleaseLease();
    }
}
