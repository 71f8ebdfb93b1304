using System.Globalization;
using Pipeline.Samples.Steps;
using Pipeline.Stages.Iterators;
using Pipeline.TorchSharp;
using TorchSharp;

namespace Pipeline.Samples.TorchSharp;

/// <summary>The tutorial's training section with TorchSharp: the MLP on SimpleIter, then on the shipped Fashion-MNIST subset through MnistIter.</summary>
internal static class MlpSample
{
    public static async Task<double> RunAsync(TourContext context)
    {
        torch.manual_seed(1);
        var random = new Random(2);
        using var simple = new SimpleIter(
            "data", [30, 100], shape => [.. Enumerable.Range(0, shape[0] * shape[1]).Select(_ => (float)((random.NextDouble() * 2) - 1))],
            "softmax_label", [30], shape => [.. Enumerable.Range(0, shape[0]).Select(_ => (float)random.Next(0, 10))]);
        using (var net = Networks.Mlp(100))
        using (var sgd = torch.optim.SGD(net.parameters(), 0.1))
        {
            context.Out.WriteLine("SimpleIter (random data and labels: the accuracy is chance, the point is the loop):");
            await new Trainer(net, sgd).FitAsync(simple.AsTorch(), null, epochs: 5, context.Out).ConfigureAwait(false);
        }

        string mnist = Path.Combine(context.DataDir, "fashion-mnist");
        using var train = new MnistIter(new MnistIterOptions { Image = Path.Combine(mnist, "train-images-idx3-ubyte.gz"), Label = Path.Combine(mnist, "train-labels-idx1-ubyte.gz"), BatchSize = 50, Flat = true, Seed = 1 });
        using var test = new MnistIter(new MnistIterOptions { Image = Path.Combine(mnist, "t10k-images-idx3-ubyte.gz"), Label = Path.Combine(mnist, "t10k-labels-idx1-ubyte.gz"), BatchSize = 100, Flat = true, Shuffle = false });
        using var fashion = Networks.Mlp(784);
        using var optimizer = torch.optim.SGD(fashion.parameters(), 0.05, momentum: 0.9);

        // Large steps first, then settle (a step-decayed learning rate, as the tour's hand-written trainer does).
        var schedule = torch.optim.lr_scheduler.StepLR(optimizer, step_size: 4, gamma: 0.2);
        context.Out.WriteLine("Fashion-MNIST (8,000 training and 2,000 validation images) through MnistIter:");
        double accuracy = await new Trainer(fashion, optimizer).FitAsync(train.AsTorch(), test.AsTorch(), epochs: 10, context.Out, "Fashion-MNIST ", schedule).ConfigureAwait(false);
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Fashion-MNIST validation accuracy: {accuracy:P1}"));
        context.Results["torch.fashion_accuracy"] = accuracy;
        return accuracy;
    }
}
