using System.Diagnostics;
using System.Globalization;
using System.Text;
using Pipeline.Core;
using Pipeline.Stages.Iterators;

namespace Pipeline.Benchmarks.Iterators;

/// <summary>End-to-end throughput of NDArrayIter (against memcpy of the same bytes) and CsvIter (MB/s of text), in one run.</summary>
internal static class IteratorThroughput
{
    private const int Rows = 1 << 20;
    private const int Columns = 128;
    private const int BatchSize = 256;
    private const int Repeats = 5;

    public static int Run(string dir)
    {
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
        MeasureNDArrayIter();
        MeasureCsvIter(dir);
        return 0;
    }

    private static void MeasureNDArrayIter()
    {
        float[] values = new float[Rows * Columns];
        new Random(1).NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        using NDArray data = NDArray.From(values, Rows, Columns);
        using NDArray label = NDArray.From(new float[Rows], Rows);
        long bytes = (long)Rows * Columns * sizeof(float);
        byte[] batchBuffer = new byte[BatchSize * Columns * sizeof(float)];

        double memcpy = double.MaxValue;
        double ours = double.MaxValue;
        double shuffled = double.MaxValue;
        long allocatedPerBatch = 0;
        int batches = 0;
        using var plain = new NDArrayIter(data, label, BatchSize);
        using var shuffledIter = new NDArrayIter(data, label, BatchSize, shuffle: true, seed: 1);
        for (int i = 0; i < Repeats; i++)
        {
            memcpy = Math.Min(memcpy, Time(() => CopyLikeBatches(data.AsBytes(), batchBuffer)));
            plain.Reset();
            long before = GC.GetTotalAllocatedBytes(precise: true);
            ours = Math.Min(ours, Time(() => batches = DrainAsync(plain)));
            allocatedPerBatch = (GC.GetTotalAllocatedBytes(precise: true) - before) / batches;
            shuffledIter.Reset();
            shuffled = Math.Min(shuffled, Time(() => Drain(shuffledIter)));
        }

        Console.WriteLine($"NDArrayIter, {Rows} x {Columns} float32, B={BatchSize} ({bytes / 1e6:F0} MB, {batches} batches), best of {Repeats}:");
        Console.WriteLine(Invariant($"  memcpy into a batch-sized buffer (1 thread)  {bytes / memcpy / 1e9,6:F2} GB/s"));
        Console.WriteLine(Invariant($"  NDArrayIter, in order                        {bytes / ours / 1e9,6:F2} GB/s  {100 * memcpy / ours,4:F0}% of memcpy  {allocatedPerBatch} B allocated per batch"));
        Console.WriteLine(Invariant($"  NDArrayIter, shuffled (row gather)           {bytes / shuffled / 1e9,6:F2} GB/s  {100 * memcpy / shuffled,4:F0}% of memcpy"));
    }

    private static void CopyLikeBatches(ReadOnlySpan<byte> source, byte[] destination)
    {
        for (int offset = 0; offset < source.Length; offset += destination.Length)
        {
            int length = Math.Min(destination.Length, source.Length - offset);
            source.Slice(offset, length).CopyTo(destination);
        }
    }

    private static int DrainAsync(DataIter iter)
    {
        return Run().GetAwaiter().GetResult();

        async Task<int> Run()
        {
            int count = 0;
            while (await iter.NextAsync().ConfigureAwait(false) is { } batch)
            {
                batch.Dispose();
                count++;
            }

            return count;
        }
    }

    /// <summary>Reads an epoch, disposing each batch; returns the batch count.</summary>
    internal static int Drain(DataIter iter)
    {
        int count = 0;
        while (iter.Next() is { } batch)
        {
            batch.Dispose();
            count++;
        }

        return count;
    }

    private static void MeasureCsvIter(string dir)
    {
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "numbers.csv");
        const int csvRows = 1_000_000;
        const int csvColumns = 16;
        if (!File.Exists(path))
        {
            var random = new Random(2);
            using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), 1 << 20);
            var line = new StringBuilder();
            for (int r = 0; r < csvRows; r++)
            {
                line.Clear();
                for (int c = 0; c < csvColumns; c++)
                {
                    if (c > 0) line.Append(',');
                    line.Append((random.NextDouble() * 200 - 100).ToString("F5", CultureInfo.InvariantCulture));
                }

                writer.Write(line.Append('\n'));
            }
        }

        long size = new FileInfo(path).Length;
        double best = double.MaxValue;
        using var iter = new CsvIter(new CsvIterOptions { DataCsv = path, DataShape = [csvColumns], BatchSize = BatchSize });
        for (int i = 0; i < 3; i++)
        {
            iter.Reset();
            best = Math.Min(best, Time(() => Drain(iter)));
        }

        Console.WriteLine(Invariant($"CsvIter, {csvRows} rows x {csvColumns} float32 ({size / 1e6:F0} MB of text), B={BatchSize}: {size / best / 1e6:F0} MB/s, {csvRows / best / 1e6:F2} M rows/s"));
    }

    /// <summary>Seconds <paramref name="action"/> takes.</summary>
    internal static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalSeconds;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
