using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Numerics.Tensors;

namespace Pipeline.Stages.Imaging.Internal;

/// <summary>OpenCV-compatible resize of interleaved (HWC) images on spans: separable, vectorized vertical pass, pooled buffers.</summary>
internal static class Resampler
{

    /// <summary>Resizes <paramref name="source"/> (sh x sw x channels) into <paramref name="destination"/> (dh x dw x channels).</summary>
    public static void Resize<TIn, TOut>(ReadOnlySpan<TIn> source, int sw, int sh, int channels, Span<TOut> destination, int dw, int dh, Interpolation interp)
        where TIn : unmanaged, INumberBase<TIn>
        where TOut : unmanaged, INumberBase<TOut> =>
        Resize(source, sw, sh, channels, destination, dw, dh, interp, new ImageRect(0, 0, dw, dh));

    /// <summary>Computes only a window of the resize to (dw x dh): the same pixels as resizing and then cropping, for a fraction of the work.</summary>
    public static void Resize<TIn, TOut>(ReadOnlySpan<TIn> source, int sw, int sh, int channels, Span<TOut> destination, int dw, int dh, Interpolation interp, ImageRect window)
        where TIn : unmanaged, INumberBase<TIn>
        where TOut : unmanaged, INumberBase<TOut>
    {
        if (interp == Interpolation.Nearest)
        {
            Nearest(source, sw, sh, channels, destination, dw, dh, window);
            return;
        }

        // 8-bit bilinear, the pipeline's common case, in OpenCV's own fixed point: the same bytes as cv2.resize.
        if (interp == Interpolation.Bilinear && typeof(TIn) == typeof(byte) && typeof(TOut) == typeof(byte))
        {
            FixedPointBilinear.Resize(MemoryMarshal.Cast<TIn, byte>(source), sw, sh, channels, MemoryMarshal.Cast<TOut, byte>(destination), dw, dh, window);
            return;
        }

        bool areaShrink = interp == Interpolation.Area && sw >= dw && sh >= dh;
        using ResizeAxis xAxis = ResizeAxis.Create(sw, dw, interp, areaShrink, window.X, window.Width);
        using ResizeAxis yAxis = ResizeAxis.Create(sh, dh, interp, areaShrink, window.Y, window.Height);

        // Only the source columns the window's taps reach take part in the vertical pass.
        (int firstColumn, int lastColumn) = xAxis.SourceRange();
        xAxis.Shift(-firstColumn);
        int fullSourceRow = sw * channels;
        int columnOffset = firstColumn * channels;
        int sourceRow = (lastColumn - firstColumn + 1) * channels;
        int destinationRow = window.Width * channels;

        // Source rows converted to float once each, in a ring of taps + 1 rows: destination rows walk down the
        // source, so every row a destination row needs is still in the ring.
        int ringRows = yAxis.Taps + 1;
        float[] ring = ArrayPool<float>.Shared.Rent(ringRows * sourceRow);
        int[] ringIndex = ArrayPool<int>.Shared.Rent(ringRows);

        // One vector of a pixel's channels per tap (the accumulator has room for the last pixel's vector to read past the row).
        bool pixelVectors = typeof(TOut) == typeof(byte) && channels is 3 or 4 && Fma.IsSupported;
        float[] mixed = ArrayPool<float>.Shared.Rent(sourceRow + Vector128<float>.Count);
        float[]? staging = pixelVectors ? ArrayPool<float>.Shared.Rent(destinationRow + Vector128<float>.Count) : null;
        GatherPlan? gather = !pixelVectors && Avx2.IsSupported && typeof(TOut) == typeof(byte) ? GatherPlan.Rent(xAxis, channels, destinationRow) : null;
        try
        {
            ringIndex.AsSpan(0, ringRows).Fill(-1);
            Span<float> accumulator = mixed.AsSpan(0, sourceRow);
            ReadOnlySpan<int> rowIndices = yAxis.Indices;
            ReadOnlySpan<float> rowWeights = yAxis.Weights;
            for (int dy = 0; dy < window.Height; dy++)
            {
                // Vertical pass first, on whole rows: a weighted sum of the taps' source rows.
                if (typeof(TIn) == typeof(byte) && Avx2.IsSupported && yAxis.Taps <= MaxDirectTaps)
                {
                    VerticalFromBytes(
                        MemoryMarshal.Cast<TIn, byte>(source), fullSourceRow, columnOffset, rowIndices.Slice(dy * yAxis.Taps, yAxis.Taps), rowWeights.Slice(dy * yAxis.Taps, yAxis.Taps), accumulator);
                }
                else
                {
                    VerticalFromRing(source, fullSourceRow, columnOffset, ring, ringIndex, ringRows, rowIndices.Slice(dy * yAxis.Taps, yAxis.Taps), rowWeights.Slice(dy * yAxis.Taps, yAxis.Taps), accumulator);
                }

                Span<TOut> target = destination.Slice(dy * destinationRow, destinationRow);
                if (staging is not null)
                {
                    HorizontalPixelVectors(mixed, xAxis, channels, staging);
                    NarrowRounded(staging.AsSpan(0, destinationRow), MemoryMarshal.Cast<TOut, byte>(target));
                }
                else if (gather is not null)
                {
                    gather.Run(accumulator, MemoryMarshal.Cast<TOut, byte>(target));
                }
                else if (typeof(TOut) == typeof(byte) && channels == 3)
                {
                    HorizontalRgb(accumulator, xAxis, MemoryMarshal.Cast<TOut, byte>(target));
                }
                else
                {
                    Horizontal(accumulator, channels, xAxis, target);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(ring);
            ArrayPool<int>.Shared.Return(ringIndex);
            ArrayPool<float>.Shared.Return(mixed);
            if (staging is not null) ArrayPool<float>.Shared.Return(staging);
            gather?.Return();
        }
    }

    /// <summary>The most taps <see cref="VerticalFromBytes"/> takes (bilinear 2, bicubic 4, Lanczos 8, area shrinks by up to 15x).</summary>
    private const int MaxDirectTaps = 16;

    /// <summary>One destination row's vertical pass straight from byte rows: widen, weigh and sum in one pass, with the same roundings as <see cref="VerticalFromRing{TIn}"/> (a product, then each further product added to the sum).</summary>
    private static unsafe void VerticalFromBytes(ReadOnlySpan<byte> source, int fullSourceRow, int columnOffset, ReadOnlySpan<int> rows, ReadOnlySpan<float> weights, Span<float> accumulator)
    {
        // The taps that count: zero weights add nothing (every product of a byte and 0 is 0), except that a row of all-zero
        // weights still takes its last tap, as the ring path does.
        Span<int> offsets = stackalloc int[MaxDirectTaps];
        Span<float> factors = stackalloc float[MaxDirectTaps];
        int count = 0;
        for (int k = 0; k < rows.Length; k++)
        {
            if (weights[k] == 0 && !(count == 0 && k == rows.Length - 1)) continue;
            offsets[count] = (rows[k] * fullSourceRow) + columnOffset;
            factors[count++] = weights[k];
        }

        int length = accumulator.Length;
        fixed (byte* start = source)
        fixed (float* target = accumulator)
        {
            int i = 0;
            if (Avx512F.IsSupported)
            {
                for (; i + Vector512<float>.Count <= length; i += Vector512<float>.Count)
                {
                    Vector512<float> sum = Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Sse2.LoadVector128(start + offsets[0] + i))) * Vector512.Create(factors[0]);
                    for (int k = 1; k < count; k++)
                    {
                        sum = (Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Sse2.LoadVector128(start + offsets[k] + i))) * Vector512.Create(factors[k])) + sum;
                    }

                    Avx512F.Store(target + i, sum);
                }
            }

            for (; i + Vector256<float>.Count <= length; i += Vector256<float>.Count)
            {
                Vector256<float> sum = Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(start + offsets[0] + i)) * Vector256.Create(factors[0]);
                for (int k = 1; k < count; k++)
                {
                    sum = (Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(start + offsets[k] + i)) * Vector256.Create(factors[k])) + sum;
                }

                Avx.Store(target + i, sum);
            }

            for (; i < length; i++)
            {
                float sum = start[offsets[0] + i] * factors[0];
                for (int k = 1; k < count; k++) sum = (start[offsets[k] + i] * factors[k]) + sum;
                target[i] = sum;
            }
        }
    }

    /// <summary>One destination row's vertical pass over source rows converted to float once each, kept in a ring of taps + 1 rows (destination rows walk down the source, so every row a destination row needs is still there).</summary>
    private static void VerticalFromRing<TIn>(ReadOnlySpan<TIn> source, int fullSourceRow, int columnOffset, float[] ring, int[] ringIndex, int ringRows, ReadOnlySpan<int> rows, ReadOnlySpan<float> weights, Span<float> accumulator)
        where TIn : unmanaged, INumberBase<TIn>
    {
        int sourceRow = accumulator.Length;
        bool first = true;
        for (int k = 0; k < rows.Length; k++)
        {
            float weight = weights[k];
            if (weight == 0 && !(first && k == rows.Length - 1)) continue;
            int sy = rows[k];
            int slot = sy % ringRows;
            Span<float> converted = ring.AsSpan(slot * sourceRow, sourceRow);
            if (ringIndex[slot] != sy)
            {
                ConvertRow(source.Slice((sy * fullSourceRow) + columnOffset, sourceRow), converted);
                ringIndex[slot] = sy;
            }

            if (first)
            {
                TensorPrimitives.Multiply(converted, weight, accumulator);
                first = false;
            }
            else
            {
                TensorPrimitives.MultiplyAdd(converted, weight, accumulator, accumulator);
            }
        }
    }

    private static void ConvertRow<TIn>(ReadOnlySpan<TIn> row, Span<float> destination)
        where TIn : unmanaged, INumberBase<TIn>
    {
        if (typeof(TIn) == typeof(float))
        {
            MemoryMarshal.Cast<TIn, float>(row).CopyTo(destination);
        }
        else if (typeof(TIn) == typeof(byte))
        {
            BytesToFloats(MemoryMarshal.Cast<TIn, byte>(row), destination);
        }
        else
        {
            TensorPrimitives.ConvertChecked(row, destination);
        }
    }

    /// <summary>Widens bytes to floats, 32 at a time where AVX2 is there.</summary>
    internal static void BytesToFloats(ReadOnlySpan<byte> source, Span<float> destination)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref byte src = ref MemoryMarshal.GetReference(source);
            ref float dst = ref MemoryMarshal.GetReference(destination);
            for (; i + 32 <= source.Length; i += 32)
            {
                Vector256<byte> bytes = Vector256.LoadUnsafe(ref src, (nuint)i);
                (Vector256<ushort> low, Vector256<ushort> high) = Vector256.Widen(bytes);
                (Vector256<uint> a, Vector256<uint> b) = Vector256.Widen(low);
                (Vector256<uint> c, Vector256<uint> d) = Vector256.Widen(high);
                Vector256.ConvertToSingle(a.AsInt32()).StoreUnsafe(ref dst, (nuint)i);
                Vector256.ConvertToSingle(b.AsInt32()).StoreUnsafe(ref dst, (nuint)(i + 8));
                Vector256.ConvertToSingle(c.AsInt32()).StoreUnsafe(ref dst, (nuint)(i + 16));
                Vector256.ConvertToSingle(d.AsInt32()).StoreUnsafe(ref dst, (nuint)(i + 24));
            }
        }

        for (; i < source.Length; i++) destination[i] = source[i];
    }

    /// <summary>The horizontal pass for 3- and 4-channel pixels as one vector per tap: a pixel's channels are contiguous, so no gather is needed.</summary>
    /// <remarks>
    /// Sums taps in order with fused multiply-adds from zero, as the gather path does, so both give the same floats. Each pixel
    /// stores a whole vector at <c>dx * channels</c>; with 3 channels the fourth lane is overwritten by the next pixel
    /// (<paramref name="destination"/> and <paramref name="row"/> have one vector of room past their ends).
    /// </remarks>
    private static unsafe void HorizontalPixelVectors(float[] row, ResizeAxis axis, int channels, float[] destination)
    {
        int taps = axis.Taps;
        int count = axis.Count;
        fixed (float* src = row)
        fixed (int* idx = axis.Indices)
        fixed (float* wts = axis.Weights)
        fixed (float* dst = destination)
        {
            if (taps == 2)
            {
                for (int dx = 0; dx < count; dx++)
                {
                    Vector128<float> sum = Vector128.Load(src + (idx[2 * dx] * channels)) * Vector128.Create(wts[2 * dx]);
                    sum = Fma.MultiplyAdd(Vector128.Load(src + (idx[(2 * dx) + 1] * channels)), Vector128.Create(wts[(2 * dx) + 1]), sum);
                    sum.Store(dst + (dx * channels));
                }

                return;
            }

            for (int dx = 0; dx < count; dx++)
            {
                Vector128<float> sum = Vector128<float>.Zero;
                int t = dx * taps;
                for (int k = 0; k < taps; k++)
                {
                    sum = Fma.MultiplyAdd(Vector128.Load(src + (idx[t + k] * channels)), Vector128.Create(wts[t + k]), sum);
                }

                sum.Store(dst + (dx * channels));
            }
        }
    }

    /// <summary>Rounds to nearest (ties to even, the default MXCSR mode, as <c>saturate_cast</c>) and saturates to bytes.</summary>
    internal static void NarrowRounded(ReadOnlySpan<float> values, Span<byte> destination)
    {
        int i = 0;
        if (Avx.IsSupported)
        {
            ref float source = ref MemoryMarshal.GetReference(values);
            ref byte target = ref MemoryMarshal.GetReference(destination);
            Vector256<int> zero = Vector256<int>.Zero;
            Vector256<int> max = Vector256.Create(255);
            for (; i + 32 <= values.Length; i += 32)
            {
                Vector256<int> a = Vector256.Min(Vector256.Max(Avx.ConvertToVector256Int32(Vector256.LoadUnsafe(ref source, (nuint)i)), zero), max);
                Vector256<int> b = Vector256.Min(Vector256.Max(Avx.ConvertToVector256Int32(Vector256.LoadUnsafe(ref source, (nuint)(i + 8))), zero), max);
                Vector256<int> c = Vector256.Min(Vector256.Max(Avx.ConvertToVector256Int32(Vector256.LoadUnsafe(ref source, (nuint)(i + 16))), zero), max);
                Vector256<int> d = Vector256.Min(Vector256.Max(Avx.ConvertToVector256Int32(Vector256.LoadUnsafe(ref source, (nuint)(i + 24))), zero), max);
                Vector256<ushort> low = Vector256.Narrow(a.AsUInt32(), b.AsUInt32());
                Vector256<ushort> high = Vector256.Narrow(c.AsUInt32(), d.AsUInt32());
                Vector256.Narrow(low, high).StoreUnsafe(ref target, (nuint)i);
            }
        }

        for (; i < values.Length; i++) destination[i] = SaturateByte(values[i]);
    }

    /// <summary>The horizontal pass for 3-channel byte output, with the tap loop specialized for 2 and 4 taps.</summary>
    private static unsafe void HorizontalRgb(ReadOnlySpan<float> row, ResizeAxis axis, Span<byte> destination)
    {
        int taps = axis.Taps;
        if (taps == 2)
        {
            fixed (float* src = row)
            fixed (int* idx = axis.Indices)
            fixed (float* wts = axis.Weights)
            fixed (byte* dst = destination)
            {
                int count = destination.Length / 3;
                for (int dx = 0; dx < count; dx++)
                {
                    float* p0 = src + (idx[2 * dx] * 3);
                    float* p1 = src + (idx[(2 * dx) + 1] * 3);
                    float w0 = wts[2 * dx];
                    float w1 = wts[(2 * dx) + 1];
                    byte* o = dst + (dx * 3);
                    o[0] = SaturateByte((w0 * p0[0]) + (w1 * p1[0]));
                    o[1] = SaturateByte((w0 * p0[1]) + (w1 * p1[1]));
                    o[2] = SaturateByte((w0 * p0[2]) + (w1 * p1[2]));
                }
            }

            return;
        }

        ReadOnlySpan<int> indices = axis.Indices;
        ReadOnlySpan<float> weights = axis.Weights;
        int dw = destination.Length / 3;
        for (int dx = 0; dx < dw; dx++)
        {
            int t = dx * taps;
            float r, g, b;
            if (taps == 2)
            {
                int i0 = indices[t] * 3;
                int i1 = indices[t + 1] * 3;
                float w0 = weights[t];
                float w1 = weights[t + 1];
                r = (w0 * row[i0]) + (w1 * row[i1]);
                g = (w0 * row[i0 + 1]) + (w1 * row[i1 + 1]);
                b = (w0 * row[i0 + 2]) + (w1 * row[i1 + 2]);
            }
            else
            {
                r = g = b = 0;
                for (int k = 0; k < taps; k++)
                {
                    int i = indices[t + k] * 3;
                    float w = weights[t + k];
                    r += w * row[i];
                    g += w * row[i + 1];
                    b += w * row[i + 2];
                }
            }

            int o = dx * 3;
            destination[o] = SaturateByte(r);
            destination[o + 1] = SaturateByte(g);
            destination[o + 2] = SaturateByte(b);
        }
    }

    /// <summary>OpenCV's <c>saturate_cast&lt;uchar&gt;</c>: round to nearest (ties to even), clamp to 0-255.</summary>
    private static byte SaturateByte(float value)
    {
        float rounded = MathF.Round(value);
        return rounded <= 0 ? (byte)0 : rounded >= 255 ? (byte)255 : (byte)rounded;
    }

    private static void Horizontal<TOut>(ReadOnlySpan<float> row, int channels, ResizeAxis axis, Span<TOut> destination)
        where TOut : unmanaged, INumberBase<TOut>
    {
        int taps = axis.Taps;
        ReadOnlySpan<int> indices = axis.Indices;
        ReadOnlySpan<float> weights = axis.Weights;
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
        if (typeof(TOut) == typeof(byte)) return TOut.CreateTruncating(SaturateByte(value));

        return TOut.CreateTruncating(value);
    }

    private static void Nearest<TIn, TOut>(ReadOnlySpan<TIn> source, int sw, int sh, int channels, Span<TOut> destination, int dw, int dh, ImageRect window)
        where TIn : unmanaged, INumberBase<TIn>
        where TOut : unmanaged, INumberBase<TOut>
    {
        // OpenCV INTER_NEAREST: sx = floor(dx * src/dst), clamped.
        double scaleX = 1.0 / ((double)dw / sw);
        double scaleY = 1.0 / ((double)dh / sh);
        int[] xs = ArrayPool<int>.Shared.Rent(window.Width);
        try
        {
            for (int dx = 0; dx < window.Width; dx++) xs[dx] = Math.Min((int)Math.Floor((dx + window.X) * scaleX), sw - 1);
            for (int dy = 0; dy < window.Height; dy++)
            {
                int sy = Math.Min((int)Math.Floor((dy + window.Y) * scaleY), sh - 1);
                ReadOnlySpan<TIn> row = source.Slice(sy * sw * channels, sw * channels);
                Span<TOut> target = destination.Slice(dy * window.Width * channels, window.Width * channels);
                for (int dx = 0; dx < window.Width; dx++)
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
