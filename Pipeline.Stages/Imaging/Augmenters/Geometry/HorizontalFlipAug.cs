using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

/// <summary>With probability p, mirrors the image left to right, as MXNet's <c>HorizontalFlipAug</c>.</summary>
/// <param name="p">The probability, 0 to 1.</param>
public sealed class HorizontalFlipAug(double p) : Augmenter
{
    /// <summary>Gets the probability.</summary>
    public double P { get; } = p is >= 0 and <= 1 ? p : throw new ArgumentOutOfRangeException(nameof(p), p, "The probability must be in [0, 1].");

    /// <inheritdoc />
    public override NDArray Apply(NDArray src, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        (int h, int w, int c) = ImageOps.CheckImage(src);
        if (rng.NextDouble() >= P) return src;
        Flip(src.AsBytes(), h, w, c * src.DType.SizeInBytes());
        return src;
    }

    /// <summary>Mirrors rows of <paramref name="pixelBytes"/>-byte pixels in place.</summary>
    internal static void Flip(Span<byte> data, int height, int width, int pixelBytes)
    {
        if (pixelBytes == 3)
        {
            FlipRgb(data, height, width);
            return;
        }

        Span<byte> swap = stackalloc byte[pixelBytes];
        int row = width * pixelBytes;
        for (int y = 0; y < height; y++)
        {
            Span<byte> line = data.Slice(y * row, row);
            for (int left = 0, right = width - 1; left < right; left++, right--)
            {
                Span<byte> a = line.Slice(left * pixelBytes, pixelBytes);
                Span<byte> b = line.Slice(right * pixelBytes, pixelBytes);
                a.CopyTo(swap);
                b.CopyTo(a);
                swap.CopyTo(b);
            }
        }
    }

    private static void FlipRgb(Span<byte> data, int height, int width)
    {
        int row = width * 3;
        for (int y = 0; y < height; y++)
        {
            Span<byte> line = data.Slice(y * row, row);
            for (int left = 0, right = row - 3; left < right; left += 3, right -= 3)
            {
                (line[left], line[right]) = (line[right], line[left]);
                (line[left + 1], line[right + 1]) = (line[right + 1], line[left + 1]);
                (line[left + 2], line[right + 2]) = (line[right + 2], line[left + 2]);
            }
        }
    }
}
