using System.Globalization;
using Pipeline.Stages.Im2Rec;

namespace Pipeline.Benchmarks.Imaging;

/// <summary>im2rec on the benchmark corpus: pass-through packing MB/s, and re-encoding (resize 256, quality 95) img/s at 2 threads.</summary>
internal static class Im2RecThroughput
{
    public static int Run(string corpus, string dir)
    {
        if (!Directory.Exists(corpus))
        {
            Console.Error.WriteLine($"No corpus at '{corpus}'.");
            return 2;
        }

        Directory.CreateDirectory(dir);
        string prefix = Path.Combine(dir, "corpus");
        Im2RecList.Write(prefix, corpus, new Im2RecListOptions { Recursive = true });
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
        foreach (string file in Directory.GetFiles(corpus, "*.jpg", SearchOption.AllDirectories)) File.ReadAllBytes(file);

        Im2RecSummary best = Pack(prefix, corpus, new Im2RecPackOptions { PassThrough = true, NumThreads = 2 });
        for (int i = 0; i < 2; i++)
        {
            Im2RecSummary next = Pack(prefix, corpus, new Im2RecPackOptions { PassThrough = true, NumThreads = 2 });
            if (next.Elapsed < best.Elapsed) best = next;
        }

        Console.WriteLine(Invariant($"pass-through: {best.Written} images, {best.Bytes / 1e6:F1} MB in {best.Elapsed.TotalSeconds:F3} s = {best.Bytes / best.Elapsed.TotalSeconds / 1e6:F0} MB/s"));
        Im2RecSummary reencode = Pack(prefix, corpus, new Im2RecPackOptions { Resize = 256, Quality = 95, NumThreads = 2 });
        Console.WriteLine(Invariant($"re-encode, resize 256, quality 95, 2 threads: {reencode.Written / reencode.Elapsed.TotalSeconds:F0} img/s ({reencode.Bytes / 1e6:F1} MB written)"));
        return 0;
    }

    private static Im2RecSummary Pack(string prefix, string root, Im2RecPackOptions options) =>
        Im2RecPacker.PackAsync(prefix + ".lst", root, prefix + ".rec", prefix + ".idx", options).GetAwaiter().GetResult();

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
