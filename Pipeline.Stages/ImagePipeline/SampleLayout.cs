using Pipeline.Core;
using Pipeline.Stages.Imaging;

namespace Pipeline.Stages.ImagePipeline;

/// <summary>The last step of an image pipeline: an (H, W, C) image into its (C, H, W) slot, with mirror, mean/std/scale normalization and the output dtype (MXNet's ProcessImage).</summary>
/// <remarks>
/// float32: <c>((p - mean) * contrast + illumination) * scale / std</c>; int8: <c>saturate(p - round(mean))</c>; uint8: raw
/// pixels (no normalization). Mirroring writes column <c>W - 1 - x</c>; a mean image is indexed by the unmirrored position.
/// </remarks>
public sealed record SampleLayout
{
    /// <summary>Gets the channels.</summary>
    public required int Channels { get; init; }

    /// <summary>Gets the height.</summary>
    public required int Height { get; init; }

    /// <summary>Gets the width.</summary>
    public required int Width { get; init; }

    /// <summary>Gets the output element type: float32, uint8 or int8.</summary>
    public DType DType { get; init; } = DType.Float32;

    /// <summary>Gets the per-channel mean (raw 0-255 units), or <see langword="null"/> for 0.</summary>
    public float[]? Mean { get; init; }

    /// <summary>Gets a per-pixel mean image in (C, H, W) order, overriding <see cref="Mean"/>.</summary>
    public float[]? MeanImage { get; init; }

    /// <summary>Gets the per-channel standard deviation, or <see langword="null"/> for 1.</summary>
    public float[]? Std { get; init; }

    /// <summary>Gets the factor applied after mean subtraction.</summary>
    public float Scale { get; init; } = 1;

    /// <summary>Gets whether every image is mirrored.</summary>
    public bool Mirror { get; init; }

    /// <summary>Gets whether images are mirrored with probability 0.5 (one draw per image).</summary>
    public bool RandMirror { get; init; }

    /// <summary>Gets MXNet's <c>max_random_contrast</c> of the normalization step.</summary>
    public float MaxRandomContrast { get; init; }

    /// <summary>Gets MXNet's <c>max_random_illumination</c> of the normalization step.</summary>
    public float MaxRandomIllumination { get; init; }

    /// <summary>Gets the bytes one sample takes.</summary>
    public int SampleBytes => Channels * Height * Width * DType.SizeInBytes();

    /// <summary>The hot path: 3-channel uint8 to float32 planes in one pass over the pixels.</summary>
    private unsafe void WriteRgbFloat(ReadOnlySpan<byte> source, int h, int w, bool mirrored, float contrast, float illumination, Span<float> destination)
    {
        Span<float> multiply = stackalloc float[3];
        Span<float> add = stackalloc float[3];
        for (int ch = 0; ch < 3; ch++)
        {
            float mean = Mean is null ? 0 : Mean[Mean.Length == 1 ? 0 : ch];
            float std = Std is null ? 1 : Std[Std.Length == 1 ? 0 : ch];
            multiply[ch] = contrast * Scale / std;
            add[ch] = (illumination * Scale / std) - (mean * multiply[ch]);
        }

        int plane = h * w;
        float m0 = multiply[0], m1 = multiply[1], m2 = multiply[2], a0 = add[0], a1 = add[1], a2 = add[2];
        fixed (byte* src = source)
        fixed (float* dst = destination)
        {
            float* r = dst;
            float* g = dst + plane;
            float* b = dst + (2 * plane);
            for (int y = 0; y < h; y++)
            {
                byte* row = src + (y * w * 3);
                int o = y * w;
                int x = 0;
                if (RgbDeinterleave.IsSupported)
                {
                    x = RgbDeinterleave.Planes(row, w, mirrored, r + o, g + o, b + o, multiply, add);
                }

                for (; x < w; x++)
                {
                    byte* p = row + (x * 3);
                    int at = o + (mirrored ? w - 1 - x : x);
                    r[at] = (p[0] * m0) + a0;
                    g[at] = (p[1] * m1) + a1;
                    b[at] = (p[2] * m2) + a2;
                }
            }
        }
    }

    /// <summary>Writes an (H, W, C) uint8 or float32 image into a (C, H, W) slot.</summary>
    /// <param name="image">The augmented image.</param>
    /// <param name="rng">The sample's generator (mirror and contrast/illumination draws).</param>
    /// <param name="destination">The slot, <see cref="SampleBytes"/> long.</param>
    /// <exception cref="ImagingException">The image's shape is not (Height, Width, Channels).</exception>
    public void Write(NDArray image, Random rng, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(rng);
        (int h, int w, int c) = ImageOps.CheckImage(image);
        if (h != Height || w != Width || c != Channels)
        {
            throw new ImagingException($"The augmented image is {h}x{w}x{c} (HxWxC) but the data shape is ({Channels}, {Height}, {Width}).");
        }

        bool mirrored = (RandMirror && rng.NextDouble() < 0.5) || Mirror;
        float contrast = 1, illumination = 0;
        if (DType != DType.UInt8 && (MaxRandomContrast != 0 || MaxRandomIllumination != 0))
        {
            contrast = (float)((rng.NextDouble() * 2 * MaxRandomContrast) - MaxRandomContrast + 1);
            illumination = (float)((rng.NextDouble() * 2 * MaxRandomIllumination) - MaxRandomIllumination);
        }

        if (DType == DType.Float32 && MeanImage is null && c == 3 && image.DType == DType.UInt8)
        {
            WriteRgbFloat(image.AsSpan<byte>(), h, w, mirrored, contrast, illumination, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(destination));
            return;
        }

        bool bytes = image.DType == DType.UInt8;
        ReadOnlySpan<byte> u8 = bytes ? image.AsSpan<byte>() : default;
        ReadOnlySpan<float> f32 = bytes ? default : image.AsSpan<float>();
        Span<float> floats = DType == DType.Float32 ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(destination) : default;
        int plane = h * w;
        for (int ch = 0; ch < c; ch++)
        {
            float mean = Mean is null ? 0 : Mean[Mean.Length == 1 ? 0 : ch];
            float std = Std is null ? 1 : Std[Std.Length == 1 ? 0 : ch];
            float multiply = contrast * Scale / std;
            float add = illumination * Scale / std;
            for (int y = 0; y < h; y++)
            {
                int rowStart = y * w;
                for (int x = 0; x < w; x++)
                {
                    int sx = mirrored ? w - 1 - x : x;
                    int source = ((rowStart + sx) * c) + ch;
                    float p = bytes ? u8[source] : f32[source];
                    int target = (ch * plane) + rowStart + x;
                    float m = MeanImage is null ? mean : MeanImage[(ch * plane) + rowStart + sx];
                    switch (DType)
                    {
                        case DType.Float32:
                            floats[target] = ((p - m) * multiply) + add;
                            break;
                        case DType.UInt8:
                            destination[target] = (byte)Math.Clamp(MathF.Round(p), 0, 255);
                            break;
                        default:
                            // MXNet subtracts std::round(mean): halves go away from zero, not to even.
                            destination[target] = (byte)(sbyte)Math.Clamp(MathF.Round(p, MidpointRounding.AwayFromZero) - MathF.Round(m, MidpointRounding.AwayFromZero), -128, 127);
                            break;
                    }
                }
            }
        }
    }
}
