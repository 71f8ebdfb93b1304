using System.Globalization;

namespace Pipeline.Benchmarks;

/// <summary>The <c>--name value</c> options after <c>throughput COMMAND</c>; a name followed by another option or nothing is a flag.</summary>
internal sealed class ThroughputArguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    private ThroughputArguments()
    {
    }

    /// <summary>Parses <paramref name="args"/>; returns <see langword="null"/> (after printing why) when one is not an option.</summary>
    public static ThroughputArguments? Parse(IReadOnlyList<string> args)
    {
        var parsed = new ThroughputArguments();
        for (int i = 0; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || args[i].Length == 2)
            {
                Console.Error.WriteLine($"Unexpected argument '{args[i]}'; options are --name value or --flag.");
                return null;
            }

            string name = args[i][2..];
            bool hasValue = i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
            parsed._values[name] = hasValue ? args[++i] : "true";
        }

        return parsed;
    }

    /// <summary>Gets the option names given.</summary>
    public IEnumerable<string> Names => _values.Keys;

    public string String(string name, string fallback) => _values.GetValueOrDefault(name, fallback);

    public int Int(string name, int fallback) => int.Parse(String(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    public bool Flag(string name) => String(name, "false") == "true";

    public string Corpus => String("corpus", Path.Combine(Path.GetTempPath(), "corpus"));

    public string Dir => String("dir", Path.Combine(Path.GetTempPath(), "pipeline-bench"));
}
