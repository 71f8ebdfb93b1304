using System.Globalization;
using Pipeline.Samples.TorchSharp.Bench;

namespace Pipeline.Samples.TorchSharp;

/// <summary>
/// The tour's training with TorchSharp: <c>dotnet run -c Release --project Pipeline.Samples.TorchSharp [-- mlp | cnn | bench
/// [astorch|cnn] [--images N]] [--out DIR]</c>. With no command it runs <c>mlp</c> then <c>cnn</c>.
/// </summary>
public static class TorchTour
{
    /// <summary>Runs a command and hands back the values it computed (for the sample's test).</summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Where the tour prints.</param>
    /// <returns>The exit code (0 on success, 2 for an unknown command) and the values the steps recorded.</returns>
    public static async Task<(int ExitCode, IReadOnlyDictionary<string, object> Results)> RunAsync(string[] args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        string outputDir = "tour-output";
        var commands = new List<string>();
        int images = 1024;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--out" && i + 1 < args.Length) outputDir = args[++i];
            else if (args[i] == "--images" && i + 1 < args.Length) images = int.Parse(args[++i], CultureInfo.InvariantCulture);
            else commands.Add(args[i]);
        }

        Directory.CreateDirectory(outputDir);
        var context = new TourContext(Path.GetFullPath(outputDir), output);
        string command = commands.Count == 0 ? "all" : commands[0];
        switch (command)
        {
            case "all":
                output.WriteLine("== mlp: the tutorial's MLP trained with TorchSharp; the tensors are the iterators' batch buffers (no copy).");
                await MlpSample.RunAsync(context).ConfigureAwait(false);
                output.WriteLine();
                output.WriteLine("== cnn: a small CNN trained from ImageRecordIter over the tour's im2rec output.");
                await CnnSample.RunAsync(context).ConfigureAwait(false);
                break;
            case "mlp":
                await MlpSample.RunAsync(context).ConfigureAwait(false);
                break;
            case "cnn":
                await CnnSample.RunAsync(context).ConfigureAwait(false);
                break;
            case "bench":
                string which = commands.Count > 1 ? commands[1] : "all";
                if (which is "all" or "astorch") AsTorchBench.Run(output);
                if (which is "all" or "cnn") await CnnEpochBench.RunAsync(context, images).ConfigureAwait(false);
                break;
            default:
                output.WriteLine($"Unknown command '{command}'. Commands: mlp, cnn, bench [astorch|cnn] [--images N]; --out DIR.");
                return (2, context.Results);
        }

        return (0, context.Results);
    }
}
