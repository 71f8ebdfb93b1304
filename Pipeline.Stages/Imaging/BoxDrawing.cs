using System.Globalization;
using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

/// <summary>Draws detection boxes and their class ids onto an (H, W, C) uint8 image, as MXNet's <c>ImageDetIter.draw_next</c> does with OpenCV (without OpenCV's fonts: ids are drawn in a small built-in digit font).</summary>
/// <remarks>Drawing writes into the image's pixels in place; boxes are clipped to the image. Each class gets its own colour (<see cref="ClassColour"/>).</remarks>
public static class BoxDrawing
{
    // 3x5 glyphs for 0-9 and '-', one row per 3 bits (most significant = left).
    private static readonly byte[][] s_glyphs =
    [
        [7, 5, 5, 5, 7], [2, 6, 2, 2, 7], [7, 1, 7, 4, 7], [7, 1, 7, 1, 7], [5, 5, 7, 1, 1], [7, 4, 7, 1, 7], [7, 4, 7, 5, 7], [7, 1, 2, 2, 2], [7, 5, 7, 5, 7], [7, 5, 7, 1, 7],
        [0, 0, 7, 0, 0],
    ];

    /// <summary>Draws every object of a label: its box outline in its class colour and its class id on a tag at the box's top-left corner (above it where there is room).</summary>
    /// <param name="image">An (H, W, 1, 3 or 4) uint8 image, changed in place.</param>
    /// <param name="objects">Object rows (id, xmin, ymin, xmax, ymax, extra...) with coordinates normalized to the image; rows with a negative id (padding) are skipped.</param>
    /// <param name="thickness">The outline's width in pixels.</param>
    /// <exception cref="ArgumentException">The image is not uint8, or the rows have fewer than 5 values.</exception>
    public static void DrawObjects(NDArray image, float[,] objects, int thickness = 2)
    {
        ArgumentNullException.ThrowIfNull(objects);
        float[] rows = new float[objects.Length];
        DetectionLabel.CopyObjects(objects, rows);
        DrawObjects(image, rows, objects.GetLength(1), thickness);
    }

    /// <summary>Draws every object of a flat label row, such as an <c>ImageDetIter</c> batch's (objects x width, padded with -1).</summary>
    /// <param name="image">An (H, W, 1, 3 or 4) uint8 image, changed in place.</param>
    /// <param name="objects">Object rows one after another; rows with a negative id (padding) are skipped.</param>
    /// <param name="objectWidth">The values per object (at least 5).</param>
    /// <param name="thickness">The outline's width in pixels.</param>
    /// <exception cref="ArgumentException">The image is not uint8, or <paramref name="objectWidth"/> is below 5.</exception>
    public static void DrawObjects(NDArray image, ReadOnlySpan<float> objects, int objectWidth, int thickness = 2)
    {
        (int height, int width, int channels) = ImageOps.CheckImage(image);
        if (image.DType != DType.UInt8) throw new ArgumentException("Boxes are drawn on uint8 images.", nameof(image));
        if (objectWidth < 5) throw new ArgumentException($"Objects have at least 5 values (id, xmin, ymin, xmax, ymax); got {objectWidth}.", nameof(objectWidth));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(thickness);
        Draw(image.AsSpan<byte>(), height, width, channels, new ImageRect(0, 0, width, height), objects, objectWidth, thickness);
    }

    /// <summary>Draws object rows whose coordinates are normalized to <paramref name="area"/>, a region of a larger picture (a contact sheet's tile); tags stay inside the area.</summary>
    internal static void Draw(Span<byte> pixels, int height, int width, int channels, ImageRect area, ReadOnlySpan<float> objects, int objectWidth, int thickness)
    {
        for (int i = 0; i + objectWidth <= objects.Length; i += objectWidth)
        {
            ReadOnlySpan<float> o = objects.Slice(i, objectWidth);
            if (o[0] < 0) continue;
            int id = (int)o[0];
            int x0 = area.X + (int)(o[1] * area.Width), y0 = area.Y + (int)(o[2] * area.Height);
            var box = new ImageRect(x0, y0, area.X + (int)(o[3] * area.Width) - x0, area.Y + (int)(o[4] * area.Height) - y0);
            byte[] colour = ClassColour(id);
            DrawRectangle(pixels, height, width, channels, box, colour, thickness);
            DrawLabel(pixels, height, width, channels, area, box.X, box.Y, id.ToString(CultureInfo.InvariantCulture), colour);
        }
    }

    /// <summary>Gets a class's colour: bright, different for neighbouring ids, the same on every call.</summary>
    /// <param name="classId">The class id.</param>
    /// <returns>An RGB colour.</returns>
    public static byte[] ClassColour(int classId)
    {
        // Hues spaced by the golden angle, full saturation.
        double hue = (classId * 137.508) % 360;
        if (hue < 0) hue += 360;
        double x = 1 - Math.Abs((hue / 60 % 2) - 1);
        (double r, double g, double b) = (int)(hue / 60) switch { 0 => (1.0, x, 0.0), 1 => (x, 1.0, 0.0), 2 => (0.0, 1.0, x), 3 => (0.0, x, 1.0), 4 => (x, 0.0, 1.0), _ => (1.0, 0.0, x) };
        return [(byte)(55 + (200 * r)), (byte)(55 + (200 * g)), (byte)(55 + (200 * b))];
    }

    /// <summary>Draws a rectangle's outline, clipped to the image.</summary>
    /// <param name="pixels">(H, W, C) uint8 pixels.</param>
    /// <param name="height">The image height.</param>
    /// <param name="width">The image width.</param>
    /// <param name="channels">The channels (1, 3 or 4; gray takes the colour's first value).</param>
    /// <param name="box">The rectangle.</param>
    /// <param name="colour">The RGB colour.</param>
    /// <param name="thickness">The outline's width, drawn inwards.</param>
    public static void DrawRectangle(Span<byte> pixels, int height, int width, int channels, ImageRect box, ReadOnlySpan<byte> colour, int thickness)
    {
        int t = Math.Max(1, Math.Min(thickness, Math.Max(1, Math.Min(box.Width, box.Height) / 2)));
        Fill(pixels, height, width, channels, new ImageRect(box.X, box.Y, box.Width, t), colour);
        Fill(pixels, height, width, channels, new ImageRect(box.X, box.Y + box.Height - t, box.Width, t), colour);
        Fill(pixels, height, width, channels, new ImageRect(box.X, box.Y, t, box.Height), colour);
        Fill(pixels, height, width, channels, new ImageRect(box.X + box.Width - t, box.Y, t, box.Height), colour);
    }

    /// <summary>Draws digits (and '-') on a filled tag of <paramref name="background"/> just above the box corner (x, y), or inside it where there is no room above, kept inside the image.</summary>
    private static void DrawLabel(Span<byte> pixels, int height, int width, int channels, ImageRect area, int x, int y, string text, ReadOnlySpan<byte> background)
    {
        const int Scale = 2;
        int tagW = (text.Length * 4 * Scale) + Scale, tagH = 7 * Scale;
        x = Math.Clamp(x, area.X, Math.Max(area.X, area.X + area.Width - tagW));
        y = Math.Clamp(y - tagH >= area.Y ? y - tagH : y, area.Y, Math.Max(area.Y, area.Y + area.Height - tagH));
        Fill(pixels, height, width, channels, new ImageRect(x, y, tagW, tagH), background);
        ReadOnlySpan<byte> ink = (background[0] * 299) + (background[1] * 587) + (background[2] * 114) > 128_000 ? [0, 0, 0] : [255, 255, 255];
        for (int c = 0; c < text.Length; c++)
        {
            byte[] glyph = s_glyphs[text[c] == '-' ? 10 : text[c] - '0'];
            for (int row = 0; row < 5; row++)
            {
                for (int col = 0; col < 3; col++)
                {
                    if ((glyph[row] & (4 >> col)) == 0) continue;
                    Fill(pixels, height, width, channels, new ImageRect(x + Scale + (((c * 4) + col) * Scale), y + Scale + (row * Scale), Scale, Scale), ink);
                }
            }
        }
    }

    private static void Fill(Span<byte> pixels, int height, int width, int channels, ImageRect area, ReadOnlySpan<byte> colour)
    {
        int x0 = Math.Max(0, area.X), y0 = Math.Max(0, area.Y), x1 = Math.Min(width, area.X + area.Width), y1 = Math.Min(height, area.Y + area.Height);
        for (int y = y0; y < y1; y++)
        {
            for (int x = x0; x < x1; x++)
            {
                Span<byte> p = pixels.Slice(((y * width) + x) * channels, channels);
                if (channels == 1)
                {
                    p[0] = colour[0];
                    continue;
                }

                p[0] = colour[0];
                p[1] = colour[1];
                p[2] = colour[2];
                if (channels == 4) p[3] = 255;
            }
        }
    }
}
