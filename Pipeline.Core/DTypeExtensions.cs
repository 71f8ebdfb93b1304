namespace Pipeline.Core;

/// <summary>Maps <see cref="DType"/> values to element sizes, CLR types and MXNet's names.</summary>
public static class DTypeExtensions
{
    /// <summary>Gets the size in bytes of one element.</summary>
    /// <param name="dtype">The element type.</param>
    /// <returns>The number of bytes one element takes.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dtype"/> is not a defined value.</exception>
    public static int SizeInBytes(this DType dtype) => dtype switch
    {
        DType.Float32 or DType.Int32 => 4,
        DType.Float64 or DType.Int64 => 8,
        DType.Float16 => 2,
        DType.UInt8 or DType.Int8 => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown DType."),
    };

    /// <summary>Gets NumPy's name for the type, as MXNet prints it (<c>float32</c>, <c>uint8</c>, ...).</summary>
    /// <param name="dtype">The element type.</param>
    /// <returns>The lower-case NumPy name.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dtype"/> is not a defined value.</exception>
    public static string ToNumPyName(this DType dtype) => dtype switch
    {
        DType.Float32 => "float32",
        DType.Float64 => "float64",
        DType.Float16 => "float16",
        DType.UInt8 => "uint8",
        DType.Int8 => "int8",
        DType.Int32 => "int32",
        DType.Int64 => "int64",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown DType."),
    };

    /// <summary>Gets the <see cref="DType"/> that stores elements of <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">An element type: float, double, Half, byte, sbyte, int or long.</typeparam>
    /// <returns>The matching <see cref="DType"/>.</returns>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> has no <see cref="DType"/>.</exception>
    public static DType Of<T>()
        where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return DType.Float32;
        if (typeof(T) == typeof(double)) return DType.Float64;
        if (typeof(T) == typeof(Half)) return DType.Float16;
        if (typeof(T) == typeof(byte)) return DType.UInt8;
        if (typeof(T) == typeof(sbyte)) return DType.Int8;
        if (typeof(T) == typeof(int)) return DType.Int32;
        if (typeof(T) == typeof(long)) return DType.Int64;
        throw new NotSupportedException($"Element type {typeof(T).Name} has no DType; use float, double, Half, byte, sbyte, int or long.");
    }
}
