using System.Buffers;

namespace Pipeline.Stages.Imaging.Internal;

/// <summary>For one axis of a resize, the source taps (clamped indices) and weights of a range of destination indices, by OpenCV's definitions.</summary>
/// <remarks>The tables live in arrays rented from the shared pool (a resize per image would otherwise leave kilobytes of garbage each): dispose the axis when the resize is done.</remarks>
internal sealed class ResizeAxis : IDisposable
{
    private int[] _indices;
    private float[] _weights;

    private ResizeAxis(int taps, int count)
    {
        Taps = taps;
        Count = count;
        _indices = ArrayPool<int>.Shared.Rent(Math.Max(1, count * taps));
        _weights = ArrayPool<float>.Shared.Rent(Math.Max(1, count * taps));
    }

    /// <summary>Gets the taps per destination index.</summary>
    public int Taps { get; }

    /// <summary>Gets the number of destination indices described.</summary>
    public int Count { get; }

    /// <summary>Gets the source index of tap k of destination d (relative to the range's start) at <c>d * Taps + k</c>, already clamped to the image (OpenCV's replicated border).</summary>
    public Span<int> Indices => _indices.AsSpan(0, Count * Taps);

    /// <summary>Gets the weight of tap k of destination d at <c>d * Taps + k</c>.</summary>
    public Span<float> Weights => _weights.AsSpan(0, Count * Taps);

    /// <summary>Gets the smallest and largest source index any tap reads.</summary>
    public (int First, int Last) SourceRange()
    {
        int first = int.MaxValue, last = 0;
        foreach (int index in Indices)
        {
            first = Math.Min(first, index);
            last = Math.Max(last, index);
        }

        return (first, last);
    }

    /// <summary>Moves every tap's source index by <paramref name="delta"/> (for working on a column range of the source).</summary>
    public void Shift(int delta)
    {
        if (delta == 0) return;
        foreach (ref int index in Indices) index += delta;
    }

    /// <summary>Returns the tables to the pool.</summary>
    public void Dispose()
    {
        if (_indices.Length == 0) return;
        ArrayPool<int>.Shared.Return(_indices);
        ArrayPool<float>.Shared.Return(_weights);
        _indices = [];
        _weights = [];
    }

    /// <summary>Builds the taps of an axis as <c>cv::resize</c> does for bilinear, bicubic, area and Lanczos-4 (nearest is handled apart).</summary>
    /// <param name="source">The source length.</param>
    /// <param name="destination">The destination length.</param>
    /// <param name="interp">The interpolation (not nearest).</param>
    /// <param name="areaShrinkBothAxes">Whether area interpolation shrinks both axes (OpenCV's true area mode).</param>
    /// <param name="start">The first destination index to describe.</param>
    /// <param name="count">How many destination indices to describe.</param>
    /// <returns>The taps of destinations [start, start + count).</returns>
    public static ResizeAxis Create(int source, int destination, Interpolation interp, bool areaShrinkBothAxes, int start, int count)
    {
        // OpenCV: inv_scale = dst/src; scale = 1/inv_scale (both double), coordinates in float.
        double inverseScale = (double)destination / source;
        double scale = 1.0 / inverseScale;
        if (interp == Interpolation.Area && areaShrinkBothAxes) return CreateArea(source, destination, scale, start, count);

        int taps = interp switch { Interpolation.Bicubic => 4, Interpolation.Lanczos4 => 8, _ => 2 };
        var axis = new ResizeAxis(taps, count);
        Span<int> indices = axis.Indices;
        Span<float> weights = axis.Weights;
        Span<float> coefficients = stackalloc float[8];
        for (int d = start; d < start + count; d++)
        {
            int sx;
            float fx;
            if (interp == Interpolation.Area)
            {
                // INTER_AREA while enlarging: OpenCV's "area mode" coefficients for a linear kernel.
                sx = (int)Math.Floor(d * scale);
                fx = (float)((d + 1) - ((sx + 1) * inverseScale));
                fx = fx <= 0 ? 0f : fx - MathF.Floor(fx);
            }
            else
            {
                fx = (float)(((d + 0.5) * scale) - 0.5);
                sx = (int)MathF.Floor(fx);
                fx -= sx;
            }

            if (interp is Interpolation.Bilinear or Interpolation.Area)
            {
                if (sx < 0)
                {
                    fx = 0;
                    sx = 0;
                }

                if (sx >= source - 1)
                {
                    fx = 0;
                    sx = source - 1;
                }

                coefficients[0] = 1f - fx;
                coefficients[1] = fx;
            }
            else if (interp == Interpolation.Bicubic)
            {
                Cubic(fx, coefficients);
            }
            else
            {
                Lanczos4(fx, coefficients);
            }

            int first = sx - (taps / 2) + 1;
            int at = (d - start) * taps;
            for (int k = 0; k < taps; k++)
            {
                indices[at + k] = Math.Clamp(first + k, 0, source - 1);
                weights[at + k] = coefficients[k];
            }
        }

        return axis;
    }

    /// <summary>OpenCV's <c>interpolateCubic</c> (Keys, a = -0.75).</summary>
    internal static void Cubic(float x, Span<float> coefficients)
    {
        const float A = -0.75f;
        coefficients[0] = ((((A * (x + 1)) - (5 * A)) * (x + 1)) + (8 * A)) * (x + 1) - (4 * A);
        coefficients[1] = ((((A + 2) * x) - (A + 3)) * x * x) + 1;
        coefficients[2] = ((((A + 2) * (1 - x)) - (A + 3)) * (1 - x) * (1 - x)) + 1;
        coefficients[3] = 1f - coefficients[0] - coefficients[1] - coefficients[2];
    }

    /// <summary>OpenCV's <c>interpolateLanczos4</c>: an 8-tap windowed sinc normalized to sum 1.</summary>
    internal static void Lanczos4(float x, Span<float> coefficients)
    {
        const double S45 = 0.70710678118654752440084436210485;
        ReadOnlySpan<double> cs0 = [1, -S45, 0, S45, -1, S45, 0, -S45];
        ReadOnlySpan<double> cs1 = [0, -S45, 1, -S45, 0, S45, -1, S45];
        if (x < float.Epsilon)
        {
            coefficients[..8].Clear();
            coefficients[3] = 1;
            return;
        }

        float sum = 0;
        double y0 = -(x + 3) * Math.PI * 0.25;
        double s0 = Math.Sin(y0);
        double c0 = Math.Cos(y0);
        for (int i = 0; i < 8; i++)
        {
            double y = -(x + 3 - i) * Math.PI * 0.25;
            coefficients[i] = (float)(((cs0[i] * s0) + (cs1[i] * c0)) / (y * y));
            sum += coefficients[i];
        }

        sum = 1f / sum;
        for (int i = 0; i < 8; i++) coefficients[i] *= sum;
    }

    /// <summary>OpenCV's <c>computeResizeAreaTab</c>: each destination pixel averages the exact source area it covers.</summary>
    private static ResizeAxis CreateArea(int source, int destination, double scale, int start, int count)
    {
        var perDestination = new List<(int Index, float Weight)>[destination];
        int taps = 1;
        for (int d = 0; d < destination; d++)
        {
            var list = new List<(int, float)>();
            double fsx1 = d * scale;
            double fsx2 = fsx1 + scale;
            double cellWidth = Math.Min(scale, source - fsx1);
            int sx1 = (int)Math.Ceiling(fsx1);
            int sx2 = (int)Math.Floor(fsx2);
            sx2 = Math.Min(sx2, source - 1);
            sx1 = Math.Min(sx1, sx2);
            if (sx1 - fsx1 > 1e-3) list.Add((sx1 - 1, (float)((sx1 - fsx1) / cellWidth)));
            for (int sx = sx1; sx < sx2; sx++) list.Add((sx, (float)(1.0 / cellWidth)));
            if (fsx2 - sx2 > 1e-3) list.Add((sx2, (float)(Math.Min(Math.Min(fsx2 - sx2, 1.0), cellWidth) / cellWidth)));
            perDestination[d] = list;
            taps = Math.Max(taps, list.Count);
        }

        var axis = new ResizeAxis(taps, count);
        Span<int> indices = axis.Indices;
        Span<float> weights = axis.Weights;
        for (int d = start; d < start + count; d++)
        {
            List<(int Index, float Weight)> list = perDestination[d];
            int at = (d - start) * taps;
            for (int k = 0; k < taps; k++)
            {
                // Unused taps point at a real pixel with weight 0 so the inner loops need no bounds test.
                (int index, float weight) = k < list.Count ? list[k] : (list[0].Index, 0f);
                indices[at + k] = Math.Clamp(index, 0, source - 1);
                weights[at + k] = weight;
            }
        }

        return axis;
    }
}
