using System.Buffers;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Pipeline.Stages.Imaging.Internal;

/// <summary>The horizontal resize pass as AVX2 gathers: for every output element (pixel x channel), the element index and weight of each tap.</summary>
internal sealed class GatherPlan
{
    private int[] _indices = [];
    private float[] _weights = [];
    private float[] _sums = [];
    private int _taps;
    private int _length;

    private GatherPlan()
    {
    }

    public static GatherPlan Rent(ResizeAxis axis, int channels, int destinationRow)
    {
        // Padded to a whole number of vectors; the extra lanes read element 0 with weight 0.
        int padded = (destinationRow + 7) & ~7;
        var plan = new GatherPlan
        {
            _taps = axis.Taps,
            _length = destinationRow,
            _indices = ArrayPool<int>.Shared.Rent(padded * axis.Taps),
            _weights = ArrayPool<float>.Shared.Rent(padded * axis.Taps),
            _sums = ArrayPool<float>.Shared.Rent(padded),
        };
        for (int k = 0; k < axis.Taps; k++)
        {
            Span<int> index = plan._indices.AsSpan(k * padded, padded);
            Span<float> weight = plan._weights.AsSpan(k * padded, padded);
            for (int e = 0; e < padded; e++)
            {
                if (e >= destinationRow)
                {
                    index[e] = 0;
                    weight[e] = 0;
                    continue;
                }

                int dx = e / channels;
                int c = e - (dx * channels);
                index[e] = (axis.Indices[(dx * axis.Taps) + k] * channels) + c;
                weight[e] = axis.Weights[(dx * axis.Taps) + k];
            }
        }

        return plan;
    }

    public unsafe void Run(ReadOnlySpan<float> row, Span<byte> destination)
    {
        int padded = (_length + 7) & ~7;
        fixed (float* source = row)
        fixed (int* indices = _indices)
        fixed (float* weights = _weights)
        fixed (float* sums = _sums)
        {
            for (int e = 0; e < padded; e += 8)
            {
                Vector256<float> sum = Vector256<float>.Zero;
                for (int k = 0; k < _taps; k++)
                {
                    Vector256<int> index = Avx.LoadVector256(indices + (k * padded) + e);
                    Vector256<float> values = Avx2.GatherVector256(source, index, 4);
                    Vector256<float> weight = Avx.LoadVector256(weights + (k * padded) + e);
                    sum = Fma.IsSupported ? Fma.MultiplyAdd(values, weight, sum) : Avx.Add(Avx.Multiply(values, weight), sum);
                }

                Avx.Store(sums + e, sum);
            }
        }

        Resampler.NarrowRounded(_sums.AsSpan(0, _length), destination);
    }

    public void Return()
    {
        ArrayPool<int>.Shared.Return(_indices);
        ArrayPool<float>.Shared.Return(_weights);
        ArrayPool<float>.Shared.Return(_sums);
    }
}
