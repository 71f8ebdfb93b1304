using System.Diagnostics;
using System.Globalization;

namespace Pipeline.Benchmarks.Peers;

/// <summary>Runs a peer program (a script under the repository's <c>tools/</c>) as a child process and collects its output.</summary>
internal static class PeerProcess
{
    /// <summary>Finds <c>tools/<paramref name="name"/></c> above the current directory or the program's own folder.</summary>
    public static string? FindTool(string name)
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (DirectoryInfo? dir = new(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "tools", name);
                if (File.Exists(candidate)) return candidate;
            }
        }

        return null;
    }

    /// <summary>Runs <paramref name="fileName"/> with <paramref name="arguments"/> and waits for it, killing it after <paramref name="timeout"/>.</summary>
    public static PeerRun Run(string fileName, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments) info.ArgumentList.Add(argument);
        string command = string.Join(' ', info.ArgumentList.Prepend(fileName));
        var watch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new PeerRun(command, -1, "", e.Message, watch.Elapsed);
        }

        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return new PeerRun(command, -1, stdout.GetAwaiter().GetResult(), $"killed after {timeout.TotalSeconds:F0} s", watch.Elapsed);
        }

        process.WaitForExit();
        return new PeerRun(command, process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult(), watch.Elapsed);
    }
}

/// <summary>What a peer process printed, and how it ended.</summary>
internal sealed record PeerRun(string Command, int ExitCode, string StandardOutput, string StandardError, TimeSpan Elapsed)
{
    /// <summary>Gets the first line of standard output that starts with <paramref name="prefix"/>, or <see langword="null"/>.</summary>
    public string? Line(string prefix) =>
        StandardOutput.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>Gets <c>key=value</c> from a line of <c>key=value</c> fields, as a number.</summary>
    public static double? Field(string? line, string key)
    {
        if (line is null) return null;
        foreach (string token in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (token.StartsWith(key + "=", StringComparison.Ordinal)
                && double.TryParse(token.AsSpan(key.Length + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>Gets a one-line account of a failed run: the command, the exit code and the end of its error output.</summary>
    public string Failure()
    {
        string error = (StandardError.Length > 0 ? StandardError : StandardOutput).Trim();
        if (error.Length > 400) error = "..." + error[^400..];
        return $"'{Command}' exited with {ExitCode}: {error}";
    }
}
