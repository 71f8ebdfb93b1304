using System.Globalization;
using System.Text.RegularExpressions;

namespace Pipeline.Benchmarks.Peers;

/// <summary>A peer's rate, and the line it printed.</summary>
internal sealed record PeerRate(double ImagesPerSecond, int Images, long Pixels, string Line);

/// <summary>
/// The comparison programs of issue 11, each run as a child process between our own rounds so that the machine's drift
/// (10-20% within a minute) affects both sides alike. A peer that cannot run (no gcc, no libturbojpeg, no torch) returns
/// <see langword="null"/> after printing why once; the measurement of our side goes on.
/// </summary>
internal static partial class ExternalPeers
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(10);
    private static readonly HashSet<string> s_reported = new(StringComparer.Ordinal);

    /// <summary>Gets the Python that has cv2 and torch (<c>$PYTHON</c>, else <c>/usr/bin/python3</c>).</summary>
    public static string Python => Environment.GetEnvironmentVariable("PYTHON") is { Length: > 0 } python ? python : "/usr/bin/python3";

    /// <summary><c>tools/bench_turbojpeg.sh</c>: tjDecompress2 to RGB over the in-memory corpus on <paramref name="threads"/> threads, best of <paramref name="passes"/>.</summary>
    public static PeerRate? TurboJpeg(string corpus, int threads, int passes)
    {
        if (Tool("bench_turbojpeg.sh") is not { } script) return null;
        PeerRun run = PeerProcess.Run("/bin/sh", [script, corpus, "--threads", threads.ToString(CultureInfo.InvariantCulture), "--passes", passes.ToString(CultureInfo.InvariantCulture)], s_timeout);
        string? line = run.Line("turbojpeg ");
        return KeyValueRate(run, line, "TurboJPEG");
    }

    /// <summary><c>tools/bench_opencv_reencode.py</c>: imdecode + resize 256 + imencode q95 in <paramref name="processes"/> processes, best of <paramref name="passes"/>.</summary>
    public static PeerRate? OpenCvReencode(string corpus, int processes, int passes)
    {
        if (Tool("bench_opencv_reencode.py") is not { } script) return null;
        PeerRun run = PeerProcess.Run(Python, [script, corpus, processes.ToString(CultureInfo.InvariantCulture), passes.ToString(CultureInfo.InvariantCulture)], s_timeout);
        return KeyValueRate(run, run.Line("opencv-reencode "), "OpenCV re-encode");
    }

    /// <summary><c>tools/bench_pytorch_loader.py</c>: DataLoader, 2 workers, B=32, best of <paramref name="epochs"/>, with <paramref name="mode"/> (<c>random-resized</c> or <c>resize-crop</c>).</summary>
    public static PeerRate? PyTorchLoader(string corpus, string mode, int epochs)
    {
        if (Tool("bench_pytorch_loader.py") is not { } script) return null;
        PeerRun run = PeerProcess.Run(Python, [script, corpus, epochs.ToString(CultureInfo.InvariantCulture), "--mode", mode], s_timeout);
        string? line = run.Line("PyTorch ");
        Match match = line is null ? Match.Empty : PyTorchRate().Match(line);
        if (run.ExitCode != 0 || !match.Success)
        {
            ReportOnce("PyTorch DataLoader", run.Failure());
            return null;
        }

        return new PeerRate(
            double.Parse(match.Groups["rate"].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups["images"].Value, CultureInfo.InvariantCulture), 0, line!);
    }

    private static PeerRate? KeyValueRate(PeerRun run, string? line, string name)
    {
        if (run.ExitCode != 0 || PeerRun.Field(line, "img_per_s") is not { } rate)
        {
            ReportOnce(name, run.Failure());
            return null;
        }

        return new PeerRate(rate, (int)(PeerRun.Field(line, "images") ?? 0), (long)(PeerRun.Field(line, "pixels") ?? 0), line!);
    }

    private static string? Tool(string name)
    {
        string? path = PeerProcess.FindTool(name);
        if (path is null) ReportOnce(name, $"tools/{name} was not found above '{Directory.GetCurrentDirectory()}'; run from the repository.");
        return path;
    }

    private static void ReportOnce(string name, string why)
    {
        lock (s_reported)
        {
            if (s_reported.Add(name)) Console.WriteLine($"peer {name} unavailable: {why}");
        }
    }

    [GeneratedRegex(@": (?<rate>[0-9.]+) img/s over (?<images>[0-9]+) images")]
    private static partial Regex PyTorchRate();
}
