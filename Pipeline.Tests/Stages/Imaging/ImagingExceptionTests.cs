using Pipeline.Core;
using Pipeline.Stages.Imaging;

namespace Pipeline.Tests.Stages.Imaging;

public sealed class ImagingExceptionTests
{
    [Fact]
    public void ImageDecodeException_IsAnImagingException()
    {
        var error = Assert.ThrowsAny<ImagingException>(() => ImageOps.Decode("clearly not image content"u8));
        Assert.IsType<ImageDecodeException>(error);
        Assert.IsAssignableFrom<PipelineException>(error);
    }

    [Fact]
    public void Constructors_KeepMessageAndCause()
    {
        var cause = new InvalidOperationException("cause");
        var error = new ImagingException("The 3x3 image is smaller than MaxCropSize 8.", cause);
        Assert.Equal("The 3x3 image is smaller than MaxCropSize 8.", error.Message);
        Assert.Same(cause, error.InnerException);
        Assert.Equal("only a message", new ImagingException("only a message").Message);
        Assert.Null(new ImagingException().InnerException);
    }
}
