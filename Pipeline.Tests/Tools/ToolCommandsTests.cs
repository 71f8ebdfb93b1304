using Pipeline.Stages.Im2Rec;
using Pipeline.Stages.Imaging;
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
    public async Task Im2Rec_DetectionListWithPackLabel_PacksEachLineWidthAndRecHeadShowsTheBoxes()
    {
        using var temp = new TempDirectory();
        string prefix = temp.File("det");
        File.WriteAllLines(prefix + ".lst",
        [
            "0\t2\t5\t3\t0.1\t0.2\t0.5\t0.6\tobjects/kite.jpg",
            "1\t4\t6\t640\t480\t1\t0.25\t0.25\t0.75\t0.5\t0\t7\t0\t0\t1\t1\t1\tobjects/cups_square.jpg",
            "2\t2\t5\t1\t0.9\t0.2\t0.5\t0.6\tobjects/grey.jpg",
        ]);
        (int code, string text) = await RunAsync("im2rec", prefix, TestFiles.PhotosDir, "--pack-label", "--resize", "32");
        Assert.Equal(0, code);
        Assert.Equal([7u, 16u, 7u], Pipeline.Core.RecordIO.RecordFileTools.Headers(prefix + ".rec", -1).Select(h => h.Header.Flag));

        (code, text) = await RunAsync("rec", "head", prefix + ".rec", "--det");
        Assert.Equal(0, code);
        Assert.Contains("header [2, 5], 1 object", text, StringComparison.Ordinal);
        Assert.Contains("3: (0.1, 0.2)-(0.5, 0.6)", text, StringComparison.Ordinal);
        Assert.Contains("header [4, 6, 640, 480], 2 objects", text, StringComparison.Ordinal);
        Assert.Contains("7: (0, 0)-(1, 1) 1", text, StringComparison.Ordinal);
        Assert.Contains("xmin 0.9 > xmax 0.5", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Im2Rec_MXNetInterMethodAndEncoding_MapToTheEnums()
    {
        using var temp = new TempDirectory();
        string lst = File.ReadAllText(Path.Combine(TestFiles.Im2RecDir, "images.lst"));
        foreach (string name in new[] { "cli-nearest", "cli-bicubic", "lib-nearest" }) File.WriteAllText(temp.File(name + ".lst"), lst);
        (int code, _) = await RunAsync("im2rec", temp.File("cli-nearest"), TestFiles.PhotosDir, "--resize", "24", "--inter-method", "0", "--encoding", ".png", "--num-thread", "2");
        Assert.Equal(0, code);
        (code, _) = await RunAsync("im2rec", temp.File("cli-bicubic"), TestFiles.PhotosDir, "--resize", "24", "--inter-method", "2", "--encoding", ".png", "--num-thread", "2");
        Assert.Equal(0, code);
        await Im2RecPacker.PackPrefixAsync(temp.File("lib-nearest"), TestFiles.PhotosDir, new Im2RecPackOptions { Resize = 24, InterMethod = Interpolation.Nearest, Encoding = ImageFormat.Png, NumThreads = 2 });

        Assert.Equal(File.ReadAllBytes(temp.File("lib-nearest.rec")), File.ReadAllBytes(temp.File("cli-nearest.rec")));
        Assert.NotEqual(File.ReadAllBytes(temp.File("cli-nearest.rec")), File.ReadAllBytes(temp.File("cli-bicubic.rec")));
        (code, _) = await RunAsync("im2rec", temp.File("cli-nearest"), TestFiles.PhotosDir, "--inter-method", "9");
        Assert.Equal(2, code);
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
