using Pipeline.Tests.Infrastructure;
using Pipeline.Tools;
using Spectre.Console;

namespace Pipeline.Tests.Tools;

/// <summary>The command line end to end: list, pack, verify, index, stats, head, split.</summary>
public sealed class ToolCommandsTests
{
    [Fact]
    public async Task Im2Rec_ListThenPack_ThenRecUtilities()
    {
        using var temp = new TempDirectory();
        string prefix = temp.File("photos");
        (int code, string text) = await RunAsync("im2rec", prefix, TestFiles.PhotosDir, "--list", "--recursive", "--no-shuffle");
        Assert.Equal(0, code);
        Assert.Contains("landscape 0", text, StringComparison.Ordinal);
        Assert.Contains("plants 2", text, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllText(Path.Combine(TestFiles.Im2RecDir, "images.lst")), File.ReadAllText(prefix + ".lst"));

        (code, text) = await RunAsync("im2rec", prefix, TestFiles.PhotosDir, "--pass-through", "--num-thread", "2");
        Assert.Equal(0, code);
        Assert.Contains("24 records", text, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(Path.Combine(TestFiles.Im2RecDir, "im2rec-passthrough.rec")), File.ReadAllBytes(prefix + ".rec"));

        (code, text) = await RunAsync("rec", "verify", prefix + ".rec");
        Assert.Equal(0, code);
        Assert.Contains("OK, 24 records", text, StringComparison.Ordinal);

        File.Delete(prefix + ".idx");
        (code, _) = await RunAsync("rec", "index", prefix + ".rec");
        Assert.Equal(0, code);
        Assert.Equal(File.ReadAllBytes(Path.Combine(TestFiles.Im2RecDir, "im2rec-passthrough.idx")), File.ReadAllBytes(prefix + ".idx"));

        (code, text) = await RunAsync("rec", "head", prefix + ".rec", "-n", "2");
        Assert.Equal(0, code);
        Assert.Contains("17931", text, StringComparison.Ordinal);

        (code, text) = await RunAsync("rec", "stats", prefix + ".rec");
        Assert.Contains("records 24", text, StringComparison.Ordinal);

        (code, text) = await RunAsync("rec", "split", prefix + ".rec", "--parts", "2");
        Assert.Equal(0, code);
        Assert.True(File.Exists(temp.File("photos-00001-of-00002.rec")));

        byte[] bytes = File.ReadAllBytes(prefix + ".rec");
        bytes[7] ^= 0xE0;
        File.WriteAllBytes(prefix + ".rec", bytes);
        (code, text) = await RunAsync("rec", "verify", prefix + ".rec");
        Assert.Equal(1, code);
        Assert.Contains("offset 0", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadUsage_ReturnsTwo()
    {
        (int code, _) = await RunAsync("im2rec", "only-one-argument");
        Assert.Equal(2, code);
        (code, _) = await RunAsync("im2rec", "p", "r", "--color", "5");
        Assert.Equal(2, code);
        (code, string text) = await RunAsync("im2rec", "/nonexistent/prefix", "/nonexistent/root");
        Assert.Equal(1, code);
        Assert.Contains("error", text, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Text)> RunAsync(params string[] args)
    {
        using var writer = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, Interactive = InteractionSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(writer) });
        console.Profile.Width = 400;
        int code = await ToolCommands.RunAsync(args, console);
        return (code, writer.ToString());
    }
}
