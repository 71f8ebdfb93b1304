using System.Buffers.Binary;
using Pipeline.Core;
using Pipeline.Core.RecordIO;
using Pipeline.Stages.Imaging;

namespace Pipeline.Tests.Infrastructure;

/// <summary>A small .rec with one record broken in each way a record can be (and its .idx), for the skip policy's tests.</summary>
internal static class HostileRecordFile
{
    /// <summary>The labels of the good records, in file order.</summary>
    public static readonly float[] GoodLabels = [1f, 4f, 7f, 9f];

    /// <summary>Writes ten records, keys 0-9, label = key: 1, 4, 7 and 9 are good; 0 is 10 bytes (header), 2 announces 1,000 labels in 60 bytes (header),
    /// 3 packs two labels for a label width of 1 (labels), 5 is not an image (decode), 6 has its magic broken and 8 a length past the
    /// end of the file (framing: reading resumes at the next record head).</summary>
    public static void Write(string rec, string? idx)
    {
        byte[] jpeg;
        using (NDArray pixels = NDArray.Zeros(DType.UInt8, 8, 8, 3)) jpeg = ImageOps.Encode(pixels, ImageFormat.Jpeg);
        byte[] Good(int key) => ImageRecord.Pack(new ImageRecordHeader(0, key, (ulong)key, 0), jpeg);
        byte[] manyLabels = new byte[60];
        new ImageRecordHeader(1000, 2, 2, 0).WriteTo(manyLabels);
        byte[][] records =
        [
            new byte[10],
            Good(1),
            manyLabels,
            ImageRecord.Pack(new ImageRecordHeader(0, 3, 3, 0) { Labels = [3f, 3f] }, jpeg),
            Good(4),
            ImageRecord.Pack(new ImageRecordHeader(0, 5, 5, 0), "not an image"u8),
            Good(6),
            Good(7),
            Good(8),
            Good(9),
        ];
        var offsets = new long[records.Length];
        using (var writer = new RecordIOWriter(rec))
        {
            for (int i = 0; i < records.Length; i++)
            {
                offsets[i] = writer.Position;
                writer.Write(records[i]);
            }
        }

        byte[] bytes = File.ReadAllBytes(rec);

        // Record 6: a bad magic word. Record 8: its header claims more bytes than the file holds, so the record runs past the end.
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)offsets[6]), 0xDEADBEEF);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)offsets[8] + 4), 1u << 28);
        File.WriteAllBytes(rec, bytes);
        if (idx is not null) File.WriteAllLines(idx, offsets.Select((o, k) => $"{k}\t{o}"));
    }
}
