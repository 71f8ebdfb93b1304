using Pipeline.Core;
using Pipeline.Stages.Iterators;
using TorchSharp;

namespace Pipeline.TorchSharp.Tests;

/// <summary><see cref="TorchBatchIter"/>: any iterator's batches as tensors, by position and by name, with the pad.</summary>
public sealed class TorchBatchIterTests
{
    [Fact]
    public async Task MultiInputIterator_TensorsByName_WithPad()
    {
        using NDArray a = NDArray.From(Enumerable.Range(0, 20).Select(x => (float)x).ToArray(), 10, 2);
        using NDArray b = NDArray.From(Enumerable.Range(0, 30).ToArray(), 10, 3);
        using NDArray y = NDArray.From(Enumerable.Range(0, 10).Select(x => (long)x * 10).ToArray(), 10);
        using var iter = new NDArrayIter(new Dictionary<string, NDArray> { ["a"] = a, ["b"] = b }, new Dictionary<string, NDArray> { ["y"] = y }, batchSize: 4);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var pads = new List<int>();
        var firstColumn = new List<float>();
        await foreach (TorchBatch batch in iter.AsTorch().WithCancellation(timeout.Token))
        {
            using (batch)
            {
                Assert.Equal([4L, 2], batch["a"].shape);
                Assert.Equal(torch.ScalarType.Int32, batch["b"].dtype);
                Assert.Equal([4L, 3], batch["b"].shape);
                Assert.Equal(torch.ScalarType.Int64, batch["y"].dtype);
                Assert.Same(batch.Data[0], batch["a"]);
                Assert.Same(batch.Label[0], batch["y"]);
                using torch.Tensor column = batch["a"][.., 0];
                firstColumn.AddRange(column.data<float>().ToArray().Take(batch.Count));
                // Row i has b = (3i, 3i+1, 3i+2) and y = 10i: the inputs of one example stay together.
                using torch.Tensor labels = batch["y"] * 3;
                using torch.Tensor rows = batch["b"][.., 0].to_type(torch.ScalarType.Int64) * 10;
                Assert.Equal(labels.data<long>().ToArray(), rows.data<long>().ToArray());
                pads.Add(batch.Pad);
                Assert.Equal(4 - batch.Pad, batch.Count);
            }
        }

        Assert.Equal([0, 0, 2], pads);
        Assert.Equal(Enumerable.Range(0, 10).Select(x => x * 2f), firstColumn);
        var missing = Assert.Throws<KeyNotFoundException>(() => EmptyBatchLookup(iter));
        Assert.Contains("a, b, y", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deconstruct_GivesDataAndLabel_AndResetStartsTheNextEpoch()
    {
        using NDArray data = NDArray.From(Enumerable.Range(0, 12).Select(x => (float)x).ToArray(), 6, 2);
        using NDArray label = NDArray.From(Enumerable.Range(0, 6).Select(x => (float)x).ToArray(), 6);
        using var iter = new NDArrayIter(data, label, batchSize: 3);
        TorchBatchIter batches = iter.AsTorch();
        for (int epoch = 0; epoch < 2; epoch++)
        {
            float sum = 0;
            while (await batches.NextAsync() is { } batch)
            {
                using (batch)
                {
                    var (x, y) = batch;
                    Assert.Equal([3L, 2], x.shape);
                    sum += y.sum().item<float>();
                }
            }

            Assert.Equal(15f, sum);
            batches.Reset();
        }
    }

    [Fact]
    public async Task Cancellation_StopsTheEnumeration()
    {
        using NDArray data = NDArray.Zeros(DType.Float32, 100, 4);
        using var iter = new NDArrayIter(data, batchSize: 10);
        using var cancel = new CancellationTokenSource();
        int seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (TorchBatch batch in iter.AsTorch().WithCancellation(cancel.Token))
            {
                using (batch)
                {
                    Assert.Throws<InvalidOperationException>(() => batch.Deconstruct(out _, out _));   // no label
                    if (++seen == 2) await cancel.CancelAsync();
                }
            }
        });
        Assert.Equal(2, seen);
    }

    [Fact]
    public async Task TrainingLoop_ReleasesEachBatchAfterItsStep_SoTheIteratorReusesBuffers()
    {
        using NDArray data = NDArray.From(Enumerable.Range(0, 2000).Select(x => (float)(x % 7)).ToArray(), 200, 10);
        using NDArray label = NDArray.From(Enumerable.Range(0, 200).Select(x => (float)(x % 2)).ToArray(), 200);
        using var iter = new NDArrayIter(data, label, batchSize: 10);
        using var model = torch.nn.Linear(10, 2);
        using var sgd = torch.optim.SGD(model.parameters(), 0.01);
        var shells = new HashSet<DataBatch>(ReferenceEqualityComparer.Instance);
        int steps = 0;
        await foreach (TorchBatch batch in iter.AsTorch())
        {
            using (batch)
            using (torch.NewDisposeScope())
            {
                shells.Add(batch.Batch);
                var (x, y) = batch;
                sgd.zero_grad();
                torch.nn.functional.cross_entropy(model.forward(x), y.to_type(torch.ScalarType.Int64)).backward();
                sgd.step();
                steps++;
            }
        }

        // backward() frees what the graph saved (x among it) and the scope disposes the rest, so no tensor views a batch
        // after its step: every batch goes back whole and is reused (a tensor kept past the step would make this 20).
        Assert.Equal(20, steps);
        Assert.True(shells.Count <= 8, $"{shells.Count} distinct batches for 20 steps: buffers were not recycled");
    }

    private static torch.Tensor EmptyBatchLookup(NDArrayIter iter)
    {
        iter.Reset();
        using TorchBatch batch = iter.AsTorch().NextAsync().AsTask().GetAwaiter().GetResult()!;
        return batch["nope"];
    }
}
