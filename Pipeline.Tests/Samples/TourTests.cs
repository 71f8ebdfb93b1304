using Pipeline.Samples;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Samples;

/// <summary>The samples tour runs end to end and prints what the MXNet tutorial prints.</summary>
public sealed class TourTests
{
    [Fact]
    public void Run_RecordIOAndPack_PrintsTutorialOutputAndWritesFiles()
    {
        using var temp = new TempDirectory();
        using var output = new StringWriter();

        int exitCode = Tour.Run(["recordio", "pack", "--out", temp.Path], output);

        string text = output.ToString();
        Assert.Equal(0, exitCode);
        for (int i = 0; i < 5; i++) Assert.Contains($"  b'record_{i}'", text, StringComparison.Ordinal);
        Assert.Contains("read_idx(3): b'record_3'", text, StringComparison.Ordinal);
        Assert.Contains("keys: [0, 1, 2, 3, 4]", text, StringComparison.Ordinal);
        Assert.Contains(@"s1: b'\x00\x00\x00\x00\x00\x00\x80?\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00data'", text, StringComparison.Ordinal);
        Assert.Contains("unpack: (HEADER(flag=3, label=array([1., 2., 3.], dtype=float32), id=2, id2=0), b'data')", text, StringComparison.Ordinal);
        Assert.Equal(80, new FileInfo(Path.Combine(temp.Path, "tmp.rec")).Length);
        Assert.Equal("0\t0\n1\t16\n2\t32\n3\t48\n4\t64\n", File.ReadAllText(Path.Combine(temp.Path, "tmp.idx")));
    }

    [Fact]
    public void Run_UnknownStep_ListsStepsAndFails()
    {
        using var output = new StringWriter();
        Assert.Equal(2, Tour.Run(["nosuchstep"], output));
        Assert.Contains("recordio", output.ToString(), StringComparison.Ordinal);
    }
}
