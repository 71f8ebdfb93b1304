using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Pipeline.Core;

/// <summary>A 64-bit running hash for the fingerprints in an <see cref="IteratorState"/>: what data set and which stream-changing options a state was saved with.</summary>
/// <remarks>Stable across processes, machines and .NET versions (unlike <see cref="string.GetHashCode()"/>).</remarks>
internal struct Fingerprint
{
    private const ulong Prime = 0x100000001B3UL;
    private ulong _hash;

    /// <summary>Initializes an empty fingerprint.</summary>
    public Fingerprint() => _hash = 0xCBF29CE484222325UL;

    /// <summary>Gets the hash so far.</summary>
    public readonly ulong Value => Mix(_hash);

    /// <summary>Adds bytes.</summary>
    public void Add(ReadOnlySpan<byte> bytes)
    {
        // Eight bytes at a time: fingerprints sample data rows, which may be large.
        ulong hash = _hash;
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(bytes);
        foreach (ulong word in words) hash = (hash ^ word) * Prime;
        foreach (byte b in bytes[(words.Length * 8)..]) hash = (hash ^ b) * Prime;
        _hash = (hash ^ (ulong)bytes.Length) * Prime;
    }

    /// <summary>Adds a number.</summary>
    public void Add(long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        Add(bytes);
    }

    /// <summary>Adds a string (UTF-8), or a marker for null.</summary>
    public void Add(string? text)
    {
        if (text is null)
        {
            Add(-1);
            return;
        }

        Add(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Adds a shape.</summary>
    public void Add(ReadOnlySpan<int> shape)
    {
        Add(shape.Length);
        foreach (int length in shape) Add(length);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
