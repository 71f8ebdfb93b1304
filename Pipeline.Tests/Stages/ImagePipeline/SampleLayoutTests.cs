using FsCheck;
using FsCheck.Xunit;
using Pipeline.Core;
using Pipeline.Stages.ImagePipeline;
using Pipeline.Stages.Imaging;

namespace Pipeline.Tests.Stages.ImagePipeline;

public sealed class SampleLayoutTests
{
    [Fact]
    public void Write_ImageOfTheWrongShape_ThrowsImagingExceptionNamingBothShapes()
    {
        var layout = new SampleLayout { Channels = 3, Height = 4, Width = 4 };
        using NDArray image = NDArray.Zeros(DType.UInt8, 4, 5, 3);
        byte[] slot = new byte[layout.SampleBytes];
        var error = Assert.Throws<ImagingException>(() => layout.Write(image, new Random(0), slot));
        Assert.Contains("4x5x3", error.Message, StringComparison.Ordinal);
        Assert.Contains("(3, 4, 4)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_MirroredFloat32_IsTheReversedRowsNormalized()
    {
        var layout = new SampleLayout { Channels = 1, Height = 1, Width = 3, Mean = [1f], Std = [2f], Mirror = true };
        using NDArray image = NDArray.From<byte>([1, 3, 5], 1, 3, 1);
        byte[] slot = new byte[layout.SampleBytes];
        layout.Write(image, new Random(0), slot);
        Assert.Equal([2f, 1f, 0f], System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(slot).ToArray());
    }

    [Property(MaxTest = 60)]
    public bool Write_Rgb_EqualsThePerPixelDefinition(PositiveInt height, PositiveInt width, bool mirror, int seed)
    {
        // Widths around and past the 16-pixel blocks of the vectorized loop, mirrored or not.
        int h = (height.Get % 5) + 1;
        int w = (width.Get % 70) + 1;
        var layout = new SampleLayout { Channels = 3, Height = h, Width = w, Mean = [123.68f, 116.28f, 103.53f], Std = [58.4f, 57.1f, 57.4f], Scale = 0.5f, Mirror = mirror };
        byte[] pixels = new byte[h * w * 3];
        new Random(seed).NextBytes(pixels);
        using NDArray image = NDArray.From(pixels, h, w, 3);
        byte[] slot = new byte[layout.SampleBytes];
        layout.Write(image, new Random(0), slot);
        ReadOnlySpan<float> actual = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(slot);
        for (int c = 0; c < 3; c++)
        {
            float multiply = layout.Scale / layout.Std![c];
            float add = -(layout.Mean![c] * multiply);
            for (int y = 0; y < h; y++)
            {
                for (int x = 0; x < w; x++)
                {
                    int sx = mirror ? w - 1 - x : x;
                    float expected = (pixels[(((y * w) + sx) * 3) + c] * multiply) + add;
                    if (actual[(c * h * w) + (y * w) + x] != expected) return false;
                }
            }
        }

        return true;
    }
}
