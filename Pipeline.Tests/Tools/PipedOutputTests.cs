using System.Diagnostics;
using System.Text.RegularExpressions;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Tools;

/// <summary>The installed command's output through a pipe, as a CI log or <c>| tee</c> gets it: plain, unwrapped lines, progress every N images, matching a golden transcript.</summary>
public sealed partial class PipedOutputTests
{
    private static readonly string s_golden = Path.Combine(AppContext.BaseDirectory, "TestData", "cli", "im2rec-pipe.txt");

    [Fact]
    public async Task Im2RecThroughAPipe_MatchesTheGoldenTranscript()
    {
        using var dir = new TempDirectory();

        // A long prefix: a terminal-less console used to wrap at 80 columns, in the middle of paths.
        string prefix = Path.Combine(dir.Path, "a-folder-with-a-rather-long-name-to-push-lines-past-eighty-columns", "photos");
        Directory.CreateDirectory(Path.GetDirectoryName(prefix)!);
        var transcript = new List<string>();
        foreach (string[] args in (string[][])
        [
            // As the installed `im2rec` is called: no command name means im2rec, as with im2rec.py.
            [prefix, TestFiles.PhotosDir, "--list", "--recursive", "--no-shuffle"],
            [prefix, TestFiles.PhotosDir, "--resize", "32", "--num-thread", "1", "--progress-every", "10"],
            ["rec", "verify", prefix + ".rec"],
            ["rec", "index", prefix + ".rec", "--idx", prefix + ".rebuilt.idx"],
        ])
        {
            (int code, string output) = await RunPipedAsync(args);
            transcript.Add("$ im2rec " + string.Join(' ', args));
            transcript.Add(output.TrimEnd('\n'));
            transcript.Add($"[exit {code}]");
        }

        string actual = Normalize(string.Join('\n', transcript), dir.Path) + "\n";
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1") await File.WriteAllTextAsync(Path.Combine("..", "..", "..", "TestData", "cli", "im2rec-pipe.txt"), actual);
        Assert.Equal((await File.ReadAllTextAsync(s_golden)).ReplaceLineEndings("\n"), actual);
        Assert.DoesNotContain('\u001b', actual);                                  // no colour or cursor codes
        Assert.Contains(actual.Split('\n'), line => line.Length > 120);           // long lines stay whole
    }

    /// <summary>Replaces what changes between runs and machines: folders, rates, sizes (JPEG bytes differ between the native and managed codecs).</summary>
    private static string Normalize(string text, string temp) =>
        Rate().Replace(Size().Replace(Bytes().Replace(text.Replace(temp, "<TMP>", StringComparison.Ordinal).Replace(TestFiles.PhotosDir, "<PHOTOS>", StringComparison.Ordinal), "<N> bytes"), "<N> MB"), "<N> img/s");

    private static async Task<(int Code, string Output)> RunPipedAsync(string[] args)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Pipeline.Tools.dll"));
        foreach (string arg in args) info.ArgumentList.Add(arg);
        info.Environment.Remove("COLUMNS");
        using Process process = Process.Start(info)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, (await output + await error).ReplaceLineEndings("\n"));
    }

    [GeneratedRegex(@"\d+ img/s")]
    private static partial Regex Rate();

    [GeneratedRegex(@"\d+(\.\d+)? MB")]
    private static partial Regex Size();

    [GeneratedRegex(@"\d+ bytes")]
    private static partial Regex Bytes();
}
