using Pipeline.Core;
using Pipeline.Stages.Iterators;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Stages.Iterators;

/// <summary>ImageRecordIter over many epochs: the managed heap stays flat. It measures the whole process, so it runs alone.</summary>
[Collection(ProcessWideMeasurements.Name)]
public sealed class ImageIteratorSoakTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Soak_TwentyEpochsWithReset_MemoryStaysFlat()
    {
        using ImageRecordIter iter = ImageIteratorTests.RandomRecordIter(threads: 2, prefetch: 4, seedAug: 3, shuffle: true);
        long afterFirst = 0;
        long workingSetFirst = 0;
        long peakWorkingSet = 0;
        for (int epoch = 0; epoch < 20; epoch++)
        {
            await foreach (DataBatch batch in iter) batch.Dispose();
            iter.Reset();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long now = GC.GetTotalMemory(forceFullCollection: true);
            long workingSet = Environment.WorkingSet;
            peakWorkingSet = Math.Max(peakWorkingSet, workingSet);
            if (epoch == 0)
            {
                afterFirst = now;
                workingSetFirst = workingSet;
            }
            else
            {
                Assert.True(now < afterFirst + (16 << 20), $"epoch {epoch}: {now} bytes vs {afterFirst} after the first");
            }
        }

        output.WriteLine($"managed heap after epoch 1: {afterFirst / 1e6:F1} MB; working set after epoch 1: {workingSetFirst / 1e6:F1} MB, peak over 20 epochs: {peakWorkingSet / 1e6:F1} MB");
    }
}
