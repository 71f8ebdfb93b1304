using System.Diagnostics;
using System.Globalization;
using Pipeline.Benchmarks.Imaging;
using Pipeline.Benchmarks.Peers;
using Pipeline.Core.RecordIO;
using Pipeline.Core.Storage;
using Pipeline.Stages.Iterators;

namespace Pipeline.Benchmarks.Storage;

/// <summary>
/// Remote reads on loopback servers started here (nginx, s3rver): a sequential read of a large .rec through RecordIOReader
/// against curl's GET of the same object, and ImageRecordIter reading its .rec from S3 (also with 20 ms added per request)
/// against the same iterator on the local file; peers and ours interleaved round by round, best of each.
/// </summary>
internal static class StorageThroughput
{
    private const string Bucket = "bench";

    /// <summary>Runs the parts asked for and prints each figure with its peer.</summary>
    /// <param name="dir">The work folder (the large .rec is kept there between runs).</param>
    /// <param name="corpus">The image corpus for the ImageRecordIter part.</param>
    /// <param name="sizeMb">The size of the large .rec.</param>
    /// <param name="rounds">The interleaved rounds of each comparison.</param>
    /// <param name="threads">ImageRecordIter's decode threads.</param>
    /// <param name="chunkMb">The read-ahead request size.</param>
    /// <param name="depth">The read-ahead requests in flight.</param>
    /// <param name="clientCores">0, or the cores this process may use in the ImageRecordIter part while the servers use
    /// the rest (<see cref="ClientCpuLimit"/>): the store's CPU then is not taken from the decoder.</param>
    /// <param name="part"><c>all</c>, <c>sequential</c> (the 1 GB reads and the fault run) or <c>image</c> (ImageRecordIter).</param>
    /// <returns>The exit code.</returns>
    public static int Run(string dir, string corpus, int sizeMb, int rounds, int threads, int chunkMb, int depth, string part, double clientCores)
    {
        if (part is not ("all" or "sequential" or "image")) throw new ArgumentException($"--part is all, sequential or image, not '{part}'.", nameof(part));
        Directory.CreateDirectory(dir);
        string work = Path.Combine(dir, "storage-servers");
        if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        Directory.CreateDirectory(work);
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
        using LoopbackServer s3 = LoopbackServer.S3rver(work, Bucket);
        var readOptions = new StorageOptions { ReadAheadChunkSize = chunkMb << 20, ReadAheadDepth = depth };
        var s3Options = readOptions with { S3Endpoint = new Uri($"http://127.0.0.1:{s3.Port}"), S3Region = "us-east-1", S3AccessKeyId = "S3RVER", S3SecretAccessKey = "S3RVER", WritePartSize = 64 << 20 };
        if (part != "image") Sequential(dir, work, sizeMb, rounds, s3, readOptions, s3Options);
        if (part == "sequential") return 0;
        if (!Directory.Exists(corpus))
        {
            Console.WriteLine($"No corpus at '{corpus}' (make it with /usr/bin/python3 ../shared/tools/make_corpus.py {corpus} 2000); ImageRecordIter part skipped.");
            return 0;
        }

        Images(corpus, rounds, threads, s3, s3Options, clientCores);
        return 0;
    }

    /// <summary>The sequential read of a large .rec from nginx and s3rver against curl, and the fault run.</summary>
    private static void Sequential(string dir, string work, int sizeMb, int rounds, LoopbackServer s3, StorageOptions readOptions, StorageOptions s3Options)
    {
        string big = Path.Combine(dir, string.Create(CultureInfo.InvariantCulture, $"storage-{sizeMb}mb.rec"));
        long bigBytes = MakeLargeRec(big, (long)sizeMb << 20);
        using LoopbackServer nginx = LoopbackServer.Nginx(work);
        File.CreateSymbolicLink(Path.Combine(nginx.Root, "big.rec"), big);
        Upload(big, $"s3://{Bucket}/big.rec", s3Options);
        string httpUrl = $"http://127.0.0.1:{nginx.Port}/big.rec";
        string s3Uri = $"s3://{Bucket}/big.rec";
        string s3Url = $"http://127.0.0.1:{s3.Port}/{Bucket}/big.rec";
        Console.WriteLine(Invariant($"object: {bigBytes / 1e6:F0} MB .rec; read-ahead {readOptions.ReadAheadChunkSize >> 20} MiB x {readOptions.ReadAheadDepth} in flight"));

        double curlHttp = 0, oursHttp = 0, curlS3 = 0, oursS3 = 0;
        var httpRatios = new List<double>();
        var s3Ratios = new List<double>();
        for (int round = 1; round <= rounds; round++)
        {
            bool oursFirst = round % 2 == 0;
            double oh = oursFirst ? ReadAll(httpUrl, readOptions, bigBytes) : 0, ch = Curl(httpUrl);
            if (!oursFirst) oh = ReadAll(httpUrl, readOptions, bigBytes);
            (double os, double serverOurs) = oursFirst ? WithServerCpu(s3, () => ReadAll(s3Uri, s3Options, bigBytes)) : default;
            (double cs, double serverCurl) = WithServerCpu(s3, () => Curl(s3Url));
            if (!oursFirst) (os, serverOurs) = WithServerCpu(s3, () => ReadAll(s3Uri, s3Options, bigBytes));
            curlHttp = Math.Max(curlHttp, ch);
            oursHttp = Math.Max(oursHttp, oh);
            curlS3 = Math.Max(curlS3, cs);
            oursS3 = Math.Max(oursS3, os);
            httpRatios.Add(oh / ch);
            s3Ratios.Add(os / cs);
            double raw = ReadRaw(httpUrl, readOptions, bigBytes);
            Console.WriteLine(Invariant($"round {round}: nginx curl {ch:F0}, RecordIOReader {oh:F0} MB/s (bytes only: {raw:F0}); s3rver curl {cs:F0}, RecordIOReader {os:F0} MB/s (s3rver's CPU s per GB: serving curl {serverCurl * 1e9 / bigBytes:F2}, serving RecordIOReader {serverOurs * 1e9 / bigBytes:F2})"));
        }

        Console.WriteLine(Invariant($"sequential read, nginx (http://): RecordIOReader {oursHttp:F0} MB/s vs curl {curlHttp:F0} MB/s = {oursHttp / curlHttp:F2}x best to best, median of the rounds' ratios {Median(httpRatios):F2}x (target >= 0.8x)"));
        Console.WriteLine(Invariant($"sequential read, s3rver (s3://): RecordIOReader {oursS3:F0} MB/s vs curl {curlS3:F0} MB/s = {oursS3 / curlS3:F2}x best to best, median of the rounds' ratios {Median(s3Ratios):F2}x (target >= 0.8x)"));

        // The fault run of the issue at full size: connections cut every 1.5-4.5 MB, 5% of requests answered 503.
        using (var flaky = new LatencyProxy(s3.Port, TimeSpan.Zero, cutAfterBytes: 3 << 20, slowDownShare: 0.05))
        {
            var flakyOptions = s3Options with { S3Endpoint = new Uri($"http://127.0.0.1:{flaky.Port}"), MaxRetries = 10, RetryBaseDelay = TimeSpan.FromMilliseconds(10), RetryMaxDelay = TimeSpan.FromMilliseconds(200) };
            var watch = Stopwatch.StartNew();
            long records = 0;
            using (var expected = new RecordIOReader(big))
            using (var actual = new RecordIOReader(s3Uri, flakyOptions))
            {
                while (expected.TryRead(out ReadOnlyMemory<byte> want))
                {
                    if (!actual.TryRead(out ReadOnlyMemory<byte> got) || !got.Span.SequenceEqual(want.Span))
                    {
                        throw new InvalidOperationException($"Record {records} read through the faults differs from the file's: lost, repeated or corrupted.");
                    }

                    records++;
                }

                if (actual.TryRead(out _)) throw new InvalidOperationException($"The read through the faults returned more than the file's {records} records.");
            }

            Console.WriteLine(Invariant($"faults: {bigBytes / 1e6:F0} MB from s3:// with {flaky.Cuts} connections cut mid-body and {flaky.SlowDowns} requests answered 503: all {records} records once, in order, equal to the file's ({watch.Elapsed.TotalSeconds:F1} s, {bigBytes / 1e6 / watch.Elapsed.TotalSeconds:F0} MB/s)"));
        }
    }

    /// <summary>
    /// ImageRecordIter on the local file, from s3:// and from s3:// 20 ms away (a second s3rver on the same data that answers
    /// each request 20 ms late), interleaved round by round, with the CPU time each epoch cost this process and the server.
    /// </summary>
    private static void Images(string corpus, int rounds, int threads, LoopbackServer s3, StorageOptions s3Options, double clientCores)
    {
        string rec = PipelineThroughput.RecFor(corpus);
        int count = PipelineThroughput.Pack(corpus, rec);
        Upload(rec, $"s3://{Bucket}/corpus.rec", s3Options);
        using LoopbackServer farServer = LoopbackServer.S3rverFar(s3, Bucket, TimeSpan.FromMilliseconds(20));
        var farOptions = s3Options with { S3Endpoint = new Uri($"http://127.0.0.1:{farServer.Port}") };
        using ClientCpuLimit? limit = clientCores > 0 ? new ClientCpuLimit(clientCores) : null;
        string confined = limit is null ? "this process and the servers share the machine's cores" : Invariant($"this process confined to {limit.Cores:F2} cores, the servers outside");
        Console.WriteLine(Invariant($"ImageRecordIter: {count} JPEGs ({new FileInfo(rec).Length / 1e6:F1} MB), resize 256, random crop 224, mirror, mean/std, float32, B=32, {threads} threads; {confined}"));
        using var local = new ImageRecordIter(PipelineThroughput.Options(rec, threads, randomResized: false));
        using var remote = new ImageRecordIter(PipelineThroughput.Options(rec, threads, randomResized: false) with { PathImgRec = $"s3://{Bucket}/corpus.rec", Storage = s3Options });
        using var far = new ImageRecordIter(PipelineThroughput.Options(rec, threads, randomResized: false) with { PathImgRec = $"s3://{Bucket}/corpus.rec", Storage = farOptions });
        // Two epochs each first: the S3 client's code is compiled again with profile data on its first uses, and that work
        // would otherwise land in the first measured rounds.
        foreach (ImageRecordIter warm in new[] { local, remote, far, local, remote, far }) Epoch(warm, null);
        double bestLocal = 0, bestRemote = 0, bestFar = 0;
        var remoteRatios = new List<double>();
        var farRatios = new List<double>();
        for (int round = 1; round <= rounds; round++)
        {
            // The order turns every round, so that a drift in the machine's load does not always favour the same one.
            EpochCost l = default, r = default, f = default;
            for (int k = 0; k < 3; k++)
            {
                switch ((round + k) % 3)
                {
                    case 0: l = Epoch(local, null); break;
                    case 1: r = Epoch(remote, s3); break;
                    default: f = Epoch(far, farServer); break;
                }
            }

            bestLocal = Math.Max(bestLocal, l.ImagesPerSecond);
            bestRemote = Math.Max(bestRemote, r.ImagesPerSecond);
            bestFar = Math.Max(bestFar, f.ImagesPerSecond);
            remoteRatios.Add(r.ImagesPerSecond / l.ImagesPerSecond);
            farRatios.Add(f.ImagesPerSecond / l.ImagesPerSecond);
            Console.WriteLine(Invariant($"round {round}: local {l}; s3 {r}; s3 + 20 ms/request {f}"));
        }

        foreach ((string name, ImageRecordIter iter) in new[] { ("local", local), ("s3", remote), ("s3 + 20 ms", far) })
        {
            Console.WriteLine($"stage metrics, {name}:");
            Console.WriteLine(iter.Metrics);
        }

        Console.WriteLine(Invariant($"ImageRecordIter from s3:// {bestRemote:F0} img/s vs local file {bestLocal:F0} img/s = {bestRemote / bestLocal:F2}x best to best, median of the rounds' ratios {Median(remoteRatios):F2}x (target >= 0.95x)"));
        Console.WriteLine(Invariant($"ImageRecordIter from s3:// + 20 ms per request {bestFar:F0} img/s vs local file {bestLocal:F0} img/s = {bestFar / bestLocal:F2}x best to best, median of the rounds' ratios {Median(farRatios):F2}x (target >= 0.9x)"));
    }

    /// <summary>A .rec of about <paramref name="size"/> bytes (records of 1 KB to 1 MB), kept between runs.</summary>
    private static long MakeLargeRec(string path, long size)
    {
        if (File.Exists(path)) return new FileInfo(path).Length;
        var random = new Random(7);
        byte[] buffer = new byte[1 << 20];
        random.NextBytes(buffer);
        using (var writer = new RecordIOWriter(path + ".tmp"))
        {
            while (writer.Position < size) writer.Write(buffer.AsSpan(0, random.Next(1024, buffer.Length)));
        }

        File.Move(path + ".tmp", path);
        return new FileInfo(path).Length;
    }

    private static void Upload(string file, string uri, StorageOptions options)
    {
        var watch = Stopwatch.StartNew();
        using (FileStream source = File.OpenRead(file))
        using (Stream target = ObjectStorage.OpenWrite(uri, options))
        {
            source.CopyTo(target, 8 << 20);
        }

        Console.WriteLine(Invariant($"uploaded {uri} ({new FileInfo(file).Length / 1e6:F0} MB) in {watch.Elapsed.TotalSeconds:F1} s"));
    }

    /// <summary>Reads every record of the object; returns MB/s of the object's bytes.</summary>
    private static double ReadAll(string uri, StorageOptions options, long bytes)
    {
        var watch = Stopwatch.StartNew();
        long records = 0;
        using (var reader = new RecordIOReader(uri, options))
        {
            while (reader.TryRead(out _)) records++;
        }

        return bytes / 1e6 / watch.Elapsed.TotalSeconds;
    }

    /// <summary>The read-ahead stream alone, without record parsing: MB/s.</summary>
    private static double ReadRaw(string uri, StorageOptions options, long bytes)
    {
        var watch = Stopwatch.StartNew();
        byte[] buffer = new byte[4 << 20];
        using (Stream stream = ObjectStorage.OpenSequentialRead(uri, options))
        {
            while (stream.Read(buffer) > 0)
            {
            }
        }

        return bytes / 1e6 / watch.Elapsed.TotalSeconds;
    }

    /// <summary>curl's GET of the whole object into /dev/null; MB/s as curl measures it (its own total time).</summary>
    private static double Curl(string url)
    {
        PeerRun run = PeerProcess.Run("curl", ["-s", "-f", "-o", "/dev/null", "-w", "%{size_download} %{time_total}", url], TimeSpan.FromMinutes(5));
        string[] fields = run.StandardOutput.Trim().Split(' ');
        if (run.ExitCode != 0 || fields.Length != 2) throw new InvalidOperationException($"curl failed ({run.ExitCode}): {run.StandardError}");
        return double.Parse(fields[0], CultureInfo.InvariantCulture) / 1e6 / double.Parse(fields[1], CultureInfo.InvariantCulture);
    }

    /// <summary>Runs <paramref name="measure"/> and returns its figure with the CPU seconds the server used meanwhile.</summary>
    private static (double Figure, double ServerCpuSeconds) WithServerCpu(LoopbackServer server, Func<double> measure)
    {
        TimeSpan before = server.CpuTime;
        double figure = measure();
        return (figure, (server.CpuTime - before).TotalSeconds);
    }

    /// <summary>One epoch: img/s, and the CPU seconds it cost this process and the server it read from (if any).</summary>
    private static EpochCost Epoch(ImageRecordIter iter, LoopbackServer? server)
    {
        iter.Reset();
        using var self = Process.GetCurrentProcess();
        TimeSpan ours = self.TotalProcessorTime, theirs = server?.CpuTime ?? TimeSpan.Zero;
        long allocated = GC.GetTotalAllocatedBytes(precise: false);
        int collections = GC.CollectionCount(2);
        var watch = Stopwatch.StartNew();
        int images = PipelineThroughput.ConsumeEpochAsync(iter).GetAwaiter().GetResult();
        double seconds = watch.Elapsed.TotalSeconds;
        self.Refresh();
        return new EpochCost(images / seconds, (self.TotalProcessorTime - ours).TotalSeconds, ((server?.CpuTime ?? TimeSpan.Zero) - theirs).TotalSeconds, (GC.GetTotalAllocatedBytes(precise: false) - allocated) / 1e6, GC.CollectionCount(2) - collections);
    }

    private static double Median(List<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private readonly record struct EpochCost(double ImagesPerSecond, double OurCpuSeconds, double ServerCpuSeconds, double AllocatedMegabytes, int Gen2Collections)
    {
        public override string ToString() => Invariant($"{ImagesPerSecond:F0} img/s (CPU s: ours {OurCpuSeconds:F2}, server {ServerCpuSeconds:F2}; allocated {AllocatedMegabytes:F0} MB, {Gen2Collections} gen2 GCs)");
    }
}
