using Pipeline.Stages.Imaging;

namespace Pipeline.Tests.Stages.Imaging;

public sealed class ImageFormatTests
{
    [Theory]
    [InlineData(".jpg", ImageFormat.Jpeg)]
    [InlineData(".JPG", ImageFormat.Jpeg)]
    [InlineData(".jpeg", ImageFormat.Jpeg)]
    [InlineData(".png", ImageFormat.Png)]
    [InlineData(".PNG", ImageFormat.Png)]
    [InlineData(".bmp", ImageFormat.Bmp)]
    public void ParseFormat_MXNetExtension_MapsToTheFormat(string extension, ImageFormat expected)
    {
        Assert.Equal(expected, ImageOps.ParseFormat(extension));
    }

    [Theory]
    [InlineData("jpg")]
    [InlineData(".tiff")]
    [InlineData("")]
    public void ParseFormat_UnknownExtension_ThrowsNamingIt(string extension)
    {
        var error = Assert.Throws<ArgumentException>(() => ImageOps.ParseFormat(extension));
        Assert.Equal("format", error.ParamName);
        Assert.Contains($"'{extension}'", error.Message, StringComparison.Ordinal);
    }
}
