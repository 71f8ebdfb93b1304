using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Pipeline.Stages.ImagePipeline;

/// <summary>The layout's hot loop in SIMD: 16 interleaved RGB pixels at a time into three float planes, scaled and offset, optionally mirrored.</summary>
/// <remarks>
/// Three byte shuffles per plane pick one channel of 16 pixels out of 48 bytes (in reverse pixel order when mirrored), then
/// the bytes widen to floats. Multiply and add stay two roundings, as the scalar loop's, so both give the same floats.
/// </remarks>
internal static class RgbDeinterleave
{
    // [mirrored][channel][source vector]: the byte each lane takes, 0x80 (zero) where the pixel's byte is in another vector.
    private static readonly Vector128<byte>[] s_masks = BuildMasks();

    /// <summary>Gets whether the SIMD loop runs on this machine.</summary>
    public static bool IsSupported => Ssse3.IsSupported && Avx2.IsSupported;

    /// <summary>Writes whole blocks of 16 pixels of one row and returns how many pixels it wrote; the caller does the rest.</summary>
    /// <param name="row">The row's interleaved RGB bytes.</param>
    /// <param name="width">The row's pixels.</param>
    /// <param name="mirrored">Whether pixel x goes to column <c>width - 1 - x</c>.</param>
    /// <param name="r">The row's start in the R plane.</param>
    /// <param name="g">The row's start in the G plane.</param>
    /// <param name="b">The row's start in the B plane.</param>
    /// <param name="multiply">The factor per channel.</param>
    /// <param name="add">The offset per channel.</param>
    /// <returns>The pixels done, a multiple of 16.</returns>
    public static unsafe int Planes(byte* row, int width, bool mirrored, float* r, float* g, float* b, ReadOnlySpan<float> multiply, ReadOnlySpan<float> add)
    {
        int set = mirrored ? 9 : 0;
        int x = 0;
        for (; x + 16 <= width; x += 16)
        {
            byte* p = row + (x * 3);
            Vector128<byte> v0 = Sse2.LoadVector128(p);
            Vector128<byte> v1 = Sse2.LoadVector128(p + 16);
            Vector128<byte> v2 = Sse2.LoadVector128(p + 32);

            // Mirrored, source pixels [x, x + 16) land reversed on columns [width - x - 16, width - x).
            int at = mirrored ? width - x - 16 : x;
            Store(Channel(v0, v1, v2, set), multiply[0], add[0], r + at);
            Store(Channel(v0, v1, v2, set + 3), multiply[1], add[1], g + at);
            Store(Channel(v0, v1, v2, set + 6), multiply[2], add[2], b + at);
        }

        return x;
    }

    private static Vector128<byte> Channel(Vector128<byte> v0, Vector128<byte> v1, Vector128<byte> v2, int mask) =>
        Sse2.Or(Sse2.Or(Ssse3.Shuffle(v0, s_masks[mask]), Ssse3.Shuffle(v1, s_masks[mask + 1])), Ssse3.Shuffle(v2, s_masks[mask + 2]));

    private static unsafe void Store(Vector128<byte> bytes, float multiply, float add, float* destination)
    {
        Vector256<float> m = Vector256.Create(multiply);
        Vector256<float> a = Vector256.Create(add);
        Vector256<float> low = Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(bytes));
        Vector256<float> high = Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(Sse2.ShiftRightLogical128BitLane(bytes, 8)));
        Avx.Store(destination, Avx.Add(Avx.Multiply(low, m), a));
        Avx.Store(destination + 8, Avx.Add(Avx.Multiply(high, m), a));
    }

    private static Vector128<byte>[] BuildMasks()
    {
        var masks = new Vector128<byte>[18];
        Span<byte> lanes = stackalloc byte[16];
        for (int mirrored = 0; mirrored < 2; mirrored++)
        {
            for (int channel = 0; channel < 3; channel++)
            {
                for (int vector = 0; vector < 3; vector++)
                {
                    for (int lane = 0; lane < 16; lane++)
                    {
                        int pixel = mirrored == 1 ? 15 - lane : lane;
                        int offset = (pixel * 3) + channel - (vector * 16);
                        lanes[lane] = offset is >= 0 and < 16 ? (byte)offset : (byte)0x80;
                    }

                    masks[(mirrored * 9) + (channel * 3) + vector] = Vector128.Create((ReadOnlySpan<byte>)lanes);
                }
            }
        }

        return masks;
    }
}
