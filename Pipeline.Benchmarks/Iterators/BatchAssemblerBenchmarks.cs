using BenchmarkDotNet.Attributes;
using Pipeline.Core;
using Pipeline.Core.Batching;

namespace Pipeline.Benchmarks.Iterators;

/// <summary>Per-batch cost of assembling 256 rows of 128 float32 with <see cref="BatchAssembler"/>, against a plain copy of the same bytes.</summary>
public class BatchAssemblerBenchmarks : IDisposable
{
    private const int BatchSize = 256;
    private const int RowBytes = 128 * sizeof(float);
    private const int Batches = 64;
    private byte[] _source = [];
    private byte[] _destination = [];
    private BatchAssembler? _assembler;

    [GlobalSetup]
    public void Setup()
    {
        _source = new byte[Batches * BatchSize * RowBytes];
        new Random(1).NextBytes(_source);
        _destination = new byte[BatchSize * RowBytes];
        _assembler = new BatchAssembler([new DataDesc("data", [BatchSize, 128])], [new DataDesc("softmax_label", [BatchSize])], LastBatchHandle.Pad);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batches)]
    public void Memcpy()
    {
        for (int b = 0; b < Batches; b++) _source.AsSpan(b * _destination.Length, _destination.Length).CopyTo(_destination);
    }

    [Benchmark(OperationsPerInvoke = Batches)]
    public void Assemble()
    {
        BatchAssembler assembler = _assembler!;
        for (int b = 0; b < Batches; b++)
        {
            _source.AsSpan(b * BatchSize * RowBytes, BatchSize * RowBytes).CopyTo(assembler.DataSlots(0, BatchSize));
            assembler.LabelSlots(0, BatchSize).Clear();
            assembler.Commit(BatchSize)!.Dispose();
        }
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _assembler?.Dispose();
        GC.SuppressFinalize(this);
    }
}
