using Pipeline.Core;
using Pipeline.Samples;
using Pipeline.Stages.Imaging;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Samples;

/// <summary>The samples tour runs end to end and prints what the MXNet tutorial prints.</summary>
public sealed class TourTests
{
    [Fact]
    public void Run_WholeTour_PrintsTheTutorialsOutputsAndWritesItsFiles()
    {
        using var temp = new TempDirectory();
        using var output = new StringWriter();

        int exitCode = Tour.Run(["--out", temp.Path], output, out IReadOnlyDictionary<string, object> results);

        string text = output.ToString();
        Assert.Equal(0, exitCode);
        Assert.Equal([0, 0, 0, 20], (List<int>)results["ndarray.pads"]);
        Assert.Equal([0, 0, 0, 20], (List<int>)results["csv.pads"]);
        Assert.Equal([0, 0, 0, 20], (List<int>)results["custom.pads"]);
        Assert.Contains("DataBatch: data shapes: [(30, 3)] label shapes: [(30,)] pad: 20", text, StringComparison.Ordinal);
        for (int i = 0; i < 5; i++) Assert.Contains($"  b'record_{i}'", text, StringComparison.Ordinal);
        Assert.Contains("read_idx(3): b'record_3'", text, StringComparison.Ordinal);
        Assert.Contains("keys: [0, 1, 2, 3, 4]", text, StringComparison.Ordinal);
        Assert.Contains(@"s1: b'\x00\x00\x00\x00\x00\x00\x80?\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00data'", text, StringComparison.Ordinal);
        Assert.Contains("unpack: (HEADER(flag=3, label=array([1., 2., 3.], dtype=float32), id=2, id2=0), b'data')", text, StringComparison.Ordinal);
        Assert.Equal(80, new FileInfo(Path.Combine(temp.Path, "tmp.rec")).Length);
        Assert.Equal("0\t0\n1\t16\n2\t32\n3\t48\n4\t64\n", File.ReadAllText(Path.Combine(temp.Path, "tmp.idx")));

        // im2rec.py's shuffle (seed 100) of the 24 photos, 75% for training.
        Assert.Equal([10L, 9, 21, 20, 6, 19, 2, 15, 0, 23, 7, 18, 17, 1, 8, 3, 16, 13], (long[])results["im2rec.photos_train"]);
        Assert.Equal([11L, 12, 5, 22, 14, 4], (long[])results["im2rec.photos_val"]);

        Assert.Equal(80, results["progress.batches_per_epoch"]);
        Assert.Equal(80, results["progress.batches"]);
        Assert.Contains("  [####################] 80/80 epoch 0: ", text, StringComparison.Ordinal);

        // The captioning composition: 18 training photos in batches of 6, images and captions in lockstep over two epochs.
        Assert.Equal(3, (int)results["captions.batches"]);
        Assert.True((bool)results["captions.lockstep"]);
        Assert.Contains("first caption: a photo of ", text, StringComparison.Ordinal);
        Assert.Contains("Epoch[4] Train-accuracy=", text, StringComparison.Ordinal);
        Assert.Contains("Epoch[4] Time cost=", text, StringComparison.Ordinal);
        Assert.True((double)results["train.fashion_accuracy"] >= 0.80, $"Fashion-MNIST accuracy {results["train.fashion_accuracy"]}");

        AssertPng(Path.Combine(temp.Path, "kite-resized.png"), 100, 160);
        AssertPng(Path.Combine(temp.Path, "kite-crop.png"), 96, 96);
        (int w, int h) = ((int, int))results["imageiter.sheet"];
        AssertPng(Path.Combine(temp.Path, "imageiter-batch.png"), h, w);
        (w, h) = ((int, int))results["imagerecorditer.sheet"];
        AssertPng(Path.Combine(temp.Path, "imagerecorditer-batch.png"), h, w);
        (w, h) = ((int, int))results["detection.sheet"];
        AssertPng(Path.Combine(temp.Path, "detection-batch.png"), h, w);
        Assert.Contains("epoch 1 image 2: ", text, StringComparison.Ordinal);
        Assert.Contains("Files written under", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_UnknownStep_ListsStepsAndFails()
    {
        using var output = new StringWriter();
        Assert.Equal(2, Tour.Run(["nosuchstep"], output));
        Assert.Contains("imagerecorditer", output.ToString(), StringComparison.Ordinal);
    }

    private static void AssertPng(string path, int height, int width)
    {
        using NDArray image = ImageOps.Read(path);
        Assert.Equal([height, width, 3], image.Shape);
    }
}
