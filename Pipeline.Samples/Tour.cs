using Pipeline.Samples.Steps;

namespace Pipeline.Samples;

/// <summary>
/// The MXNet data-IO tutorial in C#: <c>dotnet run --project Pipeline.Samples [-- step ...] [--out DIR]</c>.
/// With no step it runs them all, in the tutorial's order, and ends with the files it wrote.
/// </summary>
public static class Tour
{
    private static readonly ITourStep[] s_steps =
    [
        new NDArrayStep(), new CsvStep(), new CustomStep(), new RecordIOStep(), new PackStep(), new ImageStep(),
        new Im2RecStep(), new ImageIterStep(), new ImageRecordIterStep(), new DetectionStep(), new ProgressStep(), new CaptionStep(), new TrainStep(),
    ];

    /// <summary>Runs the chosen steps (all by default) and prints what each shows.</summary>
    /// <param name="args">Step names, and <c>--out DIR</c> for the output folder (default <c>tour-output</c>).</param>
    /// <param name="output">Where the tour prints.</param>
    /// <returns>The process exit code: 0 on success, 2 for an unknown step.</returns>
    public static int Run(string[] args, TextWriter output) => Run(args, output, out _);

    /// <summary>Runs the chosen steps and hands back the values they computed (for the tour's test).</summary>
    /// <param name="args">Step names, and <c>--out DIR</c>.</param>
    /// <param name="output">Where the tour prints.</param>
    /// <param name="results">The values the steps recorded: pads, keys, accuracy, sheet sizes.</param>
    /// <returns>The process exit code.</returns>
    public static int Run(string[] args, TextWriter output, out IReadOnlyDictionary<string, object> results)
    {
        results = new Dictionary<string, object>();
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        string outputDir = "tour-output";
        var chosen = new List<ITourStep>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--out" && i + 1 < args.Length)
            {
                outputDir = args[++i];
                continue;
            }

            ITourStep? step = Array.Find(s_steps, s => s.Name == args[i]);
            if (step is null)
            {
                output.WriteLine($"Unknown step '{args[i]}'. Steps: {string.Join(", ", s_steps.Select(s => s.Name))}.");
                return 2;
            }

            chosen.Add(step);
        }

        if (chosen.Count == 0) chosen.AddRange(s_steps);
        Directory.CreateDirectory(outputDir);
        var context = new TourContext(Path.GetFullPath(outputDir), output);
        results = context.Results;
        foreach (ITourStep step in chosen)
        {
            output.WriteLine();
            output.WriteLine($"== {step.Name}: {step.Summary}");
            step.Run(context);
        }

        output.WriteLine();
        output.WriteLine($"Files written under {context.OutputDir}:");
        foreach (string file in context.WrittenFiles)
        {
            output.WriteLine($"  {Path.GetRelativePath(context.OutputDir, file)} ({new FileInfo(file).Length} bytes)");
        }

        return 0;
    }
}
