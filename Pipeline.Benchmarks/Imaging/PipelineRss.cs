using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using Pipeline.Stages.Iterators;

namespace Pipeline.Benchmarks.Imaging;

/// <summary>
/// Issue 11's memory target: the peak resident set (<c>VmHWM</c>) of a process that does nothing but run ImageRecordIter
/// (B=32, 3x224x224 float32, prefetch 4, resize 256 + random crop 224) for a number of epochs. <c>VmHWM</c> cannot be reset,
/// so the measurement needs a fresh process: when the .rec has to be packed first, this packs it and runs itself again.
/// </summary>
internal static class PipelineRss
{
    private const double TargetMB = 250;

    public static int Run(string corpus, int threads, int epochs, string[] commandLine)
    {
        if (!Directory.Exists(corpus))
        {
            Console.Error.WriteLine($"No corpus at '{corpus}'. Make it with: /usr/bin/python3 ../shared/tools/make_corpus.py {corpus} 2000");
            return 2;
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epochs);
        string rec = PipelineThroughput.RecFor(corpus);
        if (!File.Exists(rec))
        {
            PipelineThroughput.Pack(corpus, rec);
            Console.WriteLine($"packed '{rec}'; measuring in a fresh process so that packing does not count");
            return RunSelf(commandLine);
        }

        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; {(GCSettings.IsServerGC ? "server" : "workstation")} GC, concurrent {GCSettings.LatencyMode != GCLatencyMode.Batch}");
        Console.WriteLine($"codec: {CodecThroughput.DescribeDefaultCodec()}");
        Console.WriteLine($"before the iterator: RSS {ProcessMemory.Format(ProcessMemory.Resident)}, peak {ProcessMemory.Format(ProcessMemory.PeakResident)}");
        using var sampler = Environment.GetEnvironmentVariable("PIPELINE_ALLOC_PROFILE") == "1" ? new AllocationSampler() : null;
        var watch = Stopwatch.StartNew();
        int images = 0;
        using (var iter = new ImageRecordIter(PipelineThroughput.Options(rec, threads, randomResized: false)))
        {
            for (int epoch = 1; epoch <= epochs; epoch++)
            {
                if (epoch > 1) iter.Reset();
                if (sampler is not null) sampler.Enabled = epoch > 1;
                images += PipelineThroughput.ConsumeEpochAsync(iter).GetAwaiter().GetResult();
                Console.WriteLine($"epoch {epoch}: RSS {ProcessMemory.Format(ProcessMemory.Resident)}, peak {ProcessMemory.Format(ProcessMemory.PeakResident)}, managed heap {GC.GetTotalMemory(false) / 1e6:F1} MB, allocated {GC.GetTotalAllocatedBytes(false) / 1e6:F1} MB, gen0/1/2 collections {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}");
            }
        }

        if (sampler is not null)
        {
            Console.WriteLine("allocations after the first epoch, sampled by type:");
            sampler.Print();
        }

        long? peak = ProcessMemory.PeakResident;
        string verdict = peak is { } p ? (p / 1e6 <= TargetMB ? "met" : "NOT met") : "unknown";
        Console.WriteLine(Invariant($"ImageRecordIter (resize 256, random crop 224, mirror, mean/std, float32, B=32, prefetch 4, {threads} threads), {epochs} epochs, {images} images in {watch.Elapsed.TotalSeconds:F1} s"));
        Console.WriteLine(Invariant($"peak RSS (VmHWM): {ProcessMemory.Format(peak)} (target <= {TargetMB:F0} MB: {verdict})"));
        return 0;
    }

    /// <summary>Runs this program again with the same arguments, its output going straight to ours; returns its exit code.</summary>
    private static int RunSelf(string[] commandLine)
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("The process path is unknown.");
        var info = new ProcessStartInfo(host) { UseShellExecute = false };

        // Under 'dotnet Pipeline.Benchmarks.dll' the host is dotnet itself and needs the assembly; the apphost does not.
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") info.ArgumentList.Add(typeof(PipelineRss).Assembly.Location);
        foreach (string argument in commandLine) info.ArgumentList.Add(argument);
        using Process child = Process.Start(info) ?? throw new InvalidOperationException($"Could not start '{host}'.");
        child.WaitForExit();
        return child.ExitCode;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
