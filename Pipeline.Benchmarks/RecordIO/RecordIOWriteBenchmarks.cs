using BenchmarkDotNet.Attributes;
using Pipeline.Core.RecordIO;

namespace Pipeline.Benchmarks.RecordIO;

/// <summary>Per-record cost of writing 1 KB records, with and without aligned magic words to escape.</summary>
public class RecordIOWriteBenchmarks : IDisposable
{
    private const int Records = 10_000;
    private byte[] _plain = [];
    private byte[] _withMagic = [];
    private MemoryStream _sink = new();

    [GlobalSetup]
    public void Setup()
    {
        _plain = new byte[1024];
        new Random(3).NextBytes(_plain);
        _plain[0] = 0;
        _withMagic = (byte[])_plain.Clone();
        byte[] magic = [0x0A, 0x23, 0xD7, 0xCE];
        magic.CopyTo(_withMagic, 512);
        _sink = new MemoryStream(Records * 1100);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _sink.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    public long Plain() => Write(_plain);

    [Benchmark(OperationsPerInvoke = Records)]
    public long WithMagic() => Write(_withMagic);

    private long Write(byte[] payload)
    {
        _sink.Position = 0;
        using var writer = new RecordIOWriter(_sink, leaveOpen: true);
        for (int i = 0; i < Records; i++) writer.Write(payload);
        return writer.Position;
    }
}
