using System.Diagnostics;
using Pipeline.Benchmarks.Imaging;
using Pipeline.Core;
using Pipeline.Core.RecordIO;
using Pipeline.Stages.Iterators;

namespace Pipeline.Benchmarks.Iterators;

/// <summary>
/// Issue 14: the time to the first batch after restoring a state saved at 90% of an epoch of <see cref="ImageRecordIter"/>,
/// against the time to the first batch at the start of an epoch, measured side by side (interleaved rounds, medians), with
/// the <c>.idx</c> and without it (shuffle by 8 MB chunks).
/// </summary>
internal static class ResumeThroughput
{
    public static int Run(string corpus, int threads, int rounds)
    {
        if (!Directory.Exists(corpus))
        {
            Console.Error.WriteLine($"No corpus at '{corpus}'. Make it with: /usr/bin/python3 ../shared/tools/make_corpus.py {corpus} 2000");
            return 2;
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rounds);
        string rec = PipelineThroughput.RecFor(corpus);
        int count = PipelineThroughput.Pack(corpus, rec);
        // The index goes to our own folder: the .rec may be shared with other benchmarks.
        string work = Path.Combine(Path.GetTempPath(), "pipeline-resume-bench");
        Directory.CreateDirectory(work);
        string idx = Path.Combine(work, Path.GetFileNameWithoutExtension(rec) + ".idx");
        if (!File.Exists(idx)) RecordFileTools.RebuildIndex(rec, idx);
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; {threads} threads");
        Console.WriteLine($"corpus: {count} JPEGs packed in '{rec}' ({new FileInfo(rec).Length / 1e6:F1} MB); resize 256, random crop 224, mirror, mean/std, float32, B=32, shuffle");
        foreach (bool indexed in (bool[])[true, false])
        {
            ImageRecordIterOptions options = PipelineThroughput.Options(rec, threads, randomResized: false) with { Shuffle = true, Seed = 11, PathImgIdx = indexed ? idx : null };
            (IteratorState state, int at, int batches) = SaveAtNinetyPercent(options, (count + 31) / 32);
            var start = new List<double>();
            var resumed = new List<double>();
            for (int round = 0; round < rounds; round++)
            {
                // Interleaved: this machine's speed drifts, so both are measured in every round.
                start.Add(FirstBatch(options, null));
                resumed.Add(FirstBatch(options, state));
            }

            double startMs = Median(start), resumedMs = Median(resumed);
            Console.WriteLine(
                $"{(indexed ? "with .idx" : "without .idx (8 MB shuffle chunks)"),-36} epoch start: first batch {startMs,7:F1} ms | restored at batch {at} of {batches} ({state.ToBytes().Length}-byte state): first batch {resumedMs,7:F1} ms | ratio {resumedMs / startMs:F2}");
        }

        return 0;
    }

    /// <summary>Reads 90% of the first epoch and saves the state there (not timed).</summary>
    private static (IteratorState State, int At, int Batches) SaveAtNinetyPercent(ImageRecordIterOptions options, int batches)
    {
        int at = batches * 9 / 10;
        using var iter = new ImageRecordIter(options);
        for (int i = 0; i < at; i++) iter.Next()!.Dispose();
        return (iter.SaveState(), at, batches);
    }

    /// <summary>A new iterator (as a restarted process makes), restored or not; milliseconds from its construction to its first batch.</summary>
    private static double FirstBatch(ImageRecordIterOptions options, IteratorState? state)
    {
        GC.Collect();
        var watch = Stopwatch.StartNew();
        var iter = new ImageRecordIter(options);
        if (state is not null) iter.RestoreState(state);
        using (iter.Next()) watch.Stop();
        iter.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return watch.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
