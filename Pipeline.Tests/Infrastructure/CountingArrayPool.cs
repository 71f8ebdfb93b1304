using System.Buffers;

namespace Pipeline.Tests.Infrastructure;

/// <summary>An <see cref="ArrayPool{T}"/> that hands out fresh arrays and counts returns per array, so a test can prove each went back exactly once.</summary>
internal sealed class CountingArrayPool : ArrayPool<byte>
{
    private readonly Lock _gate = new();
    private readonly Dictionary<byte[], int> _returns = new(ReferenceEqualityComparer.Instance);

    public int Rented { get; private set; }

    public int Returned { get; private set; }

    public int Outstanding
    {
        get
        {
            lock (_gate) return Rented - Returned;
        }
    }

    public override byte[] Rent(int minimumLength)
    {
        var array = new byte[minimumLength];
        lock (_gate)
        {
            Rented++;
            _returns.Add(array, 0);
        }

        return array;
    }

    public override void Return(byte[] array, bool clearArray = false)
    {
        lock (_gate)
        {
            if (!_returns.TryGetValue(array, out int count)) throw new InvalidOperationException("An array this pool never rented was returned.");
            if (count != 0) throw new InvalidOperationException("An array was returned twice.");
            _returns[array] = 1;
            Returned++;
        }
    }

    /// <summary>Gets how often <paramref name="array"/> came back (0 or 1; a second return throws).</summary>
    public int ReturnsOf(byte[] array)
    {
        lock (_gate) return _returns[array];
    }

    public override string ToString() => $"rented {Rented}, returned {Returned}";
}
