using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Pipeline.Benchmarks.Peers;
using Pipeline.Core;
using Pipeline.Stages.Imaging;

namespace Pipeline.Benchmarks.Imaging;

/// <summary>
/// Issue 11, decode only: <see cref="ImageOps.Decode(ReadOnlySpan{byte}, bool)"/> (whatever codec is the default) over the
/// in-memory corpus at 1 and 2 threads, against a C program calling TurboJPEG on the same files
/// (<c>tools/bench_turbojpeg.sh</c>), run as a child process between our passes.
/// </summary>
internal static class CodecThroughput
{
    private static readonly int[] s_threadCounts = [1, 2];

    public static int Run(string corpus, int rounds)
    {
        if (!Directory.Exists(corpus))
        {
            Console.Error.WriteLine($"No corpus at '{corpus}'. Make it with: /usr/bin/python3 ../shared/tools/make_corpus.py {corpus} 2000");
            return 2;
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rounds);
        byte[][] encoded = LoadJpegs(corpus);
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
        Console.WriteLine(Invariant($"corpus: {encoded.Length} JPEGs, {encoded.Sum(e => (long)e.Length) / 1e6:F1} MB, from '{corpus}', held in memory"));
        Console.WriteLine($"codec: {DescribeDefaultCodec()}");
        Console.WriteLine("peer: tools/bench_turbojpeg.sh (tjDecompress2 to packed RGB, flags 0, one handle and one reused buffer per thread)");

        // Warm-up: one untimed pass, so that the decoder's hot methods are past tiered JIT's first tiers before timing.
        DecodePass(encoded, 2, out _);

        var ours = new double[s_threadCounts.Length];
        var peer = new double[s_threadCounts.Length];
        var roundRatios = s_threadCounts.Select(_ => new List<double>()).ToArray();
        for (int round = 1; round <= rounds; round++)
        {
            var line = new List<string>();
            for (int t = 0; t < s_threadCounts.Length; t++)
            {
                int threads = s_threadCounts[t];
                double seconds = DecodePass(encoded, threads, out long pixels);
                double rate = encoded.Length / seconds;
                ours[t] = Math.Max(ours[t], rate);
                PeerRate? c = ExternalPeers.TurboJpeg(corpus, threads, passes: 1);
                if (c is null)
                {
                    line.Add(Invariant($"{Threads(threads)}: ours {rate:F0} img/s"));
                    continue;
                }

                if (c.Images != encoded.Length || c.Pixels != pixels)
                {
                    Console.WriteLine(Invariant($"warning: the peer decoded {c.Images} images of {c.Pixels} pixels, ours {encoded.Length} of {pixels}"));
                }

                peer[t] = Math.Max(peer[t], c.ImagesPerSecond);
                roundRatios[t].Add(rate / c.ImagesPerSecond);
                line.Add(Invariant($"{Threads(threads)}: ours {rate:F0} img/s, TurboJPEG {c.ImagesPerSecond:F0} img/s ({rate / c.ImagesPerSecond:F2}x)"));
            }

            Console.WriteLine($"round {round}: {string.Join("; ", line)}");
        }

        for (int t = 0; t < s_threadCounts.Length; t++)
        {
            string comparison = peer[t] > 0
                ? Invariant($", TurboJPEG (C) {peer[t]:F0} img/s: ratio {ours[t] / peer[t]:F2}x (rounds {string.Join(", ", roundRatios[t].Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))}; target >= 0.95x)")
                : ", TurboJPEG peer not run";
            Console.WriteLine(Invariant($"decode only, {Threads(s_threadCounts[t])}, best of {rounds}: ImageOps.Decode {ours[t]:F0} img/s{comparison}"));
        }

        return 0;
    }

    /// <summary>Every .jpg/.jpeg under <paramref name="corpus"/>, in ordinal path order, as the C peer loads them.</summary>
    internal static byte[][] LoadJpegs(string corpus)
    {
        string[] files = Directory.EnumerateFiles(corpus, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetExtension(f).ToUpperInvariant() is ".JPG" or ".JPEG")
            .Order(StringComparer.Ordinal)
            .ToArray();
        return files.Select(File.ReadAllBytes).ToArray();
    }

    /// <summary>
    /// Names the codec that serves <see cref="ImageOps.Decode(ReadOnlySpan{byte}, bool)"/>: the public static properties of
    /// <c>Pipeline.Stages.Imaging.ImageCodecs</c> when the native codecs have landed, else "ImageOps default". Reflection,
    /// so that this harness builds with and without that type.
    /// </summary>
    internal static string DescribeDefaultCodec()
    {
        Type? codecs = typeof(ImageOps).Assembly.GetType("Pipeline.Stages.Imaging.ImageCodecs");
        if (codecs is null) return "ImageOps default (no ImageCodecs type in Pipeline.Stages)";
        var parts = new List<string>();
        foreach (PropertyInfo property in codecs.GetProperties(BindingFlags.Public | BindingFlags.Static).Where(p => p.GetIndexParameters().Length == 0))
        {
            string value;
            try
            {
                value = property.GetValue(null)?.ToString() ?? "null";
            }
            catch (TargetInvocationException e)
            {
                value = $"<{e.InnerException?.GetType().Name}>";
            }

            parts.Add($"{property.Name}={value}");
        }

        return parts.Count > 0 ? $"ImageCodecs: {string.Join(", ", parts)}" : "ImageCodecs (no public static properties to report)";
    }

    /// <summary>Decodes every image once on <paramref name="threads"/> threads that take the next index from a shared counter, as the C peer does; returns seconds.</summary>
    internal static double DecodePass(byte[][] encoded, int threads, out long pixels)
    {
        long total = 0;
        int next = -1;
        ExceptionDispatchInfo? failure = null;
        void Work()
        {
            long own = 0;
            try
            {
                for (int i; (i = Interlocked.Increment(ref next)) < encoded.Length;)
                {
                    using NDArray image = ImageOps.Decode(encoded[i]);
                    own += (long)image.GetLength(0) * image.GetLength(1);
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(e), null);
                Interlocked.Exchange(ref next, encoded.Length);
            }

            Interlocked.Add(ref total, own);
        }

        var watch = Stopwatch.StartNew();
        if (threads == 1)
        {
            Work();
        }
        else
        {
            Thread[] workers = Enumerable.Range(0, threads).Select(_ => new Thread(Work) { IsBackground = true }).ToArray();
            foreach (Thread worker in workers) worker.Start();
            foreach (Thread worker in workers) worker.Join();
        }

        double seconds = watch.Elapsed.TotalSeconds;
        failure?.Throw();
        pixels = total;
        return seconds;
    }

    private static string Threads(int count) => count == 1 ? "1 thread" : $"{count} threads";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
