using System.Runtime.InteropServices;

namespace Pipeline.Stages.Imaging;

/// <summary>A scratch buffer outside the managed heap for one decode (pixels before conversion, a filtered PNG): freed at once, so full-size images never linger in a pool or wait for a collection.</summary>
internal unsafe ref struct PixelBuffer : IDisposable
{
    private byte* _pointer;

    public PixelBuffer(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length > Array.MaxLength) throw new ImagingException($"An image of {length} bytes is larger than the largest buffer ({Array.MaxLength} bytes).");
        _pointer = (byte*)NativeMemory.Alloc((nuint)Math.Max(length, 1));
        Length = (int)length;
    }

    public readonly int Length { get; }

    public readonly Span<byte> Span => new(_pointer, Length);

    public void Dispose()
    {
        if (_pointer == null) return;
        NativeMemory.Free(_pointer);
        _pointer = null;
    }
}
