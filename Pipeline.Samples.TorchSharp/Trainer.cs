using System.Diagnostics;
using System.Globalization;
using Pipeline.TorchSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Samples.TorchSharp;

/// <summary>What <c>mod.fit</c> does with an iterator: one pass of SGD steps per epoch, accuracy over the real (non-pad) examples.</summary>
internal sealed class Trainer(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer)
{
    /// <summary>Trains one epoch (the rest of the iterator's current epoch); returns the training accuracy.</summary>
    public async Task<double> TrainEpochAsync(TorchBatchIter batches, CancellationToken cancellationToken = default)
    {
        model.train();
        long correct = 0, seen = 0;
        await foreach (TorchBatch batch in batches.WithCancellation(cancellationToken))
        {
            using (batch)
            {
                correct += Step(batch);
                seen += batch.Count;
            }
        }

        return (double)correct / Math.Max(1, seen);
    }

    /// <summary>One SGD step on a batch; returns how many of its real examples were classified right.</summary>
    public long Step(TorchBatch batch)
    {
        var (data, label) = batch;
        return Step(data, label, batch.Count);
    }

    /// <summary>One SGD step; the first <paramref name="count"/> rows are real examples (the rest is pad: trained on, not counted).</summary>
    public long Step(Tensor data, Tensor label, int count)
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor target = label.to_type(ScalarType.Int64);
        optimizer.zero_grad();
        Tensor logits = model.forward(data);
        Tensor loss = nn.functional.cross_entropy(logits, target);
        loss.backward();
        optimizer.step();
        return Correct(logits, target, count);
    }

    /// <summary>Counts the real examples of the rest of the epoch the model classifies right.</summary>
    public async Task<double> EvaluateAsync(TorchBatchIter batches, CancellationToken cancellationToken = default)
    {
        model.eval();
        long correct = 0, seen = 0;
        await foreach (TorchBatch batch in batches.WithCancellation(cancellationToken))
        {
            // Grad mode and dispose scopes are per thread in libtorch: enter them only around code with no await inside.
            using (batch)
            using (no_grad())
            using (DisposeScope scope = NewDisposeScope())
            {
                var (data, label) = batch;
                correct += Correct(model.forward(data), label.to_type(ScalarType.Int64), batch.Count);
                seen += batch.Count;
            }
        }

        return (double)correct / Math.Max(1, seen);
    }

    /// <summary>Trains <paramref name="epochs"/> epochs, printing MXNet's lines; returns the last validation accuracy (or NaN without one).</summary>
    public async Task<double> FitAsync(TorchBatchIter train, TorchBatchIter? validation, int epochs, TextWriter output, string prefix = "", optim.lr_scheduler.LRScheduler? schedule = null)
    {
        double accuracy = double.NaN;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            var watch = Stopwatch.StartNew();
            train.Reset();
            double trainAccuracy = await TrainEpochAsync(train).ConfigureAwait(false);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{prefix}Epoch[{epoch}] Train-accuracy={trainAccuracy:F6}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{prefix}Epoch[{epoch}] Time cost={watch.Elapsed.TotalSeconds:F3}"));
            schedule?.step();
            if (validation is null) continue;
            validation.Reset();
            accuracy = await EvaluateAsync(validation).ConfigureAwait(false);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{prefix}Epoch[{epoch}] Validation-accuracy={accuracy:F6}"));
        }

        return accuracy;
    }

    private static long Correct(Tensor logits, Tensor target, int count)
    {
        using Tensor predicted = logits.narrow(0, 0, count).argmax(1);
        using Tensor real = target.narrow(0, 0, count);
        using Tensor equal = predicted.eq(real);
        using Tensor sum = equal.sum();
        return sum.item<long>();
    }
}
