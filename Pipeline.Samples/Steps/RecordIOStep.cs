using System.Text;
using Pipeline.Core.RecordIO;

namespace Pipeline.Samples.Steps;

/// <summary>The tutorial's RecordIO section: write records, read them back in order, then by key.</summary>
internal sealed class RecordIOStep : ITourStep
{
    public string Name => "recordio";

    public string Summary => "RecordIOWriter/Reader write and read MXNet-compatible .rec files; an .idx adds reads by key.";

    public void Run(TourContext context)
    {
        string rec = context.OutputFile("tmp.rec");
        using (var writer = new RecordIOWriter(rec))
        {
            for (int i = 0; i < 5; i++) writer.Write(Encoding.ASCII.GetBytes($"record_{i}"));
        }

        context.Out.WriteLine("Sequential read of tmp.rec:");
        using (var reader = new RecordIOReader(rec))
        {
            while (reader.Read() is { } item) context.Out.WriteLine("  " + PythonRepr.Bytes(item));
        }

        string idx = context.OutputFile("tmp.idx");
        string indexedRec = context.OutputFile("tmp-indexed.rec");
        using (var writer = new IndexedRecordIOWriter(idx, indexedRec))
        {
            for (int i = 0; i < 5; i++) writer.WriteIdx(i, Encoding.ASCII.GetBytes($"record_{i}"));
        }

        using var indexed = new IndexedRecordIOReader(idx, indexedRec);
        context.Out.WriteLine($"read_idx(3): {PythonRepr.Bytes(indexed.ReadIdx(3))}");
        context.Out.WriteLine($"keys: [{string.Join(", ", indexed.Keys)}]");
        context.Out.WriteLine($"tmp.idx: {File.ReadAllText(idx).Replace("\t", "\\t", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}");
    }
}
