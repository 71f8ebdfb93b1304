using System.Diagnostics;
using System.Globalization;
using Pipeline.Core.RecordIO;

namespace Pipeline.Benchmarks.RecordIO;

/// <summary>End-to-end RecordIO throughput against a plain <see cref="FileStream"/> read of the same file, in one run.</summary>
internal static class RecordIOThroughput
{
    private const int Repeats = 7;

    public static int Run(string dir)
    {
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
        Measure(RecordIOFiles.Ensure(dir, "large-100k.rec", 100 * 1024, 1L << 30), "1 GB of 100 KB records");
        Measure(RecordIOFiles.Ensure(dir, "small-1k.rec", 1024, 200L << 20), "200 MB of 1 KB records");
        MeasureWrite(dir);
        return 0;
    }

    private static void Measure(string path, string label)
    {
        long size = new FileInfo(path).Length;
        ReadPlain(path);
        ReadRecords(path);

        // Interleaved, best of each: the page cache's copy speed drifts, so both see the same conditions.
        double plain = double.MaxValue;
        double ours = double.MaxValue;
        long records = 0;
        long allocated = 0;
        for (int i = 0; i < Repeats; i++)
        {
            plain = Math.Min(plain, Time(() => ReadPlain(path)));
            ours = Math.Min(ours, Time(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                records = ReadRecords(path);
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            }));
        }

        double oursAsync = Best(() => ReadRecordsAsync(path).GetAwaiter().GetResult());
        double copies = Best(() => ReadRecordArrays(path));

        Console.WriteLine($"{label}: {records} records, {size / 1e6:F0} MB");
        Console.WriteLine(Invariant($"  FileStream.Read (1 MiB buffer)          {size / plain / 1e6,8:F0} MB/s"));
        Console.WriteLine(Invariant($"  RecordIOReader.TryRead (zero-copy)      {size / ours / 1e6,8:F0} MB/s  {records / ours / 1e6,6:F2} M rec/s  {100 * plain / ours,5:F0}% of FileStream  {(double)allocated / records,6:F3} B/record"));
        Console.WriteLine(Invariant($"  RecordIOReader.ReadMemoryAsync          {size / oursAsync / 1e6,8:F0} MB/s  {records / oursAsync / 1e6,6:F2} M rec/s"));
        Console.WriteLine(Invariant($"  RecordIOReader.Read (new byte[] each)   {size / copies / 1e6,8:F0} MB/s  {records / copies / 1e6,6:F2} M rec/s"));
    }

    private static void MeasureWrite(string dir)
    {
        string path = Path.Combine(dir, "write.rec");
        byte[] payload = new byte[100 * 1024];
        new Random(1).NextBytes(payload);
        const int count = 5000;
        double seconds = Best(() =>
        {
            using var writer = new RecordIOWriter(path);
            for (int i = 0; i < count; i++) writer.Write(payload);
        });
        long size = new FileInfo(path).Length;
        Console.WriteLine(Invariant($"write 500 MB of 100 KB records (to page cache): {size / seconds / 1e6:F0} MB/s"));
        File.Delete(path);
    }

    private static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalSeconds;
    }

    private static double Best(Action action)
    {
        double best = double.MaxValue;
        for (int i = 0; i < Repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            action();
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }

        return best;
    }

    private static long ReadPlain(string path)
    {
        byte[] buffer = new byte[1 << 20];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        long total = 0;
        int read;
        while ((read = stream.Read(buffer)) > 0) total += read;
        return total;
    }

    private static long ReadRecords(string path)
    {
        using var reader = new RecordIOReader(path);
        long count = 0;
        long checksum = 0;
        while (reader.TryRead(out ReadOnlyMemory<byte> record))
        {
            checksum += record.Length;
            count++;
        }

        return count + (checksum & 0);
    }

    private static async Task ReadRecordsAsync(string path)
    {
        using var reader = new RecordIOReader(path);
        while (await reader.ReadMemoryAsync().ConfigureAwait(false) is not null)
        {
        }
    }

    private static void ReadRecordArrays(string path)
    {
        using var reader = new RecordIOReader(path);
        while (reader.Read() is not null)
        {
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
