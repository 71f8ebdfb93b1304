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
}
