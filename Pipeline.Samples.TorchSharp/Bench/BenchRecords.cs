using Pipeline.Core.RecordIO;
using Pipeline.Samples.Steps;

namespace Pipeline.Samples.TorchSharp.Bench;

/// <summary>A larger .rec for the epoch benchmark: the tour's packed training photos, repeated to the asked count (ids renumbered, labels kept).</summary>
internal static class BenchRecords
{
    public static string Ensure(TourContext context, int count)
    {
        string rec = Path.Combine(context.OutputDir, $"torch-bench-{count}.rec");
        string idx = Path.ChangeExtension(rec, ".idx");
        if (File.Exists(rec) && File.Exists(idx)) return rec;

        var records = new List<byte[]>();
        using (var reader = new RecordIOReader(ImageIterStep.EnsurePacked(context)))
        {
            while (reader.Read() is { } record) records.Add(record);
        }

        using (var writer = new IndexedRecordIOWriter(idx + ".tmp", rec + ".tmp"))
        {
            for (int i = 0; i < count; i++)
            {
                (ImageRecordHeader header, ReadOnlyMemory<byte> payload) = ImageRecord.Unpack(records[i % records.Count]);
                writer.WriteIdx(i, ImageRecord.Pack(header with { Id = (ulong)i }, payload.Span));
            }
        }

        File.Move(rec + ".tmp", rec, overwrite: true);
        File.Move(idx + ".tmp", idx, overwrite: true);
        return rec;
    }
}
