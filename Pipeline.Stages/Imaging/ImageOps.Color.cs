using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

public static partial class ImageOps
{
    /// <summary>Computes <c>(src - mean) / std</c> per channel, as MXNet's <c>color_normalize</c>.</summary>
    /// <param name="src">An (H, W, C) image; a float32 one is changed in place and returned, a uint8 one is converted to a new float32 image.</param>
    /// <param name="mean">The per-channel mean (C values, or 1 for all channels).</param>
    /// <param name="std">The per-channel standard deviation, or <see langword="null"/> for none.</param>
    /// <returns>The normalized float32 image.</returns>
    /// <exception cref="ArgumentException"><paramref name="mean"/> or <paramref name="std"/> has neither 1 nor C values.</exception>
    public static NDArray ColorNormalize(NDArray src, float[] mean, float[]? std = null)
    {
        ArgumentNullException.ThrowIfNull(mean);
        (_, int w, int c) = CheckImage(src);
        float[] meanRow = ChannelPattern(mean, c, w, nameof(mean));
        float[]? stdRow = std is null ? null : ChannelPattern(std, c, w, nameof(std));
        NDArray result = src.DType == DType.Float32 ? src : ToFloat32(src);
        Span<float> values = result.AsSpan<float>();
        int row = w * c;
        for (int offset = 0; offset < values.Length; offset += row)
        {
            Span<float> line = values.Slice(offset, row);
            System.Numerics.Tensors.TensorPrimitives.Subtract(line, meanRow, line);
            if (stdRow is not null) System.Numerics.Tensors.TensorPrimitives.Divide(line, stdRow, line);
        }

        return result;
    }

    private static float[] ChannelPattern(float[] values, int channels, int width, string name)
    {
        if (values.Length != 1 && values.Length != channels)
        {
            throw new ArgumentException($"{name} has {values.Length} values; the image has {channels} channels (give 1 or {channels}).", name);
        }

        float[] row = new float[width * channels];
        for (int i = 0; i < row.Length; i++) row[i] = values.Length == 1 ? values[0] : values[i % channels];
        return row;
    }
}
