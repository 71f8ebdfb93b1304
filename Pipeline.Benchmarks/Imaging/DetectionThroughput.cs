using System.Diagnostics;
using Pipeline.Core;
using Pipeline.Core.RecordIO;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Iterators;

namespace Pipeline.Benchmarks.Imaging;

/// <summary>
/// Issue 17: <see cref="ImageDetRecordIter"/> with crop samplers, random pad and mirror against <see cref="ImageRecordIter"/> with a
/// comparable augmentation (resize, pad, random crop, mirror) on the same images, same process, interleaved rounds, medians.
/// </summary>
internal static class DetectionThroughput
{
    public static int Run(string corpus, int threads, int images, int rounds)
    {
        if (!Directory.Exists(corpus))
        {
            Console.Error.WriteLine($"No corpus at '{corpus}'. Make it with: /usr/bin/python3 ../shared/tools/make_corpus.py {corpus} 2000");
            return 2;
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(images);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rounds);
        string work = Path.Combine(Path.GetTempPath(), "pipeline-detection-bench");
        Directory.CreateDirectory(work);
        (string classification, string detection, long bytes) = Pack(corpus, work, images);
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; {threads} threads; load average {LoadAverage()}");
        Console.WriteLine($"corpus: the first {images} JPEGs of '{corpus}' ({bytes / 1e6:F1} MB), packed twice: a class label / 1-9 generated boxes; B=32, 3x300x300 float32, mean/std");
        Console.WriteLine("ImageRecordIter:    resize 320, pad 16, random crop 300, mirror 0.5 (peer); and without the pad (its fused resize + crop, the fastest classification path)");
        Console.WriteLine("ImageDetRecordIter: crop (3 samplers, scale 0.3-1, IoU 0.1/0.3/0.5, p 1), pad (scale up to 2, p 0.5), mirror 0.5, force resize 300");
        var peer = new List<double>();
        var fused = new List<double>();
        var ours = new List<double>();
        Epoch(ClassificationOptions(classification, threads), out _);
        Epoch(DetectionOptions(detection, threads), out _);
        for (int round = 0; round < rounds; round++)
        {
            // Interleaved: this machine's speed drifts (other work shares its cores), so all run in every round.
            peer.Add(Epoch(ClassificationOptions(classification, threads), out int a));
            ours.Add(Epoch(DetectionOptions(detection, threads), out int b));
            fused.Add(Epoch(ClassificationOptions(classification, threads) with { Pad = 0 }, out _));
            Console.WriteLine($"round {round + 1}: ImageRecordIter {peer[^1],7:F1} img/s ({a} images), without pad {fused[^1],7:F1} | ImageDetRecordIter {ours[^1],7:F1} img/s ({b} images) | ratios {ours[^1] / peer[^1]:F2}, {ours[^1] / fused[^1]:F2}");
        }

        double p = Median(peer), f = Median(fused), o = Median(ours);
        Console.WriteLine($"median: ImageRecordIter {p:F1} img/s (without pad {f:F1}), ImageDetRecordIter {o:F1} img/s, ratio {o / p:F2} ({o / f:F2} against the unpadded path; target >= 0.80)");
        return 0;
    }

    internal static ImageRecordIterOptions ClassificationOptions(string rec, int threads) => new()
    {
        PathImgRec = rec,
        DataShape = [3, 300, 300],
        BatchSize = 32,
        Resize = 320,
        Pad = 16,
        RandCrop = true,
        RandMirror = true,
        MeanR = 123.68f, MeanG = 116.28f, MeanB = 103.53f,
        StdR = 58.395f, StdG = 57.12f, StdB = 57.375f,
        PreprocessThreads = threads,
        Seed = 5,
    };

    internal static ImageDetRecordIterOptions DetectionOptions(string rec, int threads) => new()
    {
        PathImgRec = rec,
        DataShape = [3, 300, 300],
        BatchSize = 32,
        LabelPadWidth = 2 + (9 * 5),
        RandCropProb = 1,
        NumCropSampler = 3,
        MinCropScales = [0.3f],
        MaxCropScales = [1f],
        MinCropAspectRatios = [0.5f],
        MaxCropAspectRatios = [2f],
        MinCropOverlaps = [0.1f, 0.3f, 0.5f],
        MaxCropTrials = [25],
        RandPadProb = 0.5f,
        MaxPadScale = 2,
        RandMirrorProb = 0.5f,
        MeanR = 123.68f, MeanG = 116.28f, MeanB = 103.53f,
        StdR = 58.395f, StdG = 57.12f, StdB = 57.375f,
        PreprocessThreads = threads,
        Seed = 5,
    };

    /// <summary>One epoch, consumed as a training loop does; images per second.</summary>
    private static double Epoch<TOptions>(TOptions options, out int images)
    {
        GC.Collect();
        var watch = Stopwatch.StartNew();
        using DataIter iter = options switch
        {
            ImageRecordIterOptions o => new ImageRecordIter(o),
            ImageDetRecordIterOptions o => new ImageDetRecordIter(o),
            _ => throw new ArgumentException("Unknown options.", nameof(options)),
        };
        images = 0;
        while (iter.Next() is { } batch)
        {
            images += batch.Data[0].GetLength(0) - batch.Pad;
            batch.Dispose();
        }

        return images / watch.Elapsed.TotalSeconds;
    }

    /// <summary>Packs the same images twice (unless packed): with their class label, and with 1-9 generated boxes as a detection label.</summary>
    private static (string Classification, string Detection, long Bytes) Pack(string corpus, string work, int count)
    {
        string[] files = [.. Directory.GetDirectories(corpus).Order(StringComparer.Ordinal).SelectMany(d => Directory.GetFiles(d, "*.jpg").Order(StringComparer.Ordinal)).Take(count)];
        string classification = Path.Combine(work, $"classes-{files.Length}.rec");
        string detection = Path.Combine(work, $"boxes-{files.Length}.rec");
        long bytes = files.Sum(f => new FileInfo(f).Length);
        if (File.Exists(classification) && File.Exists(detection)) return (classification, detection, bytes);
        var rng = new Random(17);
        using (var classes = new RecordIOWriter(classification))
        using (var boxes = new RecordIOWriter(detection))
        {
            for (int i = 0; i < files.Length; i++)
            {
                byte[] jpeg = File.ReadAllBytes(files[i]);
                classes.Write(ImageRecord.Pack(new ImageRecordHeader(0, i % 10, (ulong)i, 0), jpeg));
                float[] label = Boxes(rng);
                boxes.Write(ImageRecord.Pack(new ImageRecordHeader((uint)label.Length, label[0], (ulong)i, 0) { Labels = label }, jpeg));
            }
        }

        return (classification, detection, bytes);
    }

    /// <summary>MXNet's test <c>_generate_objects</c>: 1-9 boxes, random centre and half-size, clipped to the image.</summary>
    private static float[] Boxes(Random rng)
    {
        int num = rng.Next(1, 10);
        var label = new List<float> { 2, 5 };
        for (int i = 0; i < num; i++)
        {
            double x = rng.NextDouble(), y = rng.NextDouble(), w = (rng.NextDouble() / 2) + 0.01, h = (rng.NextDouble() / 2) + 0.01;
            label.AddRange([rng.Next(0, 20), (float)Math.Clamp(x - w, 0, 1), (float)Math.Clamp(y - h, 0, 1), (float)Math.Clamp(x + w, 0, 1), (float)Math.Clamp(y + h, 0, 1)]);
        }

        return [.. label];
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    private static double Median(List<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
