using Pipeline.Core.RecordIO;

namespace Pipeline.Tests.Infrastructure;

/// <summary>Helpers that write and read whole record files in memory.</summary>
internal static class RecordFiles
{
    public static byte[] Write(IEnumerable<byte[]> records)
    {
        using var stream = new MemoryStream();
        using (var writer = new RecordIOWriter(stream, leaveOpen: true))
        {
            foreach (byte[] record in records) writer.Write(record);
        }

        return stream.ToArray();
    }

    public static List<byte[]> ReadAll(byte[] file)
    {
        using var reader = new RecordIOReader(new MemoryStream(file));
        var records = new List<byte[]>();
        while (reader.Read() is { } record) records.Add(record);
        return records;
    }

    public static List<byte[]> ReadAll(string path)
    {
        using var reader = new RecordIOReader(path);
        var records = new List<byte[]>();
        while (reader.Read() is { } record) records.Add(record);
        return records;
    }
}
