using System.Buffers.Binary;

namespace Pipeline.Core.RecordIO;

/// <summary>The 24-byte header MXNet puts in front of every image record (<c>IRHeader</c>, struct <c>'IfQQ'</c>).</summary>
/// <param name="Flag">The number of float labels that follow the header, or 0 for a single scalar label.</param>
/// <param name="Label">The scalar label (ignored by readers when <paramref name="Flag"/> is non-zero).</param>
/// <param name="Id">The image id (<c>image_id[0]</c>), the list index in <c>im2rec</c>.</param>
/// <param name="Id2">The second id (<c>image_id[1]</c>), normally 0.</param>
public readonly record struct ImageRecordHeader(uint Flag, float Label, ulong Id, ulong Id2)
{
    /// <summary>The size of the fixed header in bytes.</summary>
    public const int Size = 24;

    /// <summary>Gets the array label; when set, <see cref="ImageRecord.Pack"/> stores it after the header and sets <see cref="Flag"/> to its length.</summary>
    public float[]? Labels { get; init; }

    /// <summary>Parses the fixed 24 bytes (not the array labels that may follow).</summary>
    /// <param name="source">At least 24 bytes.</param>
    /// <returns>The header, with <see cref="Labels"/> unset.</returns>
    /// <exception cref="ArgumentException"><paramref name="source"/> is shorter than 24 bytes.</exception>
    public static ImageRecordHeader Parse(ReadOnlySpan<byte> source)
    {
        if (source.Length < Size)
        {
            throw new ArgumentException($"An image record header needs {Size} bytes; got {source.Length}.", nameof(source));
        }

        return new ImageRecordHeader(
            BinaryPrimitives.ReadUInt32LittleEndian(source),
            BinaryPrimitives.ReadSingleLittleEndian(source[4..]),
            BinaryPrimitives.ReadUInt64LittleEndian(source[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(source[16..]));
    }

    /// <summary>Writes the fixed 24 bytes exactly as given (no label rules applied).</summary>
    /// <param name="destination">At least 24 bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 24 bytes.</exception>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException($"An image record header needs {Size} bytes; got {destination.Length}.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt32LittleEndian(destination, Flag);
        BinaryPrimitives.WriteSingleLittleEndian(destination[4..], Label);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], Id);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], Id2);
    }
}
