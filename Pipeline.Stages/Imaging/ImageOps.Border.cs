using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

public static partial class ImageOps
{
    /// <summary>Pads an image with a border, as MXNet's <c>copyMakeBorder</c>, with OpenCV's integer border code.</summary>
    /// <param name="src">An (H, W, C) image.</param>
    /// <param name="top">Rows added above.</param>
    /// <param name="bottom">Rows added below.</param>
    /// <param name="left">Columns added on the left.</param>
    /// <param name="right">Columns added on the right.</param>
    /// <param name="type">0 constant, 1 replicate (<c>aaa|abc|ccc</c>), 2 reflect (<c>cba|abc|cba</c>), 3 wrap, 4 reflect-101 (<c>cb|abc|ba</c>): the <see cref="BorderType"/> values.</param>
    /// <param name="value">The constant for type 0 (every channel).</param>
    /// <returns>A new image of (H + top + bottom, W + left + right, C).</returns>
    /// <exception cref="ArgumentOutOfRangeException">A margin is negative or <paramref name="type"/> is not 0-4.</exception>
    public static NDArray CopyMakeBorder(NDArray src, int top, int bottom, int left, int right, int type = 0, float value = 0) =>
        CopyMakeBorder(src, top, bottom, left, right, (BorderType)type, value);

    /// <summary>Pads an image with a border, as MXNet's <c>copyMakeBorder</c>.</summary>
    /// <param name="src">An (H, W, C) image.</param>
    /// <param name="top">Rows added above.</param>
    /// <param name="bottom">Rows added below.</param>
    /// <param name="left">Columns added on the left.</param>
    /// <param name="right">Columns added on the right.</param>
    /// <param name="type">How the border is filled.</param>
    /// <param name="value">The constant for <see cref="BorderType.Constant"/> (every channel).</param>
    /// <returns>A new image of (H + top + bottom, W + left + right, C).</returns>
    /// <exception cref="ArgumentOutOfRangeException">A margin is negative or <paramref name="type"/> is undefined.</exception>
    public static NDArray CopyMakeBorder(NDArray src, int top, int bottom, int left, int right, BorderType type, float value = 0)
    {
        (int h, int w, int c) = CheckImage(src);
        ArgumentOutOfRangeException.ThrowIfNegative(top);
        ArgumentOutOfRangeException.ThrowIfNegative(bottom);
        ArgumentOutOfRangeException.ThrowIfNegative(left);
        ArgumentOutOfRangeException.ThrowIfNegative(right);
        if (type is < BorderType.Constant or > BorderType.Reflect101) throw new ArgumentOutOfRangeException(nameof(type), type, "Border types are 0 constant, 1 replicate, 2 reflect, 3 wrap, 4 reflect-101.");
        int outH = h + top + bottom;
        int outW = w + left + right;
        NDArray dst = NewImage(src.DType, outH, outW, c);
        int element = src.DType.SizeInBytes();
        int pixel = c * element;
        Span<byte> source = src.AsBytes();
        Span<byte> destination = dst.AsBytes();
        Span<byte> fill = stackalloc byte[pixel];
        FillValue(src.DType, value, c, fill);
        for (int y = 0; y < outH; y++)
        {
            int sy = BorderInterpolate(y - top, h, type);
            for (int x = 0; x < outW; x++)
            {
                int sx = BorderInterpolate(x - left, w, type);
                Span<byte> target = destination.Slice(((y * outW) + x) * pixel, pixel);
                if (sy < 0 || sx < 0)
                {
                    fill.CopyTo(target);
                }
                else
                {
                    source.Slice(((sy * w) + sx) * pixel, pixel).CopyTo(target);
                }
            }
        }

        return dst;
    }

    /// <summary>Pads an image with a constant border of one value per channel, as MXNet's <c>copyMakeBorder</c> with <c>values</c> (what <c>DetRandomPadAug</c> uses).</summary>
    /// <param name="src">An (H, W, C) uint8 or float32 image.</param>
    /// <param name="top">Rows added above.</param>
    /// <param name="bottom">Rows added below.</param>
    /// <param name="left">Columns added on the left.</param>
    /// <param name="right">Columns added on the right.</param>
    /// <param name="values">The border colour: one value for every channel, or one per channel.</param>
    /// <returns>A new image of (H + top + bottom, W + left + right, C).</returns>
    /// <exception cref="ArgumentOutOfRangeException">A margin is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="values"/> has neither 1 nor C values.</exception>
    public static NDArray CopyMakeBorder(NDArray src, int top, int bottom, int left, int right, float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        (int h, int w, _) = CheckImage(src);
        ArgumentOutOfRangeException.ThrowIfNegative(top);
        ArgumentOutOfRangeException.ThrowIfNegative(bottom);
        ArgumentOutOfRangeException.ThrowIfNegative(left);
        ArgumentOutOfRangeException.ThrowIfNegative(right);
        return CropWithFill(src, new ImageRect(-left, -top, w + left + right, h + top + bottom), values);
    }

    /// <summary>A window of the image that may reach outside it, the outside filled with a constant colour: a crop of a padded image without making the padded image.</summary>
    /// <param name="src">An (H, W, C) uint8 or float32 image.</param>
    /// <param name="window">The window in the image's coordinates (its corner may be negative, its far side past the image).</param>
    /// <param name="values">One fill value for every channel, or one per channel.</param>
    /// <returns>A new (window height, window width, C) image.</returns>
    internal static NDArray CropWithFill(NDArray src, ImageRect window, ReadOnlySpan<float> values)
    {
        (int h, int w, int c) = CheckImage(src);
        if (values.Length != 1 && values.Length != c) throw new ArgumentException($"The border colour has {values.Length} values; the image has {c} channels.", nameof(values));
        if (window.Width <= 0 || window.Height <= 0) throw new ArgumentOutOfRangeException(nameof(window), window, "The window is empty.");
        NDArray dst = NewImage(src.DType, window.Height, window.Width, c);
        int pixel = c * src.DType.SizeInBytes();
        Span<byte> fill = stackalloc byte[pixel];
        for (int ch = 0; ch < c; ch++) FillValue(src.DType, values[values.Length == 1 ? 0 : ch], 1, fill[(ch * src.DType.SizeInBytes())..]);
        Span<byte> source = src.AsBytes();
        Span<byte> destination = dst.AsBytes();
        int rowBytes = window.Width * pixel;

        // The part of the window that lies on the image, in window columns.
        int inside0 = Math.Clamp(-window.X, 0, window.Width);
        int inside1 = Math.Clamp(w - window.X, inside0, window.Width);
        byte[] pattern = System.Buffers.ArrayPool<byte>.Shared.Rent(rowBytes);
        try
        {
            Span<byte> fillRow = pattern.AsSpan(0, rowBytes);
            for (int x = 0; x < window.Width; x++) fill.CopyTo(fillRow.Slice(x * pixel, pixel));
            for (int y = 0; y < window.Height; y++)
            {
                Span<byte> row = destination.Slice(y * rowBytes, rowBytes);
                int sy = window.Y + y;
                if ((uint)sy >= (uint)h || inside1 <= inside0)
                {
                    fillRow.CopyTo(row);
                    continue;
                }

                fillRow[..(inside0 * pixel)].CopyTo(row);
                source.Slice(((sy * w) + window.X + inside0) * pixel, (inside1 - inside0) * pixel).CopyTo(row.Slice(inside0 * pixel));
                fillRow[(inside1 * pixel)..].CopyTo(row[(inside1 * pixel)..]);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(pattern);
        }

        return dst;
    }

    /// <summary>OpenCV's <c>borderInterpolate</c>: the source index for an index outside the image, or -1 for the constant border.</summary>
    internal static int BorderInterpolate(int p, int length, BorderType type)
    {
        if ((uint)p < (uint)length) return p;
        switch (type)
        {
            case BorderType.Replicate:
                return p < 0 ? 0 : length - 1;
            case BorderType.Reflect:
            case BorderType.Reflect101:
                int delta = type == BorderType.Reflect101 ? 1 : 0;
                if (length == 1) return 0;
                do
                {
                    p = p < 0 ? -p - 1 + delta : length - 1 - (p - length) - delta;
                }
                while ((uint)p >= (uint)length);
                return p;
            case BorderType.Wrap:
                if (p < 0) p -= ((p - length + 1) / length) * length;
                if (p >= length) p %= length;
                return p;
            default:
                return -1;
        }
    }

    private static void FillValue(DType dtype, float value, int channels, Span<byte> fill)
    {
        for (int c = 0; c < channels; c++)
        {
            if (dtype == DType.UInt8)
            {
                fill[c] = (byte)Math.Clamp(MathF.Round(value), 0, 255);
            }
            else
            {
                System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(fill[(c * 4)..], value);
            }
        }
    }
}
