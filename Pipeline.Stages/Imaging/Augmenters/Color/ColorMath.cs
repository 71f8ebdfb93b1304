namespace Pipeline.Stages.Imaging;

/// <summary>Per-pixel colour arithmetic shared by the colour augmenters.</summary>
internal static class ColorMath
{
    public const float LumaR = 0.299f;
    public const float LumaG = 0.587f;
    public const float LumaB = 0.114f;

    /// <summary>The mean over pixels of 0.299 R + 0.587 G + 0.114 B (the mean value for non-RGB images).</summary>
    public static float MeanLuma(ReadOnlySpan<float> values, int channels)
    {
        if (channels != 3)
        {
            double total = 0;
            foreach (float v in values) total += v;
            return (float)(total / values.Length);
        }

        double sum = 0;
        for (int i = 0; i < values.Length; i += 3) sum += (LumaR * values[i]) + (LumaG * values[i + 1]) + (LumaB * values[i + 2]);
        return (float)(sum / (values.Length / 3));
    }

    /// <summary>Applies a 3x3 matrix to every RGB pixel: <c>p' = M p</c>.</summary>
    public static void Transform(Span<float> values, ReadOnlySpan<float> m)
    {
        for (int i = 0; i + 2 < values.Length; i += 3)
        {
            float r = values[i];
            float g = values[i + 1];
            float b = values[i + 2];
            values[i] = (m[0] * r) + (m[1] * g) + (m[2] * b);
            values[i + 1] = (m[3] * r) + (m[4] * g) + (m[5] * b);
            values[i + 2] = (m[6] * r) + (m[7] * g) + (m[8] * b);
        }
    }

    public static void RequireRgb(Core.NDArray image, string augmenter)
    {
        if (image.GetLength(2) != 3) throw new ArgumentException($"{augmenter} needs a 3-channel RGB image; this one has {image.GetLength(2)} channels.", nameof(image));
    }
}
