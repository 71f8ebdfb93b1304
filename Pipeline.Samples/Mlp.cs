using System.Numerics.Tensors;
using Pipeline.Core;

namespace Pipeline.Samples;

/// <summary>The tutorial's network: fully connected 64 ReLU, then 10-way softmax, trained with plain SGD. A small, clear trainer for the samples, not a framework.</summary>
internal sealed class Mlp
{
    private readonly int _inputs;
    private readonly int _hidden;
    private readonly int _classes;
    private readonly float[] _w1;
    private readonly float[] _b1;
    private readonly float[] _w2;
    private readonly float[] _b2;

    public Mlp(int inputs, int hidden, int classes, int seed)
    {
        (_inputs, _hidden, _classes) = (inputs, hidden, classes);
        var random = new SeededRandom(seed);
        _w1 = Init(hidden * inputs, inputs, random);
        _b1 = new float[hidden];
        _w2 = Init(classes * hidden, hidden, random);
        _b2 = new float[classes];
    }

    /// <summary>One SGD step on a batch; returns how many of the batch's real (non-pad) examples were classified right before the step.</summary>
    public int Train(DataBatch batch, float learningRate)
    {
        ReadOnlySpan<float> x = batch.Data[0].AsSpan<float>();
        ReadOnlySpan<float> y = batch.Label[0].AsSpan<float>();
        int count = batch.Data[0].GetLength(0) - batch.Pad;
        var gw1 = new float[_w1.Length];
        var gb1 = new float[_b1.Length];
        var gw2 = new float[_w2.Length];
        var gb2 = new float[_b2.Length];
        Span<float> hidden = stackalloc float[_hidden];
        Span<float> probabilities = stackalloc float[_classes];
        Span<float> dHidden = stackalloc float[_hidden];
        int correct = 0;
        for (int n = 0; n < count; n++)
        {
            ReadOnlySpan<float> input = x.Slice(n * _inputs, _inputs);
            int label = (int)y[n];
            Forward(input, hidden, probabilities);
            if (TensorPrimitives.IndexOfMax(probabilities) == label) correct++;

            // Softmax + cross-entropy: d(logits) = p - onehot.
            probabilities[label] -= 1;
            dHidden.Clear();
            for (int k = 0; k < _classes; k++)
            {
                float d = probabilities[k];
                gb2[k] += d;
                TensorPrimitives.MultiplyAdd(hidden, d, gw2.AsSpan(k * _hidden, _hidden), gw2.AsSpan(k * _hidden, _hidden));
                TensorPrimitives.MultiplyAdd(_w2.AsSpan(k * _hidden, _hidden), d, dHidden, dHidden);
            }

            for (int j = 0; j < _hidden; j++)
            {
                if (hidden[j] <= 0) continue;
                gb1[j] += dHidden[j];
                TensorPrimitives.MultiplyAdd(input, dHidden[j], gw1.AsSpan(j * _inputs, _inputs), gw1.AsSpan(j * _inputs, _inputs));
            }
        }

        float step = -learningRate / Math.Max(1, count);
        TensorPrimitives.MultiplyAdd(gw1, step, _w1, _w1);
        TensorPrimitives.MultiplyAdd(gb1, step, _b1, _b1);
        TensorPrimitives.MultiplyAdd(gw2, step, _w2, _w2);
        TensorPrimitives.MultiplyAdd(gb2, step, _b2, _b2);
        return correct;
    }

    /// <summary>Counts the real examples of a batch the network classifies right.</summary>
    public int Evaluate(DataBatch batch)
    {
        ReadOnlySpan<float> x = batch.Data[0].AsSpan<float>();
        ReadOnlySpan<float> y = batch.Label[0].AsSpan<float>();
        Span<float> hidden = stackalloc float[_hidden];
        Span<float> probabilities = stackalloc float[_classes];
        int correct = 0;
        for (int n = 0; n < batch.Data[0].GetLength(0) - batch.Pad; n++)
        {
            Forward(x.Slice(n * _inputs, _inputs), hidden, probabilities);
            if (TensorPrimitives.IndexOfMax(probabilities) == (int)y[n]) correct++;
        }

        return correct;
    }

    private void Forward(ReadOnlySpan<float> input, Span<float> hidden, Span<float> probabilities)
    {
        for (int j = 0; j < _hidden; j++) hidden[j] = MathF.Max(0, TensorPrimitives.Dot(_w1.AsSpan(j * _inputs, _inputs), input) + _b1[j]);
        for (int k = 0; k < _classes; k++) probabilities[k] = TensorPrimitives.Dot(_w2.AsSpan(k * _hidden, _hidden), hidden) + _b2[k];
        TensorPrimitives.SoftMax(probabilities, probabilities);
    }

    private static float[] Init(int count, int fanIn, Random random)
    {
        // He-style uniform initialization keeps ReLU activations in range.
        float limit = MathF.Sqrt(6f / fanIn);
        var weights = new float[count];
        for (int i = 0; i < count; i++) weights[i] = (float)(((random.NextDouble() * 2) - 1) * limit);
        return weights;
    }
}
