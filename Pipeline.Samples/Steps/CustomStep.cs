using System.Runtime.CompilerServices;
using Pipeline.Core;
using Pipeline.Stages.Iterators;

namespace Pipeline.Samples.Steps;

/// <summary>The tutorial's custom iterator, twice: a DataIter subclass with generators, and the same composed from blocks.</summary>
internal sealed class CustomStep : ITourStep
{
    public string Name => "custom";

    public string Summary => "Custom iterators: subclass DataIter (SimpleIter), or compose a source and a writer with SampleIter.";

    public void Run(TourContext context)
    {
        var random = new Random(1);
        using var simple = new SimpleIter(
            "data", [30, 100], shape => [.. Enumerable.Range(0, shape[0] * shape[1]).Select(_ => (float)((random.NextDouble() * 2) - 1))],
            "softmax_label", [30], shape => [.. Enumerable.Range(0, shape[0]).Select(_ => (float)random.Next(0, 10))]);
        int count = 0;
        foreach (DataBatch batch in Drain(simple))
        {
            using (batch) if (count++ == 0) context.Out.WriteLine($"SimpleIter: {batch}");
        }

        context.Out.WriteLine($"SimpleIter gave {count} batches");

        using var composed = new SampleIter<(float[] Features, int Label)>(
            (epoch, ct) => Generate(100, epoch, ct),
            [new DataDesc("data", [30, 100])],
            [new DataDesc("softmax_label", [30])],
            (sample, slot) =>
            {
                sample.Features.CopyTo(slot.Data<float>());
                slot.Label<float>()[0] = sample.Label;
            });
        var pads = new List<int>();
        foreach (DataBatch batch in Drain(composed))
        {
            using (batch) pads.Add(batch.Pad);
        }

        context.Out.WriteLine($"SampleIter from blocks: {pads.Count} batches, pads {string.Join(",", pads)}");
        context.Results["custom.pads"] = pads;
    }

    private static IEnumerable<DataBatch> Drain(DataIter iter)
    {
        while (iter.Next() is { } batch) yield return batch;
    }

    private static async IAsyncEnumerable<(float[] Features, int Label)> Generate(int count, int epoch, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var random = new SeededRandom(epoch);
        for (int i = 0; i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            float[] features = new float[100];
            for (int j = 0; j < features.Length; j++) features[j] = (float)((random.NextDouble() * 2) - 1);
            yield return (features, random.Next(0, 10));
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
