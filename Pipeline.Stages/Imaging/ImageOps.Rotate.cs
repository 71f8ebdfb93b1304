using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

public static partial class ImageOps
{
    /// <summary>Rotates an image about its centre, as MXNet's <c>mx.image.imrotate</c>: bilinear sampling, zeros where the source has no pixels.</summary>
    /// <param name="src">The (H, W, C) image, uint8 or float32; it is not disposed.</param>
    /// <param name="rotationDegrees">The angle in degrees; positive turns the content counter-clockwise as displayed (rows down), as MXNet's.</param>
    /// <param name="zoomIn">Whether to zoom in so that no padding shows (the largest scale whose rotated frame stays inside the image).</param>
    /// <param name="zoomOut">Whether to zoom out so that the whole source image shows.</param>
    /// <returns>A new (H, W, C) float32 image; the caller disposes it.</returns>
    /// <remarks>
    /// The sampling grid is MXNet's: output pixel (x, y) reads the source at
    /// <c>x' = s((x - cx) cos a - (y - cy) sin a) + cx</c>, <c>y' = s((x - cx) sin a + (y - cy) cos a) + cy</c> with
    /// <c>cx = (W - 1) / 2</c>, <c>cy = (H - 1) / 2</c>, and <c>BilinearSampler</c>'s weights (neighbours outside the image
    /// count as 0). The zoom scale <c>s</c> comes from the rotated corners of a W x H frame, as in MXNet. MXNet takes a CHW
    /// float32 image (or an NCHW batch); this takes the library's HWC layout, uint8 too.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="src"/> is not an (H, W, C) uint8 or float32 image, or both zooms are set.</exception>
    public static NDArray Rotate(NDArray src, double rotationDegrees, bool zoomIn = false, bool zoomOut = false)
    {
        (int h, int w, int c) = CheckImage(src);
        if (zoomIn && zoomOut) throw new ArgumentException("zoomIn and zoomOut cannot both be true.", nameof(zoomOut));
        if (!double.IsFinite(rotationDegrees)) throw new ArgumentOutOfRangeException(nameof(rotationDegrees), rotationDegrees, "The angle must be finite.");
        double rad = Math.PI * rotationDegrees / 180;
        double cos = Math.Cos(rad), sin = Math.Sin(rad);
        double scale = zoomIn || zoomOut ? ZoomScale(h, w, rad, zoomOut) : 1;
        double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;

        NDArray result = NDArray.Empty(DType.Float32, h, w, c);
        Span<float> output = result.AsSpan<float>();
        bool bytes = src.DType == DType.UInt8;
        ReadOnlySpan<byte> u8 = bytes ? src.AsSpan<byte>() : default;
        ReadOnlySpan<float> f32 = bytes ? default : src.AsSpan<float>();
        for (int y = 0; y < h; y++)
        {
            double dy = y - cy;
            for (int x = 0; x < w; x++)
            {
                double dx = x - cx;
                double sx = (scale * ((dx * cos) - (dy * sin))) + cx;
                double sy = (scale * ((dx * sin) + (dy * cos))) + cy;
                int left = (int)Math.Floor(sx), top = (int)Math.Floor(sy);
                double leftWeight = 1 - (sx - left), topWeight = 1 - (sy - top);
                int target = ((y * w) + x) * c;
                for (int ch = 0; ch < c; ch++)
                {
                    double value =
                        (Sample(u8, f32, h, w, c, top, left, ch) * topWeight * leftWeight) +
                        (Sample(u8, f32, h, w, c, top, left + 1, ch) * topWeight * (1 - leftWeight)) +
                        (Sample(u8, f32, h, w, c, top + 1, left, ch) * (1 - topWeight) * leftWeight) +
                        (Sample(u8, f32, h, w, c, top + 1, left + 1, ch) * (1 - topWeight) * (1 - leftWeight));
                    output[target + ch] = (float)value;
                }
            }
        }

        return result;
    }

    /// <summary>Rotates an image by an angle drawn uniformly from <paramref name="angleLimits"/>, as MXNet's <c>mx.image.random_rotate</c>.</summary>
    /// <param name="src">The (H, W, C) image, uint8 or float32; it is not disposed.</param>
    /// <param name="angleLimits">The lower and upper angle in degrees.</param>
    /// <param name="rng">The source of the angle.</param>
    /// <param name="zoomIn">Whether to zoom in so that no padding shows.</param>
    /// <param name="zoomOut">Whether to zoom out so that the whole source image shows.</param>
    /// <returns>A new (H, W, C) float32 image; the caller disposes it.</returns>
    /// <exception cref="ArgumentException"><paramref name="src"/> is not an image, both zooms are set, or the limits are not finite and ordered.</exception>
    public static NDArray RandomRotate(NDArray src, (double Min, double Max) angleLimits, Random rng, bool zoomIn = false, bool zoomOut = false)
    {
        ArgumentNullException.ThrowIfNull(rng);
        CheckAngleLimits(angleLimits);
        return Rotate(src, angleLimits.Min + ((angleLimits.Max - angleLimits.Min) * rng.NextDouble()), zoomIn, zoomOut);
    }

    internal static void CheckAngleLimits((double Min, double Max) angleLimits)
    {
        if (!double.IsFinite(angleLimits.Min) || !double.IsFinite(angleLimits.Max) || angleLimits.Min > angleLimits.Max)
        {
            throw new ArgumentException($"The angle limits must be finite with Min <= Max; got {angleLimits}.", nameof(angleLimits));
        }
    }

    /// <summary>MXNet's zoom factor: from the rotated corners of a w x h frame, the scale that fits the frame inside (zoom in) or the image inside the frame (zoom out).</summary>
    private static double ZoomScale(int h, int w, double rad, bool zoomOut)
    {
        double rho = Math.Sqrt(((double)h * h) + ((double)w * w));
        double corner = Math.Atan((double)h / w);
        double a = Math.Abs(rad);
        double maxX = Math.Max(Math.Abs(rho * Math.Cos(corner + a)), Math.Abs(rho * Math.Cos(corner - a)));
        double maxY = Math.Max(Math.Abs(rho * Math.Sin(corner + a)), Math.Abs(rho * Math.Sin(corner - a)));
        return zoomOut ? Math.Max(maxX / w, maxY / h) : Math.Min(w / maxX, h / maxY);
    }

    private static double Sample(ReadOnlySpan<byte> u8, ReadOnlySpan<float> f32, int h, int w, int c, int y, int x, int ch)
    {
        if ((uint)x >= (uint)w || (uint)y >= (uint)h) return 0;
        int at = (((y * w) + x) * c) + ch;
        return u8.IsEmpty ? f32[at] : u8[at];
    }
}
