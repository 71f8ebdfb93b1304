using System.Security.Cryptography;
using System.Text.Json;
using Pipeline.Core;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Imaging.Internal;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Stages.Imaging;

/// <summary>The 8-bit bilinear resize against <c>cv2.resize(INTER_LINEAR)</c> of OpenCV 4.6, byte for byte (references by tools/make_bilinear_references.py).</summary>
public sealed class FixedPointBilinearTests
{
    public static TheoryData<int> Cases()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < References.Value.Length; i++) data.Add(i);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Resize_EqualsOpenCvByteForByte(int index)
    {
        Reference r = References.Value[index];
        using NDArray image = Noise(r.Sh, r.Sw, r.Channels, r.Seed);
        using NDArray resized = ImageOps.Resize(image, r.Dw, r.Dh, Interpolation.Bilinear);
        Assert.Equal(r.Sha256, Convert.ToHexStringLower(SHA256.HashData(resized.AsSpan<byte>())));

        // The SSSE3/AVX2 code and the scalar code (other machines; groups that fit no window) give the same bytes.
        foreach (FixedPointBilinear.GroupKind code in new[] { FixedPointBilinear.GroupKind.Ssse3x16, FixedPointBilinear.GroupKind.Scalar })
        {
            if (code == FixedPointBilinear.GroupKind.Ssse3x16 && !(System.Runtime.Intrinsics.X86.Ssse3.IsSupported && System.Runtime.Intrinsics.X86.Avx2.IsSupported)) continue;
            byte[] other = new byte[r.Dw * r.Dh * r.Channels];
            FixedPointBilinear.Resize(image.AsSpan<byte>(), r.Sw, r.Sh, r.Channels, other, r.Dw, r.Dh, new ImageRect(0, 0, r.Dw, r.Dh), code);
            Assert.True(resized.AsSpan<byte>().SequenceEqual(other), $"{code} differs");
        }
    }

    [Fact]
    public void Window_EqualsTheSameRegionOfTheWholeResize()
    {
        using NDArray image = Noise(415, 500, 3, 7);
        using NDArray whole = ImageOps.Resize(image, 308, 256, Interpolation.Bilinear);
        var rng = new Random(11);
        for (int i = 0; i < 50; i++)
        {
            int w = rng.Next(1, 309), h = rng.Next(1, 257);
            var window = new ImageRect(rng.Next(0, 309 - w), rng.Next(0, 257 - h), w, h);
            using NDArray part = ImageOps.ResizeCrop(image, 308, 256, window, Interpolation.Bilinear);
            using NDArray expected = ImageOps.FixedCrop(whole, window.X, window.Y, window.Width, window.Height);
            Assert.Equal(expected.ToArray<byte>(), part.ToArray<byte>());
        }
    }

    [Fact]
    public void VerticalValue_RoundsAsOpenCvsVectorCode()
    {
        // Row sums (value * 2048 >> 4) of 255 with weights summing to 2048 give 255; equal halves of 1 and 2 (1.5) round up
        // to 2, of 2 and 3 (2.5) up to 3, where rounding to even would give 2.
        Assert.Equal(255, FixedPointBilinear.VerticalValue(32640, 32640, 1024, 1024));
        Assert.Equal(2, FixedPointBilinear.VerticalValue(1 * 128, 2 * 128, 1024, 1024));
        Assert.Equal(3, FixedPointBilinear.VerticalValue(2 * 128, 3 * 128, 1024, 1024));
        Assert.Equal(0, FixedPointBilinear.VerticalValue(0, 0, 2048, 0));
        Assert.Equal(1638, FixedPointBilinear.Coefficient(0.8f));
        Assert.Equal(1024, FixedPointBilinear.Coefficient(0.5f));
    }

    /// <summary>Byte i is the top byte of a 32-bit hash of (i, seed), as in the reference script.</summary>
    private static NDArray Noise(int h, int w, int c, int seed)
    {
        NDArray image = NDArray.Zeros(DType.UInt8, h, w, c);
        Span<byte> bytes = image.AsSpan<byte>();
        for (int i = 0; i < bytes.Length; i++)
        {
            uint v = unchecked(((uint)i * 2654435761u) + ((uint)seed * 97531u));
            v ^= v >> 15;
            v = unchecked(v * 2246822519u);
            v ^= v >> 13;
            bytes[i] = (byte)(v >> 24);
        }

        return image;
    }

    private static readonly Lazy<Reference[]> References = new(() =>
    {
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestFiles.OpenCvDir, "bilinear_random.json")));
        var list = new List<Reference>();
        foreach (JsonElement c in json.RootElement.GetProperty("cases").EnumerateArray())
        {
            list.Add(new Reference(
                c.GetProperty("channels").GetInt32(), c.GetProperty("sw").GetInt32(), c.GetProperty("sh").GetInt32(),
                c.GetProperty("dw").GetInt32(), c.GetProperty("dh").GetInt32(), c.GetProperty("seed").GetInt32(), c.GetProperty("sha256").GetString()!));
        }

        return [.. list];
    });

    private sealed record Reference(int Channels, int Sw, int Sh, int Dw, int Dh, int Seed, string Sha256);
}
