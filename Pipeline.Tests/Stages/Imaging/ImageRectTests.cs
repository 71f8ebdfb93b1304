using FsCheck.Xunit;
using Pipeline.Stages.Imaging;

namespace Pipeline.Tests.Stages.Imaging;

public sealed class ImageRectTests
{
    [Property]
    public void Tuple_RoundTripsThroughImageRect(int x, int y, int width, int height)
    {
        (int X, int Y, int Width, int Height) tuple = (x, y, width, height);
        ImageRect rect = tuple;
        Assert.Equal(new ImageRect(x, y, width, height), rect);
        (int X, int Y, int Width, int Height) back = rect;
        Assert.Equal(tuple, back);
    }

    [Fact]
    public void Conversion_KeepsEachFieldInItsPlace()
    {
        ImageRect rect = (1, 2, 3, 4);
        Assert.Equal((1, 2, 3, 4), (rect.X, rect.Y, rect.Width, rect.Height));
        (int x, int y, int width, int height) = rect;
        Assert.Equal((1, 2, 3, 4), (x, y, width, height));
        (int X, int Y, int Width, int Height) tuple = new ImageRect(5, 6, 7, 8);
        Assert.Equal((5, 6, 7, 8), (tuple.X, tuple.Y, tuple.Width, tuple.Height));
    }
}
