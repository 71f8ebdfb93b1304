namespace Pipeline.Stages.Imaging.Internal;

/// <summary>OpenCV's 8-bit RGB/HLS conversions (H in 0-180, L and S in 0-255).</summary>
internal static class Hls
{
    private static readonly int[,] s_sector = { { 1, 3, 0 }, { 1, 0, 2 }, { 3, 0, 1 }, { 0, 2, 1 }, { 0, 1, 3 }, { 2, 1, 0 } };

    public static (int H, int L, int S) FromRgb(byte red, byte green, byte blue)
    {
        float r = red / 255f, g = green / 255f, b = blue / 255f;
        float max = MathF.Max(r, MathF.Max(g, b));
        float min = MathF.Min(r, MathF.Min(g, b));
        float diff = max - min;
        float l = (max + min) * 0.5f;
        float h = 0, s = 0;
        if (diff > float.Epsilon)
        {
            s = l < 0.5f ? diff / (max + min) : diff / (2 - max - min);
            diff = 60f / diff;
            if (max == r) h = (g - b) * diff;
            else if (max == g) h = ((b - r) * diff) + 120f;
            else h = ((r - g) * diff) + 240f;
            if (h < 0) h += 360f;
        }

        return (Round(h * 0.5f), Round(l * 255f), Round(s * 255f));
    }

    public static (byte R, byte G, byte B) ToRgb(int hue, int lightness, int saturation)
    {
        float h = hue * 2f, l = lightness / 255f, s = saturation / 255f;
        float r, g, b;
        if (s == 0)
        {
            r = g = b = l;
        }
        else
        {
            Span<float> tab = stackalloc float[4];
            float p2 = l <= 0.5f ? l * (1 + s) : l + s - (l * s);
            float p1 = (2 * l) - p2;
            h *= 1f / 60f;
            if (h < 0) h += 6;
            else if (h >= 6) h -= 6;
            int sector = (int)MathF.Floor(h);
            h -= sector;
            tab[0] = p2;
            tab[1] = p1;
            tab[2] = p1 + ((p2 - p1) * (1 - h));
            tab[3] = p1 + ((p2 - p1) * h);
            b = tab[s_sector[sector, 0]];
            g = tab[s_sector[sector, 1]];
            r = tab[s_sector[sector, 2]];
        }

        return ((byte)Round(r * 255f), (byte)Round(g * 255f), (byte)Round(b * 255f));
    }

    private static int Round(float value) => Math.Clamp((int)MathF.Round(value), 0, 255);
}
