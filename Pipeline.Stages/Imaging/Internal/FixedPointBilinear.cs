using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Pipeline.Stages.Imaging.Internal;

/// <summary>
/// OpenCV's <c>INTER_LINEAR</c> for 8-bit images, bit for bit: weights in 11-bit fixed point, a horizontal pass into
/// integer rows, then the vertical pass OpenCV 4's vector code does.
/// </summary>
/// <remarks>
/// <para>
/// OpenCV (<c>resizeGeneric_</c> with <c>HResizeLinear</c> and <c>VResizeLinear</c>) rounds each weight to
/// <c>w * 2048</c>, sums a row's two taps exactly in integers, and for the vertical pass shifts each row sum right by 4,
/// multiplies by the 16-bit row weight keeping the high half (<c>mulhi</c>), adds the two rows and rounds with
/// <c>(v + 2) &gt;&gt; 2</c>. The row sums are kept here already shifted, as 16-bit values. Checked against
/// <c>cv2.resize</c> of OpenCV 4.6 on random images of 1, 3 and 4 channels and every row-length remainder (the tests'
/// reference vectors): OpenCV 4 uses that vector formula for every element of the row; OpenCV 3.4 finishes the last
/// one to three values of a row with a scalar formula that can differ by one level.
/// </para>
/// <para>
/// The horizontal pass works in groups of output values whose taps fall in one window of source bytes: a byte permute
/// puts each value's two taps side by side as 16-bit lanes and one multiply-add-adjacent applies both weights. The
/// tables depend only on the columns, so they are built once per resize and serve every row.
/// </para>
/// </remarks>
internal static class FixedPointBilinear
{
    private const int CoefficientScale = 2048;

    /// <summary>Resizes <paramref name="source"/> (sh x sw x channels) to (dh x dw x channels), writing only <paramref name="window"/> of the result into <paramref name="destination"/>.</summary>
    /// <param name="source">The source pixels, interleaved.</param>
    /// <param name="sw">The source width.</param>
    /// <param name="sh">The source height.</param>
    /// <param name="channels">The channels per pixel.</param>
    /// <param name="destination">Receives the window's pixels (window height x window width x channels).</param>
    /// <param name="dw">The width of the whole resized image.</param>
    /// <param name="dh">The height of the whole resized image.</param>
    /// <param name="window">The part of the resized image to compute.</param>
    /// <param name="code">The instructions to use, for the tests (they compare every kind): the best the machine has by default.</param>
    public static void Resize(ReadOnlySpan<byte> source, int sw, int sh, int channels, Span<byte> destination, int dw, int dh, ImageRect window, GroupKind? code = null)
    {
        // OpenCV resizes by exactly one half with INTER_AREA's fast path. For 1, 3 and 4 channels its vector code rounds
        // (sum + 2) >> 2, which the fixed-point steps below also give; other channel counts take its scalar code.
        if (sw == 2 * dw && sh == 2 * dh && channels is not (1 or 3 or 4))
        {
            HalveRoundingToEven(source, sw, channels, destination, window);
            return;
        }

        GroupKind kind = code ?? HorizontalKind();
        int rowValues = window.Width * channels;
        ColumnTaps columns = ColumnTaps.Rent(sw, dw, channels, window, kind);
        short[] rowA = ArrayPool<short>.Shared.Rent(rowValues + RowPadding);
        short[] rowB = ArrayPool<short>.Shared.Rent(rowValues + RowPadding);
        try
        {
            double scaleY = 1.0 / ((double)dh / sh);
            int fullSourceRow = sw * channels;
            int rowInA = -1, rowInB = -1;
            for (int dy = 0; dy < window.Height; dy++)
            {
                float fy = (float)(((dy + window.Y + 0.5) * scaleY) - 0.5);
                int sy = (int)MathF.Floor(fy);
                fy -= sy;

                // Unlike columns, OpenCV keeps the fraction at the top and bottom edges and clamps the rows instead.
                short beta0 = Coefficient(1f - fy);
                short beta1 = Coefficient(fy);
                int row0 = Math.Clamp(sy, 0, sh - 1);
                int row1 = Math.Clamp(sy + 1, 0, sh - 1);

                // Rows walk down the source: keep the last two horizontal results and compute only rows not among them.
                short[] first = RowFor(row0, row1, columns, source, fullSourceRow, ref rowA, ref rowInA, ref rowB, ref rowInB);
                short[] second = row1 == row0 ? first : RowFor(row1, row0, columns, source, fullSourceRow, ref rowA, ref rowInA, ref rowB, ref rowInB);
                Vertical(first, second, beta0, beta1, destination.Slice(dy * rowValues, rowValues), kind);
            }
        }
        finally
        {
            columns.Return();
            ArrayPool<short>.Shared.Return(rowA);
            ArrayPool<short>.Shared.Return(rowB);
        }
    }

    /// <summary>OpenCV's scalar <c>INTER_AREA</c> halving: each value is the sum of its 2x2 block times 0.25, rounded to nearest, ties to even.</summary>
    private static void HalveRoundingToEven(ReadOnlySpan<byte> source, int sw, int channels, Span<byte> destination, ImageRect window)
    {
        int sourceRow = sw * channels;
        int at = 0;
        for (int y = window.Y; y < window.Y + window.Height; y++)
        {
            ReadOnlySpan<byte> top = source.Slice(2 * y * sourceRow, sourceRow);
            ReadOnlySpan<byte> bottom = source.Slice(((2 * y) + 1) * sourceRow, sourceRow);
            for (int x = window.X; x < window.X + window.Width; x++)
            {
                for (int c = 0; c < channels; c++)
                {
                    int left = (2 * x * channels) + c;
                    int sum = top[left] + top[left + channels] + bottom[left] + bottom[left + channels];
                    destination[at++] = (byte)MathF.Round(sum * 0.25f);
                }
            }
        }
    }

    /// <summary>The buffer holding source row <paramref name="wanted"/>'s horizontal pass, computing it into the buffer that does not hold <paramref name="keep"/> if neither has it.</summary>
    private static short[] RowFor(int wanted, int keep, ColumnTaps columns, ReadOnlySpan<byte> source, int fullSourceRow, ref short[] a, ref int inA, ref short[] b, ref int inB)
    {
        if (inA == wanted) return a;
        if (inB == wanted) return b;
        if (inA == keep)
        {
            columns.Horizontal(source, wanted * fullSourceRow, b);
            inB = wanted;
            return b;
        }

        columns.Horizontal(source, wanted * fullSourceRow, a);
        inA = wanted;
        return a;
    }

    /// <summary>Room past a row's end for the last group's whole-vector store.</summary>
    internal const int RowPadding = 32;

    /// <summary>OpenCV's <c>saturate_cast&lt;short&gt;(w * INTER_RESIZE_COEF_SCALE)</c>: rounded to nearest, ties to even.</summary>
    internal static short Coefficient(float weight) => (short)Math.Clamp(MathF.Round(weight * CoefficientScale), short.MinValue, short.MaxValue);

    /// <summary>OpenCV 4's vertical step for one value: both row sums (already shifted right by 4) times their weights' high halves, rounded by (v + 2) &gt;&gt; 2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static byte VerticalValue(short top, short bottom, short beta0, short beta1)
    {
        int sum = SaturateShort(((top * beta0) >> 16) + ((bottom * beta1) >> 16));
        int rounded = SaturateShort(sum + 2) >> 2;
        return (byte)Math.Clamp(rounded, 0, 255);
    }

    private static int SaturateShort(int value) => Math.Clamp(value, short.MinValue, short.MaxValue);

    private static GroupKind HorizontalKind() =>
        Avx512Vbmi.IsSupported ? GroupKind.Vbmi64 : Ssse3.IsSupported ? GroupKind.Ssse3x16 : GroupKind.Scalar;

    private static unsafe void Vertical(short[] top, short[] bottom, short beta0, short beta1, Span<byte> destination, GroupKind kind)
    {
        int length = destination.Length;
        int i = 0;
        fixed (short* s0 = top)
        fixed (short* s1 = bottom)
        fixed (byte* dst = destination)
        {
            if (kind == GroupKind.Vbmi64 && Avx512BW.IsSupported)
            {
                Vector512<short> b0 = Vector512.Create(beta0), b1 = Vector512.Create(beta1), two = Vector512.Create((short)2);
                for (; i + 32 <= length; i += 32)
                {
                    Vector512<short> sum = Avx512BW.AddSaturate(Avx512BW.MultiplyHigh(Vector512.Load(s0 + i), b0), Avx512BW.MultiplyHigh(Vector512.Load(s1 + i), b1));
                    Vector512<short> rounded = Avx512BW.ShiftRightArithmetic(Avx512BW.AddSaturate(sum, two), 2);
                    Avx512BW.ConvertToVector256ByteWithSaturation(Avx512BW.Max(rounded, Vector512<short>.Zero).AsUInt16()).Store(dst + i);
                }
            }

            if (kind != GroupKind.Scalar && Avx2.IsSupported)
            {
                Vector256<short> b0 = Vector256.Create(beta0), b1 = Vector256.Create(beta1), two = Vector256.Create((short)2);
                for (; i + 32 <= length; i += 32)
                {
                    Vector256<short> low = Avx2.ShiftRightArithmetic(Avx2.AddSaturate(Avx2.AddSaturate(Avx2.MultiplyHigh(Vector256.Load(s0 + i), b0), Avx2.MultiplyHigh(Vector256.Load(s1 + i), b1)), two), 2);
                    Vector256<short> high = Avx2.ShiftRightArithmetic(Avx2.AddSaturate(Avx2.AddSaturate(Avx2.MultiplyHigh(Vector256.Load(s0 + i + 16), b0), Avx2.MultiplyHigh(Vector256.Load(s1 + i + 16), b1)), two), 2);

                    // The pack works per 128-bit lane: put the four 64-bit quarters back in order.
                    Vector256<byte> packed = Avx2.PackUnsignedSaturate(low, high);
                    Avx2.Permute4x64(packed.AsUInt64(), 0b11_01_10_00).AsByte().Store(dst + i);
                }
            }

            for (; i < length; i++) dst[i] = VerticalValue(s0[i], s1[i], beta0, beta1);
        }
    }

    /// <summary>The horizontal pass one value at a time, over pinned tap tables.</summary>
    private readonly unsafe struct ScalarTaps(int* tap0, int* tap1, short* alpha0, short* alpha1)
    {
        public void Run(byte* line, short* destination, int from, int to)
        {
            for (int v = from; v < to; v++)
            {
                destination[v] = (short)(((line[tap0[v]] * alpha0[v]) + (line[tap1[v]] * alpha1[v])) >> 4);
            }
        }
    }

    /// <summary>How the horizontal pass gathers a group's taps.</summary>
    internal enum GroupKind
    {
        /// <summary>One value at a time.</summary>
        Scalar,

        /// <summary>Up to eight values per 16-byte source window (SSSE3 byte shuffle), four per shuffle.</summary>
        Ssse3x16,

        /// <summary>Up to thirty-two values per 64-byte source window (AVX-512 VBMI byte permute), sixteen per permute.</summary>
        Vbmi64,
    }

    /// <summary>The columns' taps and weights for one resize, and the horizontal pass that uses them.</summary>
    private sealed class ColumnTaps
    {
        // Per output value: byte offsets in the source row of both taps, and the two weights.
        private int[] _tap0 = [];
        private int[] _tap1 = [];
        private short[] _alpha0 = [];
        private short[] _alpha1 = [];

        // Per group of values read from one window of source bytes: the window's first byte, whether the group fits
        // it, and per chunk (the values one permute serves) the control (four bytes per value: the taps' positions in
        // the window, each followed by a byte the mask clears) and the weights as 16-bit pairs.
        private int[] _groupStart = [];
        private bool[] _groupFits = [];
        private byte[] _control = [];
        private short[] _weights = [];
        private int _values;
        private int _groupValues;
        private int _chunkValues;
        private int _chunksPerGroup;
        private int _windowBytes;
        private bool _allGroupsFit;
        private long _lastWindowEnd;
        private GroupKind _kind;

        [ThreadStatic]
        private static ColumnTaps? t_cached;

        public static ColumnTaps Rent(int sw, int dw, int channels, ImageRect window, GroupKind kind)
        {
            ColumnTaps taps = t_cached ?? new ColumnTaps();
            t_cached = null;
            taps.Build(sw, dw, channels, window, kind);
            return taps;
        }

        public void Return() => t_cached = this;

        private void Build(int sw, int dw, int channels, ImageRect window, GroupKind kind)
        {
            _kind = kind;
            _values = window.Width * channels;
            _groupValues = 1;
            Grow(ref _tap0, _values);
            Grow(ref _tap1, _values);
            Grow(ref _alpha0, _values);
            Grow(ref _alpha1, _values);
            double scaleX = 1.0 / ((double)dw / sw);
            for (int x = 0; x < window.Width; x++)
            {
                float fx = (float)(((x + window.X + 0.5) * scaleX) - 0.5);
                int sx = (int)MathF.Floor(fx);
                fx -= sx;
                if (sx < 0)
                {
                    fx = 0;
                    sx = 0;
                }

                // At the right edge OpenCV takes the last pixel alone; the second tap repeats it so nothing reads past the row.
                bool last = sx >= sw - 1;
                if (last)
                {
                    fx = 0;
                    sx = sw - 1;
                }

                short a0 = Coefficient(1f - fx);
                short a1 = Coefficient(fx);
                for (int c = 0; c < channels; c++)
                {
                    int value = (x * channels) + c;
                    _tap0[value] = (sx * channels) + c;
                    _tap1[value] = last ? _tap0[value] : ((sx + 1) * channels) + c;
                    _alpha0[value] = a0;
                    _alpha1[value] = last ? (short)0 : a1;
                }
            }

            if (kind == GroupKind.Scalar) return;

            // The most values per window that every group's taps fit in: a strong reduction spreads a group's taps wider.
            (_chunkValues, _windowBytes) = kind == GroupKind.Vbmi64 ? (16, 64) : (4, 16);
            _groupValues = 2 * _chunkValues;
            while (_groupValues > 1 && !AllGroupsFit(_groupValues)) _groupValues /= 2;
            _chunksPerGroup = Math.Max(1, _groupValues / _chunkValues);
            int groups = (_values + _groupValues - 1) / _groupValues;
            int slots = groups * _chunksPerGroup * _chunkValues;
            _allGroupsFit = true;
            _lastWindowEnd = 0;
            Grow(ref _groupStart, groups);
            Grow(ref _groupFits, groups);
            Grow(ref _control, slots * 4);
            Grow(ref _weights, slots * 2);
            for (int g = 0; g < groups; g++)
            {
                int firstValue = g * _groupValues;
                int start = _tap0[firstValue];
                bool fits = true;
                for (int slot = 0; slot < _chunksPerGroup * _chunkValues; slot++)
                {
                    int value = firstValue + slot;
                    int at = (g * _chunksPerGroup * _chunkValues) + slot;
                    if (slot >= _groupValues || value >= _values)
                    {
                        // Not this group's: any byte with weight 0 (the next group or the row's padding takes the store).
                        _control.AsSpan(at * 4, 4).Clear();
                        _weights[at * 2] = _weights[(at * 2) + 1] = 0;
                        continue;
                    }

                    int p0 = _tap0[value] - start, p1 = _tap1[value] - start;
                    fits &= p0 >= 0 && p1 < _windowBytes;
                    _control[at * 4] = _control[(at * 4) + 1] = (byte)Math.Clamp(p0, 0, _windowBytes - 1);
                    _control[(at * 4) + 2] = _control[(at * 4) + 3] = (byte)Math.Clamp(p1, 0, _windowBytes - 1);
                    _weights[at * 2] = _alpha0[value];
                    _weights[(at * 2) + 1] = _alpha1[value];
                }

                _groupStart[g] = start;
                _groupFits[g] = fits;
                _allGroupsFit &= fits;
                _lastWindowEnd = Math.Max(_lastWindowEnd, start + _windowBytes);
            }
        }

        private bool AllGroupsFit(int groupValues)
        {
            for (int first = 0; first < _values; first += groupValues)
            {
                int last = Math.Min(_values, first + groupValues) - 1;
                if (_tap1[last] - _tap0[first] >= _windowBytes) return false;
            }

            return true;
        }

        /// <summary>One source row's horizontal pass: every value's two taps weighed, summed and shifted right by 4, into <paramref name="row"/>.</summary>
        public unsafe void Horizontal(ReadOnlySpan<byte> source, int rowStart, short[] row)
        {
            fixed (byte* src = source)
            fixed (short* dst = row)
            fixed (int* tap0 = _tap0, tap1 = _tap1)
            fixed (short* alpha0 = _alpha0, alpha1 = _alpha1)
            {
                var scalar = new ScalarTaps(tap0, tap1, alpha0, alpha1);
                byte* line = src + rowStart;
                if (_kind == GroupKind.Scalar)
                {
                    scalar.Run(line, dst, 0, _values);
                    return;
                }

                int groups = (_values + _groupValues - 1) / _groupValues;
                long available = source.Length - rowStart;
                fixed (byte* control = _control)
                fixed (short* weights = _weights)
                fixed (int* groupStart = _groupStart)
                fixed (bool* groupFits = _groupFits)
                {
                    if (_allGroupsFit && _lastWindowEnd <= available)
                    {
                        // The common case: one straight run of chunks, no test per group.
                        int chunks = groups * _chunksPerGroup;
                        int perGroupShift = _chunksPerGroup - 1; // one or two chunks per group
                        if (_kind == GroupKind.Vbmi64)
                        {
                            for (int c = 0; c < chunks; c++) Vbmi64Chunk(line + groupStart[c >> perGroupShift], control + (c * 64), weights + (c * 32), dst + ChunkTarget(c));
                        }
                        else
                        {
                            for (int c = 0; c < chunks; c++) Ssse3Chunk(line + groupStart[c >> perGroupShift], control + (c * 16), weights + (c * 8), dst + ChunkTarget(c));
                        }

                        return;
                    }

                    for (int g = 0; g < groups; g++)
                    {
                        int firstValue = g * _groupValues;
                        int start = groupStart[g];
                        if (!groupFits[g] || start + _windowBytes > available)
                        {
                            scalar.Run(line, dst, firstValue, Math.Min(_values, firstValue + _groupValues));
                            continue;
                        }

                        int slot = g * _chunksPerGroup * _chunkValues;
                        for (int k = 0; k < _chunksPerGroup; k++, slot += _chunkValues)
                        {
                            short* target = dst + firstValue + (k * _chunkValues);
                            if (_kind == GroupKind.Vbmi64)
                            {
                                Vbmi64Chunk(line + start, control + (slot * 4), weights + (slot * 2), target);
                            }
                            else
                            {
                                Ssse3Chunk(line + start, control + (slot * 4), weights + (slot * 2), target);
                            }
                        }
                    }
                }
            }
        }

        /// <summary>Where chunk <paramref name="chunk"/> stores its values: its group's first value, plus the chunks before it in the group.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private int ChunkTarget(int chunk) => _chunksPerGroup == 1 ? chunk * _groupValues : ((chunk >> 1) * _groupValues) + ((chunk & 1) * _chunkValues);

        /// <summary>Sixteen values from a 64-byte window: each value's two tap bytes go to the low bytes of a 16-bit pair (the mask clears the high bytes), one multiply-add-adjacent applies both weights.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static unsafe void Vbmi64Chunk(byte* window, byte* control, short* weights, short* destination)
        {
            Vector512<short> pairs = Avx512Vbmi.PermuteVar64x8(Vector512.Load(window), Vector512.Load(control)).AsInt16() & Vector512.Create((short)0xFF);
            Vector512<int> sums = Avx512BW.MultiplyAddAdjacent(pairs, Vector512.Load(weights));
            Avx512F.ConvertToVector256Int16(Avx512F.ShiftRightArithmetic(sums, 4)).Store(destination);
        }

        /// <summary>Four values from a 16-byte window, as <see cref="Vbmi64Chunk"/> with a byte shuffle.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static unsafe void Ssse3Chunk(byte* window, byte* control, short* weights, short* destination)
        {
            Vector128<short> pairs = Ssse3.Shuffle(Vector128.Load(window), Vector128.Load(control)).AsInt16() & Vector128.Create((short)0xFF);
            Vector128<int> sums = Sse2.ShiftRightArithmetic(Sse2.MultiplyAddAdjacent(pairs, Vector128.Load(weights)), 4);
            Sse2.StoreScalar((long*)destination, Sse2.PackSignedSaturate(sums, sums).AsInt64());
        }

        private static void Grow<T>(ref T[] array, int length)
        {
            if (array.Length < length) array = new T[Math.Max(length, array.Length * 2)];
        }
    }
}
