using System.Diagnostics;
using System.Globalization;
using Pipeline.Core;
using Pipeline.Stages.Iterators;
using Spectre.Console;

namespace Pipeline.Samples.Steps;

/// <summary>What PyTorch users do with <c>len(loader)</c> and tqdm: a progress bar over an epoch, sized by <see cref="DataIter.BatchesPerEpoch"/>, with the live rate.</summary>
internal sealed class ProgressStep : ITourStep
{
    public string Name => "progress";

    public string Summary => "BatchesPerEpoch sizes a progress bar over an epoch (Spectre.Console), with the live rate in images/s.";

    public void Run(TourContext context)
    {
        using var iter = new MnistIter(new MnistIterOptions
        {
            Image = Path.Combine(context.DataDir, "fashion-mnist", "train-images-idx3-ubyte.gz"),
            Label = Path.Combine(context.DataDir, "fashion-mnist", "train-labels-idx1-ubyte.gz"),
            BatchSize = 100,
            Shuffle = true,
            Seed = 1,
        });
        int total = iter.BatchesPerEpoch ?? throw new InvalidOperationException("MnistIter knows its epoch's length.");
        context.Out.WriteLine($"BatchesPerEpoch: {total} ({iter.NumImages} images in batches of {iter.BatchSize}; MNISTIter drops a last partial batch)");

        // A live bar needs a terminal; in a pipe, a log or the tour's test, the same loop prints a line per quarter.
        bool terminal = ReferenceEquals(context.Out, Console.Out) && !Console.IsOutputRedirected;
        int seen = 0;
        var watch = Stopwatch.StartNew();
        if (terminal)
        {
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(progress =>
                {
                    ProgressTask task = progress.AddTask("epoch 0", maxValue: total);
                    while (iter.Next() is { } batch)
                    {
                        using (batch) seen++;
                        task.Increment(1);
                        task.Description = Rate("epoch 0", seen, iter.BatchSize, watch);
                    }
                });
        }
        else
        {
            while (iter.Next() is { } batch)
            {
                using (batch) seen++;
                if (seen % Math.Max(1, total / 4) == 0 || seen == total) context.Out.WriteLine($"  [{new string('#', 20 * seen / total),-20}] {seen}/{total} {Rate("epoch 0", seen, iter.BatchSize, watch)}");
            }
        }

        context.Out.WriteLine($"epoch 0: {seen} batches, as BatchesPerEpoch said");
        context.Results["progress.batches_per_epoch"] = total;
        context.Results["progress.batches"] = seen;
    }

    private static string Rate(string label, int batches, int batchSize, Stopwatch watch) =>
        string.Create(CultureInfo.InvariantCulture, $"{label}: {batches * batchSize / Math.Max(1e-9, watch.Elapsed.TotalSeconds):F0} images/s");
}
