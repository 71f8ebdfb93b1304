using Pipeline.Samples.TorchSharp;

namespace Pipeline.TorchSharp.Tests;

/// <summary>The TorchSharp sample trains the tutorial's MLP and the CNN end to end, printing MXNet's lines.</summary>
public sealed class TorchTourTests
{
    [Fact]
    public async Task Run_MlpAndCnn_TrainsFashionMnistTo80PercentAndPrintsMxNetLines()
    {
        string folder = Path.Combine(Path.GetTempPath(), "pipeline-torch-tour-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var output = new StringWriter();
            (int exitCode, IReadOnlyDictionary<string, object> results) = await TorchTour.RunAsync(["--out", folder], output);

            string text = output.ToString();
            Assert.Equal(0, exitCode);
            Assert.True((double)results["torch.fashion_accuracy"] >= 0.80, $"Fashion-MNIST validation accuracy {results["torch.fashion_accuracy"]}\n{text}");
            Assert.Contains("Fashion-MNIST Epoch[9] Validation-accuracy=", text, StringComparison.Ordinal);
            Assert.Contains("Epoch[4] Train-accuracy=", text, StringComparison.Ordinal);
            Assert.Contains("Epoch[14] Time cost=", text, StringComparison.Ordinal);
            Assert.True(results.ContainsKey("torch.cnn_accuracy"));
            Assert.True(File.Exists(Path.Combine(folder, "photos_train.rec")));
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Run_UnknownCommand_Returns2()
    {
        using var output = new StringWriter();
        (int exitCode, _) = await TorchTour.RunAsync(["nope", "--out", Path.GetTempPath()], output);
        Assert.Equal(2, exitCode);
        Assert.Contains("Commands: mlp, cnn, bench", output.ToString(), StringComparison.Ordinal);
    }
}
