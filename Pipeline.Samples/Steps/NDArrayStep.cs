using Pipeline.Core;
using Pipeline.Stages.Iterators;

namespace Pipeline.Samples.Steps;

/// <summary>The tutorial's in-memory section: 100 examples of 3 features in batches of 30.</summary>
internal sealed class NDArrayStep : ITourStep
{
    public string Name => "ndarray";

    public string Summary => "NDArrayIter batches in-memory arrays; the last batch is padded from the start (pad = filler count).";

    public void Run(TourContext context)
    {
        var random = new Random(0);
        float[] data = [.. Enumerable.Range(0, 300).Select(_ => (float)random.NextDouble())];
        float[] labels = [.. Enumerable.Range(0, 100).Select(_ => (float)random.Next(0, 10))];
        using NDArray dataArray = NDArray.From(data, 100, 3);
        using NDArray labelArray = NDArray.From(labels, 100);
        using var iter = new NDArrayIter(dataArray, labelArray, batchSize: 30);
        var pads = new List<int>();
        while (iter.Next() is { } batch)
        {
            using (batch)
            {
                context.Out.WriteLine($"{batch} pad: {batch.Pad}");
                pads.Add(batch.Pad);
            }
        }

        context.Results["ndarray.pads"] = pads;
    }
}
