using System.Diagnostics;
using System.Globalization;
using Pipeline.Core;
using Pipeline.Stages.Iterators;

namespace Pipeline.Samples.Steps;

/// <summary>The tutorial's training section: the MLP on the custom iterator, then on the shipped Fashion-MNIST subset through MnistIter.</summary>
internal sealed class TrainStep : ITourStep
{
    public string Name => "train";

    public string Summary => "Training consumes iterators: an MLP (64 ReLU -> 10 softmax) on SimpleIter, then on Fashion-MNIST via MnistIter.";

    public void Run(TourContext context)
    {
        var random = new Random(2);
        using var simple = new SimpleIter(
            "data", [30, 100], shape => [.. Enumerable.Range(0, shape[0] * shape[1]).Select(_ => (float)((random.NextDouble() * 2) - 1))],
            "softmax_label", [30], shape => [.. Enumerable.Range(0, shape[0]).Select(_ => (float)random.Next(0, 10))]);
        var net = new Mlp(100, 64, 10, seed: 1);
        for (int epoch = 0; epoch < 5; epoch++)
        {
            var watch = Stopwatch.StartNew();
            (int correct, int seen) = TrainEpoch(net, simple, 0.1f);
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Epoch[{epoch}] Train-accuracy={(double)correct / seen:F6}"));
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Epoch[{epoch}] Time cost={watch.Elapsed.TotalSeconds:F3}"));
        }

        string mnist = Path.Combine(context.DataDir, "fashion-mnist");
        using var train = new MnistIter(new MnistIterOptions { Image = Path.Combine(mnist, "train-images-idx3-ubyte.gz"), Label = Path.Combine(mnist, "train-labels-idx1-ubyte.gz"), BatchSize = 50, Flat = true, Seed = 1 });
        using var test = new MnistIter(new MnistIterOptions { Image = Path.Combine(mnist, "t10k-images-idx3-ubyte.gz"), Label = Path.Combine(mnist, "t10k-labels-idx1-ubyte.gz"), BatchSize = 100, Flat = true, Shuffle = false });
        var fashion = new Mlp(784, 64, 10, seed: 1);
        double accuracy = 0;
        for (int epoch = 0; epoch < 10; epoch++)
        {
            var watch = Stopwatch.StartNew();

            // A step-decayed learning rate: large steps first, then settle.
            (int correct, int seen) = TrainEpoch(fashion, train, epoch < 5 ? 0.1f : 0.03f);
            accuracy = Evaluate(fashion, test);
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Fashion-MNIST Epoch[{epoch}] Train-accuracy={(double)correct / seen:F4} Validation-accuracy={accuracy:F4} Time cost={watch.Elapsed.TotalSeconds:F2}"));
        }

        context.Results["train.fashion_accuracy"] = accuracy;
    }

    private static (int Correct, int Seen) TrainEpoch(Mlp net, DataIter iter, float learningRate)
    {
        iter.Reset();
        int correct = 0, seen = 0;
        while (iter.Next() is { } batch)
        {
            using (batch)
            {
                correct += net.Train(batch, learningRate);
                seen += batch.Data[0].GetLength(0) - batch.Pad;
            }
        }

        return (correct, seen);
    }

    private static double Evaluate(Mlp net, DataIter iter)
    {
        iter.Reset();
        int correct = 0, seen = 0;
        while (iter.Next() is { } batch)
        {
            using (batch)
            {
                correct += net.Evaluate(batch);
                seen += batch.Data[0].GetLength(0) - batch.Pad;
            }
        }

        return (double)correct / seen;
    }
}
