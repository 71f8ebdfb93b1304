using System.Buffers;
using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text;

namespace Pipeline.Core;

/// <summary>A dense, row-major, n-dimensional array on the CPU, like MXNet's <c>NDArray</c>.</summary>
/// <remarks>
/// Arrays made by <see cref="Zeros"/> and <see cref="Empty(DType, int[])"/> rent their storage from
/// <see cref="ArrayPool{T}.Shared"/> and return it on <see cref="Dispose"/>; batch buffers are made this way,
/// so disposing a <see cref="DataBatch"/> recycles them. Using an array after disposal throws.
/// <see cref="Lease"/> keeps the storage out of the pool while something else (a native tensor) views it.
/// </remarks>
public sealed partial class NDArray : IDisposable
{
    // _state: OwnerBit while the array itself is live (not disposed, not parked), plus one per outstanding lease.
    // The storage goes back to its pool when the count reaches 0 from a dispose or a lease release, exactly once.
    private const int OwnerBit = 1 << 30;
    private readonly int[] _shape;
    private readonly int _byteLength;
    private readonly ArrayPool<byte>? _pool;
    private byte[]? _storage;
    private byte[]? _buffer;
    private int _state = OwnerBit;

    private NDArray(DType dtype, int[] shape, byte[] storage, int byteLength, ArrayPool<byte>? pool)
    {
        DType = dtype;
        _shape = shape;
        _storage = storage;
        _buffer = storage;
        _byteLength = byteLength;
        _pool = pool;
        Size = byteLength / dtype.SizeInBytes();
    }

    /// <summary>Gets the element type.</summary>
    public DType DType { get; }

    /// <summary>Gets a copy of the shape, outermost axis first.</summary>
    public int[] Shape => (int[])_shape.Clone();

    /// <summary>Gets the number of axes.</summary>
    public int Rank => _shape.Length;

    /// <summary>Gets the number of elements (the product of the shape).</summary>
    public int Size { get; }

    /// <summary>Gets the number of bytes the elements take.</summary>
    public int ByteLength => _byteLength;

    /// <summary>Creates an array holding a copy of <paramref name="data"/>.</summary>
    /// <typeparam name="T">The element type; it sets <see cref="DType"/>.</typeparam>
    /// <param name="data">The elements in row-major order.</param>
    /// <param name="shape">The shape; empty means one axis of <c>data.Length</c>.</param>
    /// <returns>A new array that owns its storage.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException">The shape does not hold exactly <c>data.Length</c> elements.</exception>
    public static NDArray From<T>(T[] data, params int[] shape)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        return From((ReadOnlySpan<T>)data, shape);
    }

    /// <summary>Creates an array holding a copy of <paramref name="data"/>.</summary>
    /// <typeparam name="T">The element type; it sets <see cref="DType"/>.</typeparam>
    /// <param name="data">The elements in row-major order.</param>
    /// <param name="shape">The shape; empty means one axis of <c>data.Length</c>.</param>
    /// <returns>A new array that owns its storage.</returns>
    /// <exception cref="ArgumentException">The shape does not hold exactly <c>data.Length</c> elements.</exception>
    public static NDArray From<T>(ReadOnlySpan<T> data, params int[] shape)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(shape);
        int[] actualShape = shape.Length == 0 ? [data.Length] : (int[])shape.Clone();
        long count = CheckedElementCount(actualShape);
        if (count != data.Length)
        {
            throw new ArgumentException($"Shape ({FormatShape(actualShape, ", ")}) holds {count} elements but {data.Length} were given.", nameof(shape));
        }

        DType dtype = DTypeExtensions.Of<T>();
        byte[] storage = MemoryMarshal.AsBytes(data).ToArray();
        return new NDArray(dtype, actualShape, storage, storage.Length, pool: null);
    }

    /// <summary>Creates a zero-filled array whose storage is rented from the shared pool.</summary>
    /// <param name="dtype">The element type.</param>
    /// <param name="shape">The shape; every axis must be zero or more.</param>
    /// <returns>A new array; dispose it to return its storage.</returns>
    /// <exception cref="ArgumentException">An axis is negative or the array would exceed 2 GiB.</exception>
    public static NDArray Zeros(DType dtype, params int[] shape)
    {
        NDArray array = Empty(dtype, shape);
        array.AsBytes().Clear();
        return array;
    }

    /// <summary>Creates an array with uninitialized elements whose storage is rented from the shared pool.</summary>
    /// <param name="dtype">The element type.</param>
    /// <param name="shape">The shape; every axis must be zero or more.</param>
    /// <returns>A new array; dispose it to return its storage.</returns>
    /// <exception cref="ArgumentException">An axis is negative or the array would exceed 2 GiB.</exception>
    /// <remarks>Use this for buffers that are about to be overwritten in full, such as batch buffers.</remarks>
    public static NDArray Empty(DType dtype, params int[] shape) => Empty(dtype, ArrayPool<byte>.Shared, shape);

    /// <summary>Creates an array with uninitialized elements whose storage is rented from <paramref name="pool"/>.</summary>
    /// <param name="dtype">The element type.</param>
    /// <param name="pool">The pool to rent from; the storage goes back to it once the array and every lease on it are disposed.</param>
    /// <param name="shape">The shape; every axis must be zero or more.</param>
    /// <returns>A new array; dispose it to return its storage.</returns>
    /// <exception cref="ArgumentException">An axis is negative or the array would exceed 2 GiB.</exception>
    public static NDArray Empty(DType dtype, ArrayPool<byte> pool, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(shape);
        int[] actualShape = (int[])shape.Clone();
        long bytes = CheckedElementCount(actualShape) * dtype.SizeInBytes();
        if (bytes > Array.MaxLength)
        {
            throw new ArgumentException($"An array of shape ({FormatShape(actualShape, ", ")}) and type {dtype.ToNumPyName()} needs {bytes} bytes; the limit is {Array.MaxLength}.", nameof(shape));
        }

        byte[] storage = pool.Rent((int)bytes);
        return new NDArray(dtype, actualShape, storage, (int)bytes, pool);
    }

    /// <summary>Creates an array holding a copy of a <see cref="Tensor{T}"/>.</summary>
    /// <typeparam name="T">The element type; it sets <see cref="DType"/>.</typeparam>
    /// <param name="tensor">The tensor to copy (any strides; it is read in row-major order).</param>
    /// <returns>A new array that owns its storage.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> is null.</exception>
    public static NDArray FromTensor<T>(Tensor<T> tensor)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ReadOnlySpan<nint> lengths = tensor.Lengths;
        int[] shape = new int[lengths.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            shape[i] = checked((int)lengths[i]);
        }

        NDArray array = Empty(DTypeExtensions.Of<T>(), shape);
        tensor.FlattenTo(array.AsSpan<T>());
        return array;
    }

    /// <summary>Gets the elements as a span over the array's storage.</summary>
    /// <typeparam name="T">The element type; it must match <see cref="DType"/>.</typeparam>
    /// <returns>A span of <see cref="Size"/> elements in row-major order.</returns>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> does not match <see cref="DType"/>.</exception>
    /// <exception cref="ObjectDisposedException">The array has been disposed.</exception>
    public Span<T> AsSpan<T>()
        where T : unmanaged
    {
        DType requested = DTypeExtensions.Of<T>();
        if (requested != DType)
        {
            throw new InvalidOperationException($"This NDArray holds {DType.ToNumPyName()} elements; it cannot be viewed as {requested.ToNumPyName()}.");
        }

        return MemoryMarshal.Cast<byte, T>(AsBytes());
    }

    /// <summary>Gets the raw bytes of the elements.</summary>
    /// <returns>A span of <see cref="ByteLength"/> bytes over the array's storage.</returns>
    /// <exception cref="ObjectDisposedException">The array has been disposed.</exception>
    public Span<byte> AsBytes()
    {
        ObjectDisposedException.ThrowIf(_storage is null, this);
        return _storage.AsSpan(0, _byteLength);
    }

    /// <summary>Gets a tensor span over the array's storage, without copying.</summary>
    /// <typeparam name="T">The element type; it must match <see cref="DType"/>.</typeparam>
    /// <returns>A dense row-major <see cref="TensorSpan{T}"/> with this array's shape.</returns>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> does not match <see cref="DType"/>.</exception>
    /// <exception cref="ObjectDisposedException">The array has been disposed.</exception>
    public TensorSpan<T> AsTensorSpan<T>()
        where T : unmanaged
    {
        Span<T> span = AsSpan<T>();
        return new TensorSpan<T>(span, Lengths(), []);
    }

    /// <summary>Copies the elements into a new <see cref="Tensor{T}"/>.</summary>
    /// <typeparam name="T">The element type; it must match <see cref="DType"/>.</typeparam>
    /// <returns>A dense tensor with this array's shape.</returns>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> does not match <see cref="DType"/>.</exception>
    /// <exception cref="ObjectDisposedException">The array has been disposed.</exception>
    public Tensor<T> ToTensor<T>()
        where T : unmanaged => Tensor.Create(ToArray<T>(), Lengths());

    /// <summary>Copies the elements into a new managed array.</summary>
    /// <typeparam name="T">The element type; it must match <see cref="DType"/>.</typeparam>
    /// <returns>The elements in row-major order.</returns>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> does not match <see cref="DType"/>.</exception>
    /// <exception cref="ObjectDisposedException">The array has been disposed.</exception>
    public T[] ToArray<T>()
        where T : unmanaged => AsSpan<T>().ToArray();

    /// <summary>Gets the length of one axis.</summary>
    /// <param name="axis">The axis, 0 for the outermost.</param>
    /// <returns>The number of entries along <paramref name="axis"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is not an axis of this array.</exception>
    public int GetLength(int axis)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(axis);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(axis, _shape.Length);
        return _shape[axis];
    }

    /// <summary>Returns MXNet's short description, for example <c>&lt;NDArray 30x3 @cpu(0)&gt;</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => $"<NDArray {FormatShape(_shape, "x")} @cpu(0)>";

    /// <summary>Keeps the array's storage alive for another viewer (a native tensor, say) until the returned lease is disposed.</summary>
    /// <returns>A lease whose <see cref="IMemoryOwner{T}.Memory"/> is the array's <see cref="ByteLength"/> bytes; dispose it once.</returns>
    /// <exception cref="ObjectDisposedException">The array has been disposed.</exception>
    /// <remarks>
    /// While a lease is held, disposing the array (or its <see cref="DataBatch"/>) does not return the storage to its pool,
    /// and a batch that holds the array is not reused for later batches: the storage goes back once the array and every
    /// lease are disposed, in any order, and never holds another batch's examples. Leases may be released on any thread.
    /// </remarks>
    public IMemoryOwner<byte> Lease()
    {
        while (true)
        {
            int state = Volatile.Read(ref _state);
            ObjectDisposedException.ThrowIf((state & OwnerBit) == 0, this);
            if (Interlocked.CompareExchange(ref _state, state + 1, state) == state) break;
        }

        // The count now keeps _buffer in place; _storage may be cleared by a concurrent Dispose, _buffer is not.
        return new StorageLease(this, _buffer!);
    }

    /// <summary>Returns the storage to the pool (when pooled) unless a lease still holds it; later use throws.</summary>
    public void Dispose()
    {
        while (true)
        {
            int state = Volatile.Read(ref _state);
            if ((state & OwnerBit) == 0) return;
            if (Interlocked.CompareExchange(ref _state, state & ~OwnerBit, state) != state) continue;
            Volatile.Write(ref _storage, null);
            if (state == OwnerBit) ReturnBuffer();
            return;
        }
    }

    /// <summary>Takes the storage away without returning it, so the array reads as disposed while its batch waits for reuse.</summary>
    /// <returns>The storage, or <see langword="null"/> when the array is disposed or leased (then it must not be reused).</returns>
    internal byte[]? Park()
    {
        if (Interlocked.CompareExchange(ref _state, 0, OwnerBit) != OwnerBit) return null;
        return Interlocked.Exchange(ref _storage, null);
    }

    /// <summary>Gives parked storage back when the batch is reused.</summary>
    internal void Unpark(byte[] storage)
    {
        _buffer = storage;
        _storage = storage;
        Volatile.Write(ref _state, OwnerBit);
    }

    private void ReleaseLease()
    {
        if (Interlocked.Decrement(ref _state) == 0) ReturnBuffer();
    }

    private void ReturnBuffer()
    {
        byte[]? buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null) _pool?.Return(buffer);
    }

    internal static string FormatShape(ReadOnlySpan<int> shape, string separator)
    {
        var builder = new StringBuilder();
        for (int i = 0; i < shape.Length; i++)
        {
            if (i > 0) builder.Append(separator);
            builder.Append(shape[i].ToString(CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }

    private static long CheckedElementCount(int[] shape)
    {
        long count = 1;
        foreach (int length in shape)
        {
            if (length < 0)
            {
                throw new ArgumentException($"Shape ({FormatShape(shape, ", ")}) has a negative axis.", nameof(shape));
            }

            count *= length;
            if (count > Array.MaxLength)
            {
                throw new ArgumentException($"Shape ({FormatShape(shape, ", ")}) has more than {Array.MaxLength} elements.", nameof(shape));
            }
        }

        return count;
    }

    private nint[] Lengths()
    {
        var lengths = new nint[_shape.Length];
        for (int i = 0; i < lengths.Length; i++)
        {
            lengths[i] = _shape[i];
        }

        return lengths;
    }
}
