using BenchmarkDotNet.Attributes;
using Pipeline.Core.RecordIO;

namespace Pipeline.Benchmarks.RecordIO;

/// <summary>Per-record cost of sequential reads of 1 KB records from the page cache.</summary>
public class RecordIOReadBenchmarks
{
    private const int Records = 20_000;
    private string _path = string.Empty;
    private byte[] _buffer = [];

    [GlobalSetup]
    public void Setup()
    {
        _path = RecordIOFiles.Ensure(Path.Combine(Path.GetTempPath(), "pipeline-bench"), "micro-1k.rec", 1024, Records * 1024L);
        _buffer = new byte[1 << 20];
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    public long FileStreamRead()
    {
        using var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        long total = 0;
        int read;
        while ((read = stream.Read(_buffer)) > 0) total += read;
        return total;
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public long TryRead()
    {
        using var reader = new RecordIOReader(_path);
        long total = 0;
        while (reader.TryRead(out ReadOnlyMemory<byte> record)) total += record.Length;
        return total;
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public long ReadArray()
    {
        using var reader = new RecordIOReader(_path);
        long total = 0;
        while (reader.Read() is { } record) total += record.Length;
        return total;
    }
}
