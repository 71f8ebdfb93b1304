using System.Diagnostics;
using System.Globalization;
using Pipeline.Benchmarks.Peers;
using Pipeline.Core;
using Pipeline.Core.RecordIO;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Iterators;

namespace Pipeline.Benchmarks.Imaging;

/// <summary>
/// End to end: the corpus packed into a .rec, decoded and augmented by ImageRecordIter into float32 batches of 32, against
/// our own decode-only rate, the C TurboJPEG decode-only rate and PyTorch's DataLoader, the peers run as child processes
/// between our rounds.
/// </summary>
internal static class PipelineThroughput
{
    private const int Rounds = 4;

    /// <summary>The two augmentations of issue 11: <c>resize-crop</c> (resize 256, random crop 224) and <c>random-resized</c> (RandomResizedCrop 224).</summary>
    private static readonly string[] s_crops = ["resize-crop", "random-resized"];

    public static int Run(string corpus, int threads, string crop, bool peers)
    {
        if (!Directory.Exists(corpus))
        {
            Console.Error.WriteLine($"No corpus at '{corpus}'. Make it with: /usr/bin/python3 ../shared/tools/make_corpus.py {corpus} 2000");
            return 2;
        }

        if (!s_crops.Contains(crop))
        {
            Console.Error.WriteLine($"--crop must be {string.Join(" or ", s_crops)}, not '{crop}'.");
            return 2;
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        bool randomResized = crop == "random-resized";
        string rec = RecFor(corpus);
        int count = Pack(corpus, rec);
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; {threads} threads");
        Console.WriteLine($"corpus: {count} JPEGs packed in '{rec}' ({new FileInfo(rec).Length / 1e6:F1} MB)");
        Console.WriteLine($"codec: {CodecThroughput.DescribeDefaultCodec()}");

        List<byte[]> payloads = [];
        using (var reader = new RecordIOReader(rec))
        {
            while (reader.Read() is { } record) payloads.Add(ImageRecord.Unpack(record).Payload.ToArray());
        }

        byte[][] encoded = [.. payloads];
        if (!randomResized) MeasurePerSampleWork(encoded);

        string description = randomResized
            ? "RandomResizedCrop 224 (area 0.08-1, aspect 3/4-4/3), mirror, mean/std, float32, B=32"
            : "resize 256, random crop 224, mirror, mean/std, float32, B=32";
        using var iter = new ImageRecordIter(Options(rec, threads, randomResized));

        // Warm-up epoch; after it the pipeline is idle (it prefetches only after Reset), so the decode-only pass and the
        // peers below have the machine to themselves and each timed epoch includes its own start-up.
        while (iter.Next() is { } warm) warm.Dispose();
        CodecThroughput.DecodePass(encoded, threads, out _);

        // Interleaved rounds, best of each: this machine's speed drifts by 10-20% over a minute, so everything is measured
        // side by side rather than one after the other.
        double best = 0, decodeRate = 0, turboRate = 0, torchRate = 0;
        int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
        long allocated = GC.GetTotalAllocatedBytes();
        for (int round = 1; round <= Rounds; round++)
        {
            double decode = encoded.Length / CodecThroughput.DecodePass(encoded, threads, out _);
            decodeRate = Math.Max(decodeRate, decode);
            PeerRate? turbo = peers ? ExternalPeers.TurboJpeg(corpus, threads, passes: 1) : null;
            turboRate = Math.Max(turboRate, turbo?.ImagesPerSecond ?? 0);

            var watch = Stopwatch.StartNew();
            iter.Reset();
            int images = ConsumeEpochAsync(iter).GetAwaiter().GetResult();
            double rate = images / watch.Elapsed.TotalSeconds;
            best = Math.Max(best, rate);

            PeerRate? torch = peers ? ExternalPeers.PyTorchLoader(corpus, crop, epochs: 2) : null;
            torchRate = Math.Max(torchRate, torch?.ImagesPerSecond ?? 0);
            Console.WriteLine(Invariant($"round {round}: decode-only {decode:F0}, TurboJPEG {Rate(turbo)}, ImageRecordIter {rate:F0}, PyTorch {Rate(torch)} img/s"));
        }

        Console.WriteLine(Invariant($"decode only (ImageOps.Decode, {threads} threads): {decodeRate:F0} img/s"));
        Console.WriteLine(Invariant($"GC over {Rounds} epochs and {Rounds} decode passes: gen0 {GC.CollectionCount(0) - gen0}, gen1 {GC.CollectionCount(1) - gen1}, gen2 {GC.CollectionCount(2) - gen2}; allocated {(GC.GetTotalAllocatedBytes() - allocated) / (2.0 * Rounds * payloads.Count) / 1024:F1} KB per image"));
        Console.WriteLine(Invariant($"ImageRecordIter ({description}, {threads} threads): {best:F0} img/s = {100 * best / decodeRate:F0}% of our decode-only"));
        if (turboRate > 0)
        {
            string target = randomResized ? "" : " (target >= 0.85x at 2 threads)";
            Console.WriteLine(Invariant($"  vs TurboJPEG (C) decode-only, {threads} threads, {turboRate:F0} img/s: {best / turboRate:F2}x{target}"));
        }

        if (torchRate > 0)
        {
            Console.WriteLine(Invariant($"  vs PyTorch DataLoader ({(randomResized ? "RandomResizedCrop 224" : "Resize 256 + RandomCrop 224")}, 2 workers), {torchRate:F0} img/s: {best / torchRate:F2}x (target >= 2.0x)"));
        }

        Console.WriteLine("stage metrics over the run:");
        Console.WriteLine(iter.Metrics);
        Console.WriteLine($"peak RSS (VmHWM) of this process: {ProcessMemory.Format(ProcessMemory.PeakResident)}; it includes the in-memory corpus of the decode-only passes, so the memory target is measured by 'throughput pipeline-rss'");
        return 0;
    }

    /// <summary>The iterator of issue 11: 3x224x224 float32, B=32, prefetch 4, shuffled, mean/std, mirror, and one of the two crops.</summary>
    internal static ImageRecordIterOptions Options(string rec, int threads, bool randomResized)
    {
        var options = new ImageRecordIterOptions
        {
            PathImgRec = rec,
            DataShape = [3, 224, 224],
            BatchSize = 32,
            RandMirror = true,
            MeanR = 123.68f, MeanG = 116.28f, MeanB = 103.53f,
            StdR = 58.395f, StdG = 57.12f, StdB = 57.375f,
            InterMethod = Interpolation.Bilinear,
            PreprocessThreads = threads,
            PrefetchBuffer = 4,
            Shuffle = true,
        };
        return randomResized
            ? options with { RandomResizedCrop = true, MinRandomArea = 0.08f, MaxRandomArea = 1, MinAspectRatio = 3f / 4, MaxAspectRatio = 4f / 3 }
            : options with { Resize = 256, RandCrop = true };
    }

    /// <summary>The .rec the benchmarks pack the corpus into: beside the corpus folder.</summary>
    internal static string RecFor(string corpus) => corpus.TrimEnd('/') + ".rec";

    /// <summary>Consumes an epoch the way a training loop does: <c>await foreach</c>.</summary>
    internal static async Task<int> ConsumeEpochAsync(ImageRecordIter iter)
    {
        int images = 0;
        await foreach (DataBatch batch in iter.ConfigureAwait(false))
        {
            images += batch.Data[0].GetLength(0) - batch.Pad;
            batch.Dispose();
        }

        return images;
    }

    /// <summary>Packs the corpus (class folders, labels in ordinal order) into <paramref name="rec"/> unless it exists; returns the image count.</summary>
    internal static int Pack(string corpus, string rec)
    {
        string[] classes = Directory.GetDirectories(corpus).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        var files = classes.SelectMany((c, label) => Directory.GetFiles(Path.Combine(corpus, c!), "*.jpg").Order(StringComparer.Ordinal).Select(f => (f, label))).ToList();
        if (File.Exists(rec)) return files.Count;
        using var writer = new RecordIOWriter(rec + ".tmp");
        for (int i = 0; i < files.Count; i++)
        {
            writer.Write(ImageRecord.Pack(new ImageRecordHeader(0, files[i].label, (ulong)i, 0), File.ReadAllBytes(files[i].f)));
        }

        writer.Dispose();
        File.Move(rec + ".tmp", rec);
        return files.Count;
    }

    /// <summary>The per-sample work alone, on one thread: decode, fused resize + crop, mirror + normalize into CHW float32.</summary>
    private static void MeasurePerSampleWork(byte[][] payloads)
    {
        var layout = new Pipeline.Stages.ImagePipeline.SampleLayout { Channels = 3, Height = 224, Width = 224, Mean = [123.68f, 116.28f, 103.53f], Std = [58.395f, 57.12f, 57.375f], RandMirror = true };
        byte[] slot = new byte[layout.SampleBytes];
        var rng = new SeededRandom(1);
        double decodeOne = Best(2, () => { foreach (byte[] p in payloads) ImageOps.Decode(p).Dispose(); }) / payloads.Length;
        double work = Best(2, () =>
        {
            foreach (byte[] p in payloads)
            {
                using NDArray img = ImageOps.Decode(p);
                (int h, int w) = (img.GetLength(0), img.GetLength(1));
                (int nh, int nw) = h > w ? (256 * h / w, 256) : (256, 256 * w / h);
                using NDArray crop = ImageOps.ResizeCrop(img, nw, nh, (rng.Next(0, nw - 223), rng.Next(0, nh - 223), 224, 224), Interpolation.Bilinear);
                layout.Write(crop, rng, slot);
            }
        }) / payloads.Length;
        Console.WriteLine(Invariant($"per-sample work on 1 thread: decode {decodeOne * 1e3:F3} ms, decode + resize/crop + mirror/normalize {work * 1e3:F3} ms (+{100 * (work - decodeOne) / decodeOne:F0}%)"));
    }

    private static string Rate(PeerRate? peer) => peer is null ? "-" : peer.ImagesPerSecond.ToString("F0", CultureInfo.InvariantCulture);

    private static double Best(int repeats, Action action)
    {
        double best = double.MaxValue;
        for (int i = 0; i < repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            action();
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }

        return best;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
