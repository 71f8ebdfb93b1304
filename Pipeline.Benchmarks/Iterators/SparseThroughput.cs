using System.Diagnostics;
using System.Globalization;
using System.Text;
using Pipeline.Core;
using Pipeline.Stages.Iterators;

namespace Pipeline.Benchmarks.Iterators;

/// <summary>LibSVMIter's MB/s of text beside CsvIter's on a file of the same size, runs interleaved, in one process.</summary>
internal static class SparseThroughput
{
    private const int BatchSize = 256;
    private const int Columns = 100_000;
    private const int NonZeros = 16;
    private const int CsvColumns = 16;

    public static int Run(string dir, int sizeMb, int rounds)
    {
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
        Directory.CreateDirectory(dir);
        long target = (long)sizeMb << 20;
        string libsvm = Path.Combine(dir, $"sparse-{sizeMb}mb.libsvm");
        string csv = Path.Combine(dir, $"dense-{sizeMb}mb.csv");
        long libsvmRows = EnsureFile(libsvm, target, WriteLibSvmRow);
        long csvRows = EnsureFile(csv, target, WriteCsvRow);
        long libsvmBytes = new FileInfo(libsvm).Length, csvBytes = new FileInfo(csv).Length;

        double bestSparse = double.MaxValue, bestDense = double.MaxValue;
        using var sparse = new LibSVMIter(new LibSVMIterOptions { DataLibsvm = libsvm, DataShape = [Columns], BatchSize = BatchSize });
        using var dense = new CsvIter(new CsvIterOptions { DataCsv = csv, DataShape = [CsvColumns], BatchSize = BatchSize });
        for (int i = 0; i < rounds; i++)
        {
            // Interleaved, so machine load shifts hit both alike.
            dense.Reset();
            bestDense = Math.Min(bestDense, IteratorThroughput.Time(() => IteratorThroughput.Drain(dense)));
            sparse.Reset();
            bestSparse = Math.Min(bestSparse, IteratorThroughput.Time(() => IteratorThroughput.Drain(sparse)));
        }

        double denseRate = csvBytes / bestDense / 1e6, sparseRate = libsvmBytes / bestSparse / 1e6;
        Console.WriteLine(Invariant($"best of {rounds}, B={BatchSize}, interleaved:"));
        Console.WriteLine(Invariant($"  CsvIter    {csvRows,9} rows x {CsvColumns} float32         ({csvBytes / 1e6:F0} MB): {denseRate,6:F0} MB/s, {csvRows / bestDense / 1e6:F2} M rows/s"));
        Console.WriteLine(Invariant($"  LibSVMIter {libsvmRows,9} rows, {NonZeros} of {Columns} columns ({libsvmBytes / 1e6:F0} MB): {sparseRate,6:F0} MB/s, {libsvmRows / bestSparse / 1e6:F2} M rows/s"));
        Console.WriteLine(Invariant($"  LibSVMIter / CsvIter: {sparseRate / denseRate:F2}"));
        return 0;
    }

    private static long EnsureFile(string path, long target, Action<StringBuilder, Random> row)
    {
        long rows = 0;
        if (File.Exists(path)) return File.ReadLines(path).LongCount();
        var random = new Random(3);
        var line = new StringBuilder();
        using (var writer = new StreamWriter(path + ".tmp", append: false, new UTF8Encoding(false), 1 << 20))
        {
            long written = 0;
            while (written < target)
            {
                line.Clear();
                row(line, random);
                line.Append('\n');
                writer.Write(line);
                written += line.Length;
                rows++;
            }
        }

        File.Move(path + ".tmp", path, overwrite: true);
        return rows;
    }

    private static void WriteLibSvmRow(StringBuilder line, Random random)
    {
        line.Append(random.Next(0, 2));
        int column = 0;
        for (int k = 0; k < NonZeros; k++)
        {
            column += random.Next(1, (Columns / NonZeros) - 1);
            line.Append(' ').Append(column).Append(':').Append((random.NextDouble() * 2).ToString("F5", CultureInfo.InvariantCulture));
        }
    }

    private static void WriteCsvRow(StringBuilder line, Random random)
    {
        for (int c = 0; c < CsvColumns; c++)
        {
            if (c > 0) line.Append(',');
            line.Append((random.NextDouble() * 200 - 100).ToString("F5", CultureInfo.InvariantCulture));
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
