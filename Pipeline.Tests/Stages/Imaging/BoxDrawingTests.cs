using Pipeline.Core;
using Pipeline.Stages.Imaging;

namespace Pipeline.Tests.Stages.Imaging;

public sealed class BoxDrawingTests
{
    [Fact]
    public void DrawObjects_OutlinesEachBoxInItsClassColourAndSkipsPadding()
    {
        using var image = NDArray.Zeros(DType.UInt8, 100, 200, 3);
        float[] rows = [3, 0.25f, 0.2f, 0.75f, 0.8f, -1, -1, -1, -1, -1];
        BoxDrawing.DrawObjects(image, rows, objectWidth: 5, thickness: 2);
        ReadOnlySpan<byte> p = image.AsSpan<byte>();
        byte[] colour = BoxDrawing.ClassColour(3);
        byte[] Pixel(ReadOnlySpan<byte> pixels, int x, int y) => pixels.Slice(((y * 200) + x) * 3, 3).ToArray();

        // The right edge (x = 148, 149), the bottom edge (y = 78, 79), untouched inside and outside.
        Assert.Equal(colour, Pixel(p, 149, 50));
        Assert.Equal(colour, Pixel(p, 148, 50));
        Assert.Equal(colour, Pixel(p, 100, 79));
        Assert.Equal(new byte[3], Pixel(p, 147, 50));
        Assert.Equal(new byte[3], Pixel(p, 100, 50));
        Assert.Equal(new byte[3], Pixel(p, 150, 50));
        Assert.Equal(new byte[3], Pixel(p, 10, 10));

        // The id's tag sits just above the box's top-left corner, with ink of another colour on it.
        int tagged = 0, ink = 0;
        for (int y = 6; y < 20; y++)
        {
            for (int x = 50; x < 60; x++)
            {
                byte[] q = Pixel(p, x, y);
                if (q.AsSpan().SequenceEqual(colour)) tagged++;
                else ink++;
            }
        }

        Assert.True(tagged > 40 && ink > 10, $"{tagged} tag, {ink} ink pixels");
        Assert.NotEqual(BoxDrawing.ClassColour(3), BoxDrawing.ClassColour(4));
    }

    [Fact]
    public void DrawObjects_BoxAtTheEdge_IsClippedNotThrown()
    {
        using var image = NDArray.Zeros(DType.UInt8, 10, 10, 1);
        BoxDrawing.DrawObjects(image, new float[,] { { 12, 0.5f, 0.5f, 1f, 1f } });
        Assert.Equal(BoxDrawing.ClassColour(12)[0], image.AsSpan<byte>()[99]);
        using var floats = NDArray.Zeros(DType.Float32, 4, 4, 3);
        Assert.Throws<ArgumentException>(() => BoxDrawing.DrawObjects(floats, [1, 0, 0, 1, 1], 5));
    }
}
