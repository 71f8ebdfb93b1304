using System.Globalization;
using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

/// <summary>A batch as one picture: a grid of its images with each label drawn above its tile, where MXNet's tutorial used <c>plt.imshow</c>.</summary>
/// <remarks>Takes the batch's first data array, NCHW or NHWC, float32 or uint8, with 1 (gray), 3 (RGB) or 4 (RGBA, alpha dropped) channels,
/// and its first label array; filler rows of a padded batch are drawn like the others.</remarks>
public static class ContactSheet
{
    private const int Caption = 9;

    // A 3x5 pixel font for the characters a label needs.
    private static readonly Dictionary<char, string> s_glyphs = new()
    {
        ['0'] = "111101101101111", ['1'] = "010110010010111", ['2'] = "111001111100111", ['3'] = "111001111001111",
        ['4'] = "101101111001001", ['5'] = "111100111001111", ['6'] = "111100111101111", ['7'] = "111001001001001",
        ['8'] = "111101111101111", ['9'] = "111101111001111", ['.'] = "000000000000010", ['-'] = "000000111000000",
    };

    /// <summary>Draws the batch's images as a grid.</summary>
    /// <param name="batch">The batch.</param>
    /// <param name="options">Layout and de-normalization; <see langword="null"/> for <see cref="ContactSheetOptions.Default"/>.</param>
    /// <returns>The sheet, an (H, W, 3) uint8 RGB image; the caller disposes it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="batch"/> is null.</exception>
    /// <exception cref="ArgumentException">The data is not a batch of images (rank 4, 1, 3 or 4 channels, float32 or uint8), or an option is invalid.</exception>
    public static NDArray Render(DataBatch batch, ContactSheetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        options ??= ContactSheetOptions.Default;
        options.Validate();
        if (batch.Data.Count == 0) throw new ArgumentException("The batch has no data array.", nameof(batch));
        NDArray data = batch.Data[0];
        int[] shape = data.Shape;
        if (shape.Length != 4) throw new ArgumentException($"The data has shape {DataDesc.FormatTuple(shape)}; a contact sheet needs a batch of images (rank 4, NCHW or NHWC).", nameof(batch));
        bool nchw = options.Layout switch
        {
            "NCHW" => true,
            "NHWC" => false,
            _ => shape[1] is 1 or 3 or 4 || shape[3] is not (1 or 3 or 4),
        };
        int count = shape[0], channels = nchw ? shape[1] : shape[3], height = nchw ? shape[2] : shape[1], width = nchw ? shape[3] : shape[2];
        if (channels is not (1 or 3 or 4)) throw new ArgumentException($"The data has {channels} channels ({(nchw ? "NCHW" : "NHWC")} {DataDesc.FormatTuple(shape)}); a contact sheet draws 1, 3 or 4.", nameof(batch));
        float[] values = data.DType switch
        {
            DType.Float32 => data.ToArray<float>(),
            DType.UInt8 => Array.ConvertAll(data.ToArray<byte>(), b => (float)b),
            _ => throw new ArgumentException($"The data is {data.DType}; a contact sheet draws float32 or uint8.", nameof(batch)),
        };

        float[] mean = Expand(options.Mean, 0f);
        float[] std = Expand(options.Std, 1f);
        if (data.DType == DType.Float32 && options.Mean is null && options.Std is null && FitsUnitRange(values)) Array.Fill(std, 255f);
        float[] labels = batch.Label.Count > 0 && batch.Label[0].DType == DType.Float32 ? batch.Label[0].ToArray<float>() : [];
        int labelWidth = count > 0 ? labels.Length / count : 0;

        int columns = Math.Min(options.Columns, Math.Max(1, count));
        int rows = (count + columns - 1) / columns;
        int caption = options.Labels && labelWidth > 0 && options.Boxes == DetectionBoxes.None ? Caption : 0;
        int objectWidth = options.Boxes == DetectionBoxes.ObjectRows && batch.Label.Count > 0 && batch.Label[0].Shape is { Length: 3 } rows3 ? rows3[2] : 5;
        int sheetW = columns * (width + 2);
        int sheetH = Math.Max(1, rows * (height + caption + 2));
        NDArray sheet = NDArray.Zeros(DType.UInt8, sheetH, sheetW, 3);
        Span<byte> pixels = sheet.AsSpan<byte>();
        pixels.Fill(255);
        for (int i = 0; i < count; i++)
        {
            int x0 = ((i % columns) * (width + 2)) + 1;
            int y0 = ((i / columns) * (height + caption + 2)) + 1;
            if (caption > 0) DrawText(pixels, sheetW, x0, y0 + 1, labels[i * labelWidth].ToString("0.##", CultureInfo.InvariantCulture));
            for (int c = 0; c < 3; c++)
            {
                int source = channels == 1 ? 0 : c;
                for (int y = 0; y < height; y++)
                {
                    for (int x = 0; x < width; x++)
                    {
                        int at = nchw ? (((((i * channels) + source) * height) + y) * width) + x : (((((i * height) + y) * width) + x) * channels) + source;
                        float v = (values[at] * std[source]) + mean[source];
                        pixels[((((y0 + caption + y) * sheetW) + x0 + x) * 3) + c] = (byte)Math.Clamp(MathF.Round(v), 0, 255);
                    }
                }
            }

            if (options.Boxes != DetectionBoxes.None && labelWidth > 0) DrawBoxes(pixels, sheetH, sheetW, new ImageRect(x0, y0 + caption, width, height), labels.AsSpan(i * labelWidth, labelWidth), options.Boxes, objectWidth);
        }

        return sheet;
    }

    /// <summary>Writes the batch's images as a grid PNG.</summary>
    /// <param name="batch">The batch.</param>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="options">Layout and de-normalization; <see langword="null"/> for <see cref="ContactSheetOptions.Default"/>.</param>
    /// <returns>The PNG's width and height.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="batch"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException">The data is not a batch of images, or an option is invalid.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static (int Width, int Height) Save(DataBatch batch, string path, ContactSheetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        using NDArray sheet = Render(batch, options);
        File.WriteAllBytes(path, ImageOps.Encode(sheet, ImageFormat.Png, 3));
        return (sheet.Shape[1], sheet.Shape[0]);
    }

    /// <summary>Draws a tile's boxes from its label row; a row that does not hold a detection label draws nothing.</summary>
    private static void DrawBoxes(Span<byte> pixels, int sheetH, int sheetW, ImageRect tile, ReadOnlySpan<float> row, DetectionBoxes layout, int objectWidth)
    {
        if (layout == DetectionBoxes.ObjectRows)
        {
            BoxDrawing.Draw(pixels, sheetH, sheetW, 3, tile, row, objectWidth, thickness: 2);
            return;
        }

        if (row.Length < 4 || row[3] < 2 || 4 + row[3] > row.Length) return;
        ReadOnlySpan<float> raw = row.Slice(4, (int)row[3]);
        int headerWidth = (int)raw[0], width = (int)raw[1];
        if (headerWidth < 2 || headerWidth > raw.Length || width < 5) return;

        // The image may fill only part of the slot (resize modes shrink and fit): boxes are relative to its real size.
        var image = new ImageRect(tile.X, tile.Y, Math.Min(tile.Width, (int)row[2]), Math.Min(tile.Height, (int)row[1]));
        BoxDrawing.Draw(pixels, sheetH, sheetW, 3, image, raw[headerWidth..], width, thickness: 2);
    }

    private static float[] Expand(float[]? values, float fill)
    {
        float[] result = [fill, fill, fill, fill];
        if (values is null) return result;
        for (int c = 0; c < 4; c++) result[c] = values.Length == 1 ? values[0] : c < values.Length ? values[c] : fill;
        return result;
    }

    private static bool FitsUnitRange(float[] values)
    {
        foreach (float v in values)
        {
            if (v is < 0f or > 1f) return false;
        }

        return true;
    }

    private static void DrawText(Span<byte> pixels, int stride, int x, int y, string text)
    {
        foreach (char ch in text)
        {
            if (s_glyphs.TryGetValue(ch, out string? glyph))
            {
                for (int gy = 0; gy < 5; gy++)
                {
                    for (int gx = 0; gx < 3; gx++)
                    {
                        if (glyph[(gy * 3) + gx] != '1') continue;
                        int offset = (((y + gy) * stride) + x + gx) * 3;
                        if (offset + 2 < pixels.Length) pixels.Slice(offset, 3).Clear();
                    }
                }
            }

            x += 4;
        }
    }
}
