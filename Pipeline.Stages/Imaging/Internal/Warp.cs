using Pipeline.Core;

namespace Pipeline.Stages.Imaging.Internal;

/// <summary>OpenCV's <c>warpAffine</c> for uint8 HWC images with a constant border: each destination pixel samples the source at the inverse-mapped point.</summary>
internal static class Warp
{
    /// <summary>Warps with the forward matrix <c>[m00 m01 m02; m10 m11 m12]</c> (source to destination), as <c>cv::warpAffine</c> without WARP_INVERSE_MAP.</summary>
    public static NDArray Affine(NDArray src, ReadOnlySpan<double> forward, int width, int height, Interpolation interp, byte fill)
    {
        (int h, int w, int c) = ImageOps.CheckImage(src);
        double det = (forward[0] * forward[4]) - (forward[1] * forward[3]);
        if (Math.Abs(det) < 1e-12) throw new ArgumentException("The affine transform is singular.", nameof(forward));

        // Invert [A | t]: x_src = A^-1 (x_dst - t).
        double i00 = forward[4] / det, i01 = -forward[1] / det, i10 = -forward[3] / det, i11 = forward[0] / det;
        double i02 = -((i00 * forward[2]) + (i01 * forward[5]));
        double i12 = -((i10 * forward[2]) + (i11 * forward[5]));
        int taps = interp switch { Interpolation.Nearest => 1, Interpolation.Bicubic => 4, Interpolation.Lanczos4 => 8, _ => 2 };
        NDArray dst = ImageOps.NewImage(DType.UInt8, height, width, c);
        ReadOnlySpan<byte> s = src.AsSpan<byte>();
        Span<byte> d = dst.AsSpan<byte>();
        Span<float> wx = stackalloc float[8];
        Span<float> wy = stackalloc float[8];
        Span<float> sum = stackalloc float[c];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                double sx = (i00 * x) + (i01 * y) + i02;
                double sy = (i10 * x) + (i11 * y) + i12;
                Span<byte> target = d.Slice(((y * width) + x) * c, c);
                if (taps == 1)
                {
                    int nx = (int)Math.Floor(sx + 0.5);
                    int ny = (int)Math.Floor(sy + 0.5);
                    if ((uint)nx < (uint)w && (uint)ny < (uint)h) s.Slice(((ny * w) + nx) * c, c).CopyTo(target);
                    else target.Fill(fill);
                    continue;
                }

                int x0 = (int)Math.Floor(sx);
                int y0 = (int)Math.Floor(sy);
                Coefficients((float)(sx - x0), taps, wx);
                Coefficients((float)(sy - y0), taps, wy);
                int first = (taps / 2) - 1;
                sum.Clear();
                for (int ky = 0; ky < taps; ky++)
                {
                    int py = y0 - first + ky;
                    for (int kx = 0; kx < taps; kx++)
                    {
                        int px = x0 - first + kx;
                        float weight = wx[kx] * wy[ky];
                        bool inside = (uint)px < (uint)w && (uint)py < (uint)h;
                        for (int ch = 0; ch < c; ch++) sum[ch] += weight * (inside ? s[(((py * w) + px) * c) + ch] : fill);
                    }
                }

                for (int ch = 0; ch < c; ch++) target[ch] = (byte)Math.Clamp(MathF.Round(sum[ch]), 0, 255);
            }
        }

        return dst;
    }

    private static void Coefficients(float fraction, int taps, Span<float> weights)
    {
        switch (taps)
        {
            case 2:
                weights[0] = 1 - fraction;
                weights[1] = fraction;
                break;
            case 4:
                ResizeAxis.Cubic(fraction, weights);
                break;
            default:
                ResizeAxis.Lanczos4(fraction, weights);
                break;
        }
    }
}
