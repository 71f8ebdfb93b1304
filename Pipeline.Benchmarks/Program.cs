using System.Globalization;
using BenchmarkDotNet.Running;
using Pipeline.Benchmarks.RecordIO;

namespace Pipeline.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project Pipeline.Benchmarks -- throughput COMMAND [options]</c> runs a plain end-to-end
/// throughput command (see <see cref="Usage"/> and BENCHMARKS.md); any other arguments go to BenchmarkDotNet
/// (<c>--filter *RecordIO*</c>).
/// </summary>
internal static class Program
{
    private const string UsageText = """
        usage: throughput recordio|iterators [--dir DIR]
               throughput libsvm [--dir DIR] [--size-mb 64] [--rounds 3]
               throughput imaging [--corpus DIR]
               throughput codecs [--corpus DIR] [--rounds 3]
               throughput pipeline [--corpus DIR] [--threads 2] [--crop resize-crop|random-resized] [--no-peers]
               throughput pipeline-rss [--corpus DIR] [--threads 2] [--epochs 5]
               throughput im2rec [--corpus DIR] [--dir DIR] [--rounds 3] [--no-peers]
               throughput resume [--corpus DIR] [--threads 2] [--rounds 7]
               throughput detection [--corpus DIR] [--threads 2] [--images 400] [--rounds 3]
               throughput storage [--dir DIR] [--corpus DIR] [--size-mb 1024] [--rounds 3] [--threads 2] [--chunk-mb 16] [--depth 3] [--part all|sequential|image] [--client-cores N]
               BenchmarkDotNet arguments (--filter '*RecordIO*')
        The corpus defaults to $TMPDIR/corpus, the work folder to $TMPDIR/pipeline-bench.
        """;

    /// <summary>The options each command takes, so that a misspelt one fails before a long run rather than being ignored.</summary>
    private static readonly Dictionary<string, string[]> s_options = new(StringComparer.Ordinal)
    {
        ["recordio"] = ["dir"],
        ["iterators"] = ["dir"],
        ["libsvm"] = ["dir", "size-mb", "rounds"],
        ["imaging"] = ["corpus"],
        ["codecs"] = ["corpus", "rounds"],
        ["pipeline"] = ["corpus", "threads", "crop", "no-peers"],
        ["pipeline-rss"] = ["corpus", "threads", "epochs"],
        ["im2rec"] = ["corpus", "dir", "rounds", "no-peers"],
        ["resume"] = ["corpus", "threads", "rounds"],
        ["detection"] = ["corpus", "threads", "images", "rounds"],
        ["storage"] = ["dir", "corpus", "size-mb", "rounds", "threads", "chunk-mb", "depth", "part", "client-cores"],
    };

    private static int Main(string[] args)
    {
        if (args.Length >= 2 && args[0] == "throughput")
        {
            if (!s_options.TryGetValue(args[1], out string[]? known) || ThroughputArguments.Parse(args[2..]) is not { } options) return Usage();
            if (options.Names.Except(known).ToList() is { Count: > 0 } unknown)
            {
                Console.Error.WriteLine($"throughput {args[1]} does not take --{string.Join(", --", unknown)}.");
                return Usage();
            }

            return args[1] switch
            {
                "recordio" => RecordIOThroughput.Run(options.Dir),
                "iterators" => Iterators.IteratorThroughput.Run(options.Dir),
                "libsvm" => Iterators.SparseThroughput.Run(options.Dir, options.Int("size-mb", 64), options.Int("rounds", 3)),
                "imaging" => Imaging.ImagingThroughput.Run(options.Corpus),
                "codecs" => Imaging.CodecThroughput.Run(options.Corpus, options.Int("rounds", 3)),
                "pipeline" => Imaging.PipelineThroughput.Run(options.Corpus, options.Int("threads", 2), options.String("crop", "resize-crop"), !options.Flag("no-peers")),
                "pipeline-rss" => Imaging.PipelineRss.Run(options.Corpus, options.Int("threads", 2), options.Int("epochs", 5), args),
                "im2rec" => Imaging.Im2RecThroughput.Run(options.Corpus, options.Dir, options.Int("rounds", 3), !options.Flag("no-peers")),
                "resume" => Iterators.ResumeThroughput.Run(options.Corpus, options.Int("threads", 2), options.Int("rounds", 7)),
                "detection" => Imaging.DetectionThroughput.Run(options.Corpus, options.Int("threads", 2), options.Int("images", 400), options.Int("rounds", 3)),
                "storage" => Storage.StorageThroughput.Run(options.Dir, options.Corpus, options.Int("size-mb", 1024), options.Int("rounds", 3), options.Int("threads", 2), options.Int("chunk-mb", 16), options.Int("depth", 3), options.String("part", "all"), double.Parse(options.String("client-cores", "0"), CultureInfo.InvariantCulture)),
                _ => Usage(),
            };
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, new BenchmarkConfig());
        return 0;
    }

    private static int Usage()
    {
        Console.Error.WriteLine(UsageText);
        return 2;
    }
}
