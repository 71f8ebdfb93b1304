using Pipeline.Core;
using Pipeline.Stages.Iterators;

namespace Pipeline.Tests.Stages.Iterators;

// The CSR parts of MXNet's test_NDArrayIter_csr, over several random shapes instead of one.
public sealed class NDArrayIterCsrTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Csr_MatchesMXNetsTest(int seed)
    {
        var rnd = new Random(seed);
        int numRows = rnd.Next(5, 16), numCols = rnd.Next(1, 21), batchSize = rnd.Next(1, numRows + 1);
        float[] values = new float[numRows * numCols];
        for (int i = 0; i < values.Length; i++) values[i] = rnd.NextDouble() < 0.3 ? (float)rnd.NextDouble() : 0;
        using NDArray dns = NDArray.From(values, numRows, numCols);
        using CsrNDArray csr = CsrNDArray.FromDense(dns);

        // CSR with last_batch_handle other than discard is not supported (MXNet: NotImplementedError).
        Assert.Throws<NotSupportedException>(() => new NDArrayIter(csr, dns, batchSize, lastBatchHandle: LastBatchHandle.Pad));

        // CSR and dense data together, shuffled.
        await using (var mixed = new NDArrayIter(new Dictionary<string, NDArray> { ["dns_data"] = dns }, new Dictionary<string, CsrNDArray> { ["csr_data"] = csr }, new Dictionary<string, NDArray> { ["softmax_label"] = dns }, batchSize, shuffle: true, seed: seed))
        {
            Assert.Equal(["dns_data", "csr_data"], mixed.ProvideData.Select(d => d.Name));
            int batches = 0;
            while (await mixed.NextAsync() is { } batch)
            {
                using (batch)
                {
                    // Both inputs hold the same rows: the dense copy equals the sparse one.
                    using NDArray fromCsr = batch.SparseData[0].ToDense();
                    Assert.Equal(batch.Data[0].ToArray<float>(), fromCsr.ToArray<float>());
                    Assert.Equal(batch.Data[0].ToArray<float>(), batch.Label[0].ToArray<float>());
                    batches++;
                }
            }

            Assert.Equal(numRows / batchSize, batches);
            Assert.Equal(numRows / batchSize, mixed.BatchesPerEpoch);
        }

        // In order: batch k is rows k*B .. k*B+B of the dense array.
        await using var iter = new NDArrayIter(csr, csr, batchSize);
        int begin = 0;
        while (await iter.NextAsync() is { } batch)
        {
            using (batch)
            using (NDArray data = batch.SparseData[0].ToDense())
            {
                Assert.Equal(values.AsSpan(begin * numCols, batchSize * numCols).ToArray(), data.ToArray<float>());
                Assert.Equal([batchSize, numCols], batch.SparseLabel[0].Shape);
                Assert.Equal(Enumerable.Range(begin, batchSize).Select(i => (long)i), batch.Index!);
            }

            begin += batchSize;
        }

        Assert.Equal(numRows / batchSize * batchSize, begin);
    }

    [Fact]
    public async Task Csr_SaveAndRestore_ResumesTheShuffledOrder()
    {
        using NDArray dns = NDArray.From(Enumerable.Range(0, 40).Select(i => i % 3 == 0 ? 0f : i).ToArray(), 10, 4);
        using CsrNDArray csr = CsrNDArray.FromDense(dns);
        await using var whole = new NDArrayIter(csr, batchSize: 3, shuffle: true, seed: 5);
        var expected = new List<float[]>();
        while (await whole.NextAsync() is { } b)
        {
            using (b)
            using (NDArray d = b.SparseData[0].ToDense()) expected.Add(d.ToArray<float>());
        }

        await using var first = new NDArrayIter(csr, batchSize: 3, shuffle: true, seed: 5);
        (await first.NextAsync())!.Dispose();
        await using var resumed = new NDArrayIter(csr, batchSize: 3, shuffle: true, seed: 5);
        resumed.RestoreState(first.SaveState());
        var rest = new List<float[]>();
        while (await resumed.NextAsync() is { } b)
        {
            using (b)
            using (NDArray d = b.SparseData[0].ToDense()) rest.Add(d.ToArray<float>());
        }

        Assert.Equal(expected.Skip(1), rest);
    }
}
