namespace Pipeline.Samples;

/// <summary>What a step needs: the output folder, the console, and the list of files the tour wrote.</summary>
internal sealed class TourContext(string outputDir, TextWriter output)
{
    private readonly List<string> _written = [];

    public string OutputDir { get; } = outputDir;

    public TextWriter Out { get; } = output;

    /// <summary>Gets the folder of the data shipped with the samples (copied next to the program).</summary>
    public string DataDir { get; } = Path.Combine(AppContext.BaseDirectory, "data");

    /// <summary>Gets the values the tour computed that its test checks (pads, accuracy, ...).</summary>
    public Dictionary<string, object> Results { get; } = [];

    public IReadOnlyList<string> WrittenFiles => _written;

    /// <summary>Gets a path in the output folder and remembers it for the closing summary.</summary>
    public string OutputFile(string name)
    {
        string path = Path.Combine(OutputDir, name);
        if (!_written.Contains(path)) _written.Add(path);
        return path;
    }
}
