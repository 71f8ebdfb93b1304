using BenchmarkDotNet.Running;
using Pipeline.Benchmarks.RecordIO;

namespace Pipeline.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project Pipeline.Benchmarks -- throughput recordio|iterators [--dir DIR] | throughput imaging|pipeline|im2rec [--corpus DIR]</c> runs the plain
/// end-to-end throughput command; any other arguments go to BenchmarkDotNet (<c>--filter *RecordIO*</c>).
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length >= 2 && args[0] == "throughput")
        {
            string dir = args.Length >= 4 && args[2] == "--dir" ? args[3] : Path.Combine(Path.GetTempPath(), "pipeline-bench");
            return args[1] switch
            {
                "recordio" => RecordIOThroughput.Run(dir),
                "iterators" => Iterators.IteratorThroughput.Run(dir),
                "pipeline" => Imaging.PipelineThroughput.Run(
                    args.Length >= 4 && args[2] == "--corpus" ? args[3] : Path.Combine(Path.GetTempPath(), "corpus"),
                    args.Length >= 6 && args[4] == "--threads" ? int.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture) : 2),
                "im2rec" => Imaging.Im2RecThroughput.Run(args.Length >= 4 && args[2] == "--corpus" ? args[3] : Path.Combine(Path.GetTempPath(), "corpus"), dir),
                "imaging" => Imaging.ImagingThroughput.Run(args.Length >= 4 && args[2] == "--corpus" ? args[3] : Path.Combine(Path.GetTempPath(), "corpus")),
                _ => Usage(),
            };
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, new BenchmarkConfig());
        return 0;
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: throughput recordio|iterators [--dir DIR] | throughput imaging|pipeline|im2rec [--corpus DIR] | BenchmarkDotNet arguments");
        return 2;
    }
}
