using System.Diagnostics;
using Pipeline.Tests.Infrastructure;
using Pipeline.Tests.Stages.Iterators;

namespace Pipeline.Tests.Tools;

/// <summary>A training process killed with SIGKILL and a new one restoring its saved state read exactly the batches of one uninterrupted run.</summary>
public sealed class ResumeDrillTests
{
    [Fact]
    public async Task KilledProcess_NewProcessRestores_LogsEqualUninterruptedRun()
    {
        using var temp = new TempDirectory();
        (string rec, _) = ResumeTests.WriteImages(temp, 17);
        const int Steps = 30;
        const int Cut = 11;

        string whole = temp.File("whole.log");
        Assert.Equal(0, await RunToEndAsync(Drill(rec, temp.File("whole.state"), whole, Steps, "--threads", "2")));

        string resumed = temp.File("resumed.log");
        string state = temp.File("resumed.state");
        using (Process first = Process.Start(Drill(rec, state, resumed, Cut, "--wait", "--threads", "1"))!)
        {
            var waited = Stopwatch.StartNew();
            while (!File.Exists(resumed + ".ready"))
            {
                if (first.HasExited) Assert.Fail($"the first process exited with {first.ExitCode} before it was killed: {await first.StandardError.ReadToEndAsync()}");
                Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), "the first process did not log its batches within 60 s");
                await Task.Delay(50);
            }

            // Process.Kill is SIGKILL on Unix: no finally block, no flush, no dispose runs in the child.
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }

        Assert.Equal(0, await RunToEndAsync(Drill(rec, state, resumed, Steps - Cut, "--restore", "--threads", "3")));
        string[] expected = await File.ReadAllLinesAsync(whole);
        string[] actual = await File.ReadAllLinesAsync(resumed);
        Assert.Equal(Steps, expected.Length);
        Assert.Contains("end", expected);
        Assert.Equal(expected, actual);
    }

    private static ProcessStartInfo Drill(string rec, string state, string log, int steps, params string[] more)
    {
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in (string[])[Path.Combine(AppContext.BaseDirectory, "Pipeline.Tools.dll"), "resume-drill", "--rec", rec, "--state", state, "--log", log, "--steps", steps.ToString(System.Globalization.CultureInfo.InvariantCulture), .. more])
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    private static async Task<int> RunToEndAsync(ProcessStartInfo start)
    {
        using Process process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        Task<string> output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        Task<string> error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await output} {await error}");
        return process.ExitCode;
    }
}
