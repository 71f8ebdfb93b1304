using Pipeline.Core.RecordIO;

namespace Pipeline.Benchmarks.RecordIO;

/// <summary>Deterministic benchmark inputs: files of equal-sized pseudo-random records.</summary>
internal static class RecordIOFiles
{
    public static string Ensure(string dir, string name, int recordSize, long totalBytes)
    {
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, name);
        long count = totalBytes / recordSize;
        long expected = count * (8 + ((recordSize + 3) & ~3));
        if (File.Exists(path) && new FileInfo(path).Length == expected) return path;

        var random = new Random(42);
        byte[] payload = new byte[recordSize];
        using var writer = new RecordIOWriter(path);
        for (long i = 0; i < count; i++)
        {
            random.NextBytes(payload.AsSpan(0, Math.Min(64, recordSize)));
            writer.Write(payload);
        }

        return path;
    }
}
