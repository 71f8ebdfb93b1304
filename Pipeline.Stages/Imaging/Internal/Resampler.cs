using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace Pipeline.Stages.Imaging.Internal;

/// <summary>OpenCV-compatible resize of interleaved (HWC) images on spans: separable, vectorized vertical pass, pooled buffers.</summary>
internal static class Resampler
{
    /// <summary>Resizes <paramref name="source"/> (sh x sw x channels) into <paramref name="destination"/> (dh x dw x channels).</summary>
    public static void Resize<TIn, TOut>(ReadOnlySpan<TIn> source, int sw, int sh, int channels, Span<TOut> destination, int dw, int dh, int interp)
        where TIn : unmanaged, INumberBase<TIn>
        where TOut : unmanaged, INumberBase<TOut>
    {
        if (interp == 0)
        {
            Nearest(source, sw, sh, channels, destination, dw, dh);
            return;
        }

        bool areaShrink = interp == 3 && sw >= dw && sh >= dh;
        ResizeAxis xAxis = ResizeAxis.Create(sw, dw, interp, areaShrink);
        ResizeAxis yAxis = ResizeAxis.Create(sh, dh, interp, areaShrink);
        int sourceRow = sw * channels;
        int destinationRow = dw * channels;
        float[] floatRow = ArrayPool<float>.Shared.Rent(sourceRow);
        float[] mixed = ArrayPool<float>.Shared.Rent(sourceRow);
        try
        {
            Span<float> converted = floatRow.AsSpan(0, sourceRow);
            Span<float> accumulator = mixed.AsSpan(0, sourceRow);
            for (int dy = 0; dy < dh; dy++)
            {
                // Vertical pass first, on whole rows: a weighted sum of the taps' source rows.
                for (int k = 0; k < yAxis.Taps; k++)
                {
                    float weight = yAxis.Weights[(dy * yAxis.Taps) + k];
                    if (weight == 0 && k > 0) continue;
                    ReadOnlySpan<TIn> row = source.Slice(yAxis.Indices[(dy * yAxis.Taps) + k] * sourceRow, sourceRow);
                    TensorPrimitives.ConvertChecked(row, converted);
                    if (k == 0)
                    {
                        TensorPrimitives.Multiply(converted, weight, accumulator);
                    }
                    else
                    {
                        TensorPrimitives.MultiplyAdd(converted, weight, accumulator, accumulator);
                    }
                }

                Horizontal(accumulator, channels, xAxis, destination.Slice(dy * destinationRow, destinationRow));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(floatRow);
            ArrayPool<float>.Shared.Return(mixed);
        }
    }

    private static void Horizontal<TOut>(ReadOnlySpan<float> row, int channels, ResizeAxis axis, Span<TOut> destination)
        where TOut : unmanaged, INumberBase<TOut>
    {
        int taps = axis.Taps;
        int[] indices = axis.Indices;
        float[] weights = axis.Weights;
        int dw = destination.Length / channels;
        for (int dx = 0; dx < dw; dx++)
        {
            int baseTap = dx * taps;
            for (int c = 0; c < channels; c++)
            {
                float sum = 0;
                for (int k = 0; k < taps; k++)
                {
                    sum += weights[baseTap + k] * row[(indices[baseTap + k] * channels) + c];
                }

                destination[(dx * channels) + c] = Store<TOut>(sum);
            }
        }
    }

    private static TOut Store<TOut>(float value)
        where TOut : unmanaged, INumberBase<TOut>
    {
        if (typeof(TOut) == typeof(byte))
        {
            // saturate_cast<uchar>: round to nearest, ties to even, then clamp.
            float rounded = MathF.Round(value);
            byte b = rounded <= 0 ? (byte)0 : rounded >= 255 ? (byte)255 : (byte)rounded;
            return TOut.CreateTruncating(b);
        }

        return TOut.CreateTruncating(value);
    }

    private static void Nearest<TIn, TOut>(ReadOnlySpan<TIn> source, int sw, int sh, int channels, Span<TOut> destination, int dw, int dh)
        where TIn : unmanaged, INumberBase<TIn>
        where TOut : unmanaged, INumberBase<TOut>
    {
        // OpenCV INTER_NEAREST: sx = floor(dx * src/dst), clamped.
        double scaleX = 1.0 / ((double)dw / sw);
        double scaleY = 1.0 / ((double)dh / sh);
        int[] xs = ArrayPool<int>.Shared.Rent(dw);
        try
        {
            for (int dx = 0; dx < dw; dx++) xs[dx] = Math.Min((int)Math.Floor(dx * scaleX), sw - 1);
            for (int dy = 0; dy < dh; dy++)
            {
                int sy = Math.Min((int)Math.Floor(dy * scaleY), sh - 1);
                ReadOnlySpan<TIn> row = source.Slice(sy * sw * channels, sw * channels);
                Span<TOut> target = destination.Slice(dy * dw * channels, dw * channels);
                for (int dx = 0; dx < dw; dx++)
                {
                    for (int c = 0; c < channels; c++) target[(dx * channels) + c] = TOut.CreateTruncating(row[(xs[dx] * channels) + c]);
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(xs);
        }
    }
}
