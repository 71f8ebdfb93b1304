using System.Buffers.Binary;
using System.Globalization;

namespace Pipeline.Core.RecordIO;

/// <summary>MXNet's <c>recordio.pack</c> and <c>unpack</c>: an <see cref="ImageRecordHeader"/>, optional float labels, then the payload.</summary>
public static class ImageRecord
{
    /// <summary>Packs a header and a payload into one record, as MXNet's <c>pack</c>.</summary>
    /// <param name="header">The header. With <see cref="ImageRecordHeader.Labels"/> unset the scalar <see cref="ImageRecordHeader.Label"/> is stored and the flag is forced to 0; with it set, the flag becomes the label count, the scalar label 0, and the labels go between header and payload.</param>
    /// <param name="payload">The image bytes; stored as they are (escaping is RecordIO's job).</param>
    /// <returns>The packed record.</returns>
    /// <remarks>An empty <see cref="ImageRecordHeader.Labels"/> array gives flag 0 and label 0, as MXNet does for an empty list.</remarks>
    public static byte[] Pack(ImageRecordHeader header, ReadOnlySpan<byte> payload)
    {
        float[]? labels = header.Labels;
        ImageRecordHeader stored = labels is null
            ? header with { Flag = 0 }
            : header with { Flag = (uint)labels.Length, Label = 0f };
        int labelBytes = (labels?.Length ?? 0) * sizeof(float);
        byte[] packed = GC.AllocateUninitializedArray<byte>(ImageRecordHeader.Size + labelBytes + payload.Length);
        stored.WriteTo(packed);
        Span<byte> rest = packed.AsSpan(ImageRecordHeader.Size);
        if (labels is not null)
        {
            foreach (float label in labels)
            {
                BinaryPrimitives.WriteSingleLittleEndian(rest, label);
                rest = rest[sizeof(float)..];
            }
        }

        payload.CopyTo(rest);
        return packed;
    }

    /// <summary>Splits a record into its header and payload, as MXNet's <c>unpack</c>.</summary>
    /// <param name="record">A packed record.</param>
    /// <returns>The header (with <see cref="ImageRecordHeader.Labels"/> set when the flag is non-zero) and the payload, which shares the record's memory.</returns>
    /// <exception cref="RecordFormatException">The record is shorter than its header and labels.</exception>
    /// <remarks>Any non-zero flag is read as that many labels, whatever the writer meant (MXNet's behaviour).</remarks>
    public static (ImageRecordHeader Header, ReadOnlyMemory<byte> Payload) Unpack(ReadOnlyMemory<byte> record)
    {
        ReadOnlySpan<byte> span = record.Span;
        if (span.Length < ImageRecordHeader.Size)
        {
            throw new RecordFormatException(string.Create(CultureInfo.InvariantCulture, $"An image record is {span.Length} bytes long; it needs at least the {ImageRecordHeader.Size}-byte header."));
        }

        ImageRecordHeader header = ImageRecordHeader.Parse(span);
        if (header.Flag == 0)
        {
            return (header, record[ImageRecordHeader.Size..]);
        }

        long labelsEnd = ImageRecordHeader.Size + (header.Flag * 4L);
        if (labelsEnd > span.Length)
        {
            throw new RecordFormatException(string.Create(CultureInfo.InvariantCulture, $"An image record header announces {header.Flag} labels ({labelsEnd} bytes with the header) but the record is {span.Length} bytes long."));
        }

        var labels = new float[header.Flag];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = BinaryPrimitives.ReadSingleLittleEndian(span[(ImageRecordHeader.Size + (4 * i))..]);
        }

        return (header with { Labels = labels }, record[(int)labelsEnd..]);
    }
}
