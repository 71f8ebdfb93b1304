using System.Diagnostics;
using System.Globalization;
using System.Text;
using Pipeline.Core;
using Pipeline.Core.RecordIO;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Tools;

/// <summary>Operator mistakes at the command line: a wrong image folder, a stopped run, a truncated file to split. Exit codes say what happened; nothing good is lost.</summary>
public sealed class ToolHostileTests
{
    [Fact]
    public async Task Im2Rec_WrongRoot_ExitsOneAndKeepsTheGoodPair()
    {
        using var temp = new TempDirectory();
        string prefix = temp.File("photos");
        File.Copy(Path.Combine(TestFiles.Im2RecDir, "images.lst"), prefix + ".lst");
        (int code, string text) = await ToolRunner.RunAsync("im2rec", prefix, TestFiles.PhotosDir, "--pass-through");
        Assert.Equal(0, code);
        byte[] rec = File.ReadAllBytes(prefix + ".rec");

        (code, text) = await ToolRunner.RunAsync("im2rec", prefix, temp.File("not-the-images"), "--pass-through");
        Assert.Equal(1, code);
        Assert.Contains("all 24 images were skipped", text, StringComparison.Ordinal);
        Assert.Equal(rec, File.ReadAllBytes(prefix + ".rec"));
        using (var reader = new IndexedRecordIOReader(prefix + ".idx", prefix + ".rec")) Assert.Equal(24, reader.Keys.Count);

        // --max-skipped is the tolerance: 24 missing of 24 is over 3.
        File.Delete(Path.Combine(temp.Path, "photos.rec"));
        (code, text) = await ToolRunner.RunAsync("im2rec", prefix, temp.File("not-the-images"), "--pass-through", "--max-skipped", "3");
        Assert.Equal(1, code);
        Assert.False(File.Exists(prefix + ".rec"));
        Assert.False(File.Exists(prefix + ".rec.tmp"));
    }

    [Fact]
    public async Task RecSplit_TruncatedRec_LeavesNoShardAndNoTemporaryFile()
    {
        using var temp = new TempDirectory();
        byte[] whole = RecordFiles.Write(Enumerable.Range(0, 40).Select(i => new byte[100 + i]));
        File.WriteAllBytes(temp.File("data.rec"), whole[..^32]);

        Assert.Throws<RecordFormatException>(() => RecordFileTools.Split(temp.File("data.rec"), temp.File("shard"), 3));
        Assert.Empty(Directory.GetFiles(temp.Path, "shard*"));

        (int code, string text) = await ToolRunner.RunAsync("rec", "split", temp.File("data.rec"), "--parts", "3");
        Assert.Equal(1, code);
        Assert.Contains("offset", text, StringComparison.Ordinal);
        Assert.Equal([temp.File("data.rec")], Directory.GetFiles(temp.Path));

        // A good file still splits into every shard.
        File.WriteAllBytes(temp.File("data.rec"), whole);
        IReadOnlyList<(string RecPath, long Records)> shards = RecordFileTools.Split(temp.File("data.rec"), temp.File("shard"), 3);
        Assert.Equal(40, shards.Sum(s => s.Records));
        Assert.Empty(Directory.GetFiles(temp.Path, "*.tmp"));
    }

    [Theory]
    [InlineData("TERM", 143)]
    [InlineData("INT", 130)]
    public async Task Im2Rec_StoppedBySignal_PrintsOneLineExitsWithTheSignalsCodeAndLeavesNothing(string signal, int expected)
    {
        using var temp = new TempDirectory();
        string prefix = temp.File("many");

        // Enough re-encoding work that the run is still going when the signal arrives.
        string[] images = [.. File.ReadAllLines(Path.Combine(TestFiles.Im2RecDir, "images.lst")).Select(line => line.Split('\t')[^1])];
        var list = new StringBuilder();
        for (int i = 0; i < 5000; i++) list.Append(CultureInfo.InvariantCulture, $"{i}\t0\t{images[i % images.Length]}\n");
        File.WriteAllText(prefix + ".lst", list.ToString());
        File.WriteAllBytes(prefix + ".rec", [1, 2, 3, 4]);

        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in (string[])[Path.Combine(AppContext.BaseDirectory, "Pipeline.Tools.dll"), "im2rec", prefix, TestFiles.PhotosDir, "--resize", "320"]) start.ArgumentList.Add(arg);
        using Process child = Process.Start(start)!;
        Task<string> output = child.StandardOutput.ReadToEndAsync();
        Task<string> error = child.StandardError.ReadToEndAsync();
        try
        {
            var waited = Stopwatch.StartNew();
            while (!File.Exists(prefix + ".rec.tmp"))
            {
                if (child.HasExited) Assert.Fail($"im2rec exited with {child.ExitCode} before the signal: {await output} {await error}");
                Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), "im2rec wrote nothing within 60 s");
                await Task.Delay(20);
            }

            using (Process kill = Process.Start("kill", ["-" + signal, child.Id.ToString(CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
            await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            if (!child.HasExited) child.Kill(entireProcessTree: true);
        }

        string text = (await output) + (await error);
        Assert.Equal(expected, child.ExitCode);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(File.Exists(prefix + ".rec.tmp"));
        Assert.False(File.Exists(prefix + ".idx.tmp"));
        Assert.Equal([1, 2, 3, 4], File.ReadAllBytes(prefix + ".rec"));
    }
}
