using Pipeline.Core;
using Pipeline.Stages.Imaging;

namespace Pipeline.Samples;

/// <summary>Saves a batch as a PNG grid of its images with each label drawn above its tile, where the tutorial used <c>plt.imshow</c>.</summary>
internal static class ContactSheet
{
    // A 3x5 pixel font for the characters a label needs.
    private static readonly Dictionary<char, string> s_glyphs = new()
    {
        ['0'] = "111101101101111", ['1'] = "010110010010111", ['2'] = "111001111100111", ['3'] = "111001111001111",
        ['4'] = "101101111001001", ['5'] = "111100111001111", ['6'] = "111100111101111", ['7'] = "111001001001001",
        ['8'] = "111101111101111", ['9'] = "111101111001111", ['.'] = "000000000000010", ['-'] = "000000111000000",
    };

    /// <summary>Writes the batch's (B, 3, H, W) images, de-normalized with mean/std, as a grid PNG; returns the PNG's (width, height).</summary>
    public static (int Width, int Height) Save(DataBatch batch, string path, float[] mean, float[] std, int columns = 8)
    {
        NDArray data = batch.Data[0];
        int count = data.GetLength(0), height = data.GetLength(2), width = data.GetLength(3);
        int rows = (count + columns - 1) / columns;
        const int Caption = 9;
        int sheetW = columns * (width + 2);
        int sheetH = rows * (height + Caption + 2);
        using NDArray sheet = NDArray.Zeros(DType.UInt8, sheetH, sheetW, 3);
        Span<byte> pixels = sheet.AsSpan<byte>();
        pixels.Fill(255);
        ReadOnlySpan<float> values = data.DType == DType.Float32 ? data.AsSpan<float>() : Floats(data);
        float[] labels = batch.Label.Count > 0 ? batch.Label[0].ToArray<float>() : new float[count];
        int labelWidth = labels.Length / count;
        for (int i = 0; i < count; i++)
        {
            int x0 = (i % columns) * (width + 2) + 1;
            int y0 = (i / columns) * (height + Caption + 2) + 1;
            string text = labelWidth == 1 ? labels[i].ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) : labels[i * labelWidth].ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);
            DrawText(pixels, sheetW, x0, y0 + 1, text);
            for (int c = 0; c < 3; c++)
            {
                for (int y = 0; y < height; y++)
                {
                    for (int x = 0; x < width; x++)
                    {
                        float v = (values[(((i * 3) + c) * height * width) + (y * width) + x] * std[c]) + mean[c];
                        pixels[((((y0 + Caption + y) * sheetW) + x0 + x) * 3) + c] = (byte)Math.Clamp(MathF.Round(v), 0, 255);
                    }
                }
            }
        }

        File.WriteAllBytes(path, ImageOps.Encode(sheet, ImageFormat.Png, 3));
        return (sheetW, sheetH);
    }

    private static float[] Floats(NDArray data) => data.ToArray<byte>().Select(b => (float)b).ToArray();

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
