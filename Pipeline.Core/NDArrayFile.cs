using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Pipeline.Core;

/// <summary>Reads and writes MXNet's NDArray file format, what <c>mx.nd.save</c> / <c>mx.nd.load</c> and the C++ <c>NDArray::Save</c> use (a mean image file, for one).</summary>
/// <remarks>
/// <para>The layout, all little-endian, from MXNet's <c>src/ndarray/ndarray.cc</c>: the list magic <c>0x112</c> (uint64), a
/// reserved uint64 0, the number of arrays (uint64), each array, the number of names (uint64, 0 or one per array) and each
/// name as a uint64 length and its UTF-8 bytes. An array (version 2) is the magic <c>0xF993FAC9</c> (uint32), the storage
/// type (int32, 0 for dense), the shape as an int32 rank and int64 axes, the context (int32 device type, 1 for the CPU,
/// and int32 device id), the type flag (int32: 0 float32, 1 float64, 2 float16, 3 uint8, 4 int32, 5 int8, 6 int64) and
/// the elements in row-major order.</para>
/// <para>Writing produces version 2, as MXNet does outside numpy-shape mode. Reading also takes version 3 (numpy
/// shapes), version 1 and the older unversioned arrays. Sparse arrays in a file are refused.</para>
/// </remarks>
public static class NDArrayFile
{
    private const ulong ListMagic = 0x112;
    private const uint V1Magic = 0xF993FAC8;
    private const uint V2Magic = 0xF993FAC9;
    private const uint V3Magic = 0xF993FACA;
    private const int CpuDeviceType = 1;

    /// <summary>Writes named arrays to a file, as <c>mx.nd.save(path, {'name': array, ...})</c>.</summary>
    /// <param name="path">The file; it is replaced.</param>
    /// <param name="arrays">The arrays by name, written in enumeration order.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static void Save(string path, IReadOnlyDictionary<string, NDArray> arrays)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(arrays);
        using FileStream stream = File.Create(path);
        Save(stream, [.. arrays.Values], [.. arrays.Keys]);
    }

    /// <summary>Writes arrays, with or without names, to a stream.</summary>
    /// <param name="stream">The stream to write to; it stays open.</param>
    /// <param name="arrays">The arrays.</param>
    /// <param name="names">One name per array, or <see langword="null"/> for none (<c>mx.nd.save(path, [a, b])</c>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> or <paramref name="arrays"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="names"/> does not have one name per array.</exception>
    public static void Save(Stream stream, IReadOnlyList<NDArray> arrays, IReadOnlyList<string>? names = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(arrays);
        if (names is not null && names.Count != arrays.Count) throw new ArgumentException($"{names.Count} names were given for {arrays.Count} arrays.", nameof(names));
        Span<byte> word = stackalloc byte[8];
        WriteUInt64(stream, ListMagic, word);
        WriteUInt64(stream, 0, word);
        WriteUInt64(stream, (ulong)arrays.Count, word);
        foreach (NDArray array in arrays)
        {
            ArgumentNullException.ThrowIfNull(array, nameof(arrays));
            WriteUInt32(stream, V2Magic, word);
            WriteUInt32(stream, 0, word);
            WriteUInt32(stream, (uint)array.Rank, word);
            foreach (int axis in array.Shape) WriteUInt64(stream, (ulong)(long)axis, word);
            WriteUInt32(stream, CpuDeviceType, word);
            WriteUInt32(stream, 0, word);
            WriteUInt32(stream, (uint)TypeFlag(array.DType), word);
            stream.Write(array.AsBytes());
        }

        WriteUInt64(stream, (ulong)(names?.Count ?? 0), word);
        foreach (string name in names ?? [])
        {
            byte[] bytes = Encoding.UTF8.GetBytes(name);
            WriteUInt64(stream, (ulong)bytes.Length, word);
            stream.Write(bytes);
        }
    }

    /// <summary>Reads every array of a file, as <c>mx.nd.load</c>.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The arrays in file order and their names (empty when the file has none); the caller disposes the arrays.</returns>
    /// <exception cref="DataFormatException">The file is not in the NDArray format, or is cut short; the message names the file and offset and says what was expected.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static (IReadOnlyList<NDArray> Arrays, IReadOnlyList<string> Names) Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses the bytes of an NDArray file.</summary>
    /// <param name="bytes">The file's bytes.</param>
    /// <param name="name">The file's name, for error messages.</param>
    /// <returns>The arrays and their names.</returns>
    /// <exception cref="DataFormatException">The bytes are not in the NDArray format.</exception>
    public static (IReadOnlyList<NDArray> Arrays, IReadOnlyList<string> Names) Parse(ReadOnlySpan<byte> bytes, string name)
    {
        var reader = new Reader(bytes, name);
        ulong magic = reader.UInt64("the list magic 0x112");
        if (magic != ListMagic)
        {
            throw reader.Error(0, string.Create(CultureInfo.InvariantCulture,
                $"is not an MXNet NDArray file (the mx.nd.save format): it starts with 0x{magic:X16}, not the list magic 0x112 (a raw float32 dump is not accepted: write it with mx.nd.save(path, {{'mean_img': array}}) or NDArrayFile.Save)"));
        }

        reader.UInt64("the reserved word");
        ulong count = reader.UInt64("the number of arrays");
        if (count > (ulong)bytes.Length / 8) throw reader.Error(16, string.Create(CultureInfo.InvariantCulture, $"claims {count} arrays, more than its {bytes.Length} bytes can hold"));
        var arrays = new List<NDArray>((int)count);
        try
        {
            for (ulong i = 0; i < count; i++) arrays.Add(reader.Array());
            ulong nameCount = reader.UInt64("the number of names");
            if (nameCount != 0 && nameCount != count) throw reader.Error(reader.Offset - 8, string.Create(CultureInfo.InvariantCulture, $"has {nameCount} names for {count} arrays"));
            var names = new List<string>((int)nameCount);
            for (ulong i = 0; i < nameCount; i++)
            {
                ulong length = reader.UInt64("a name's length");
                names.Add(Encoding.UTF8.GetString(reader.Bytes(length, "a name")));
            }

            return (arrays, names);
        }
        catch
        {
            foreach (NDArray array in arrays) array.Dispose();
            throw;
        }
    }

    private static int TypeFlag(DType dtype) => dtype switch
    {
        DType.Float32 => 0,
        DType.Float64 => 1,
        DType.Float16 => 2,
        DType.UInt8 => 3,
        DType.Int32 => 4,
        DType.Int8 => 5,
        DType.Int64 => 6,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype."),
    };

    private static void WriteUInt64(Stream stream, ulong value, Span<byte> word)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(word, value);
        stream.Write(word[..8]);
    }

    private static void WriteUInt32(Stream stream, uint value, Span<byte> word)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(word, value);
        stream.Write(word[..4]);
    }

    private ref struct Reader(ReadOnlySpan<byte> bytes, string name)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private readonly string _name = name;

        public int Offset { get; private set; }

        public ulong UInt64(string what) => BinaryPrimitives.ReadUInt64LittleEndian(Bytes(8, what));

        public uint UInt32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4, what));

        public ReadOnlySpan<byte> Bytes(ulong length, string what)
        {
            if (length > (ulong)(_bytes.Length - Offset))
            {
                throw Error(Offset, string.Create(CultureInfo.InvariantCulture, $"ends at byte {_bytes.Length}, inside {what} ({length} bytes from offset {Offset})"));
            }

            ReadOnlySpan<byte> slice = _bytes.Slice(Offset, (int)length);
            Offset += (int)length;
            return slice;
        }

        public NDArray Array()
        {
            int start = Offset;
            uint magic = UInt32("an array's magic");
            int[] shape;
            if (magic is V2Magic or V3Magic)
            {
                int stype = (int)UInt32("the storage type");
                if (stype != 0) throw Error(start + 4, string.Create(CultureInfo.InvariantCulture, $"holds a sparse array (storage type {stype}); only dense arrays are read"));
                shape = Shape(int64: true, rank: (int)UInt32("the rank"), start);
                if (shape.Length == 0 && magic == V2Magic) throw Error(start, "holds an empty (none) array");
            }
            else if (magic == V1Magic)
            {
                shape = Shape(int64: true, rank: (int)UInt32("the rank"), start);
            }
            else
            {
                // Before version 1 the word was the rank itself, with uint32 axes.
                if (magic > 32) throw Error(start, string.Create(CultureInfo.InvariantCulture, $"has 0x{magic:X8} where an array's magic 0xF993FAC9 was expected"));
                shape = Shape(int64: false, rank: (int)magic, start);
            }

            UInt32("the device type");
            UInt32("the device id");
            int flag = (int)UInt32("the type flag");
            DType dtype = flag switch
            {
                0 => DType.Float32,
                1 => DType.Float64,
                2 => DType.Float16,
                3 => DType.UInt8,
                4 => DType.Int32,
                5 => DType.Int8,
                6 => DType.Int64,
                _ => throw Error(Offset - 4, string.Create(CultureInfo.InvariantCulture, $"has type flag {flag}, which is not a known dtype")),
            };
            long count = 1;
            foreach (int axis in shape) count *= axis;
            ReadOnlySpan<byte> data = Bytes((ulong)(count * dtype.SizeInBytes()), "an array's elements");
            NDArray array = NDArray.Empty(dtype, shape);
            data.CopyTo(array.AsBytes());
            return array;
        }

        public readonly DataFormatException Error(int offset, string what) =>
            new($"'{_name}' {what}, at offset {offset}.", _name, lineNumber: null, offset: offset);

        private int[] Shape(bool int64, int rank, int start)
        {
            if (rank is < 0 or > 32) throw Error(start, string.Create(CultureInfo.InvariantCulture, $"has an array of rank {rank}"));
            int[] shape = new int[rank];
            long elements = 1;
            for (int i = 0; i < rank; i++)
            {
                long axis = int64 ? (long)UInt64("an axis") : UInt32("an axis");
                if (axis is < 0 or > int.MaxValue) throw Error(Offset - (int64 ? 8 : 4), string.Create(CultureInfo.InvariantCulture, $"has an array axis of {axis}"));
                shape[i] = (int)axis;
                elements *= axis;
                if (elements > int.MaxValue) throw Error(start, "has an array of more than 2^31 elements");
            }

            return shape;
        }
    }
}
