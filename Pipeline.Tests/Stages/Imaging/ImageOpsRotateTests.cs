using Pipeline.Core;
using Pipeline.Stages.Imaging;

namespace Pipeline.Tests.Stages.Imaging;

public sealed class ImageOpsRotateTests
{
    [Fact]
    public void Rotate_ZeroDegrees_IsTheIdentity_AndUInt8BecomesFloat32()
    {
        byte[] pixels = [.. Enumerable.Range(0, 4 * 5 * 3).Select(i => (byte)(i * 4))];
        using NDArray src = NDArray.From(pixels, 4, 5, 3);
        using NDArray rotated = ImageOps.Rotate(src, 0);
        Assert.Equal(DType.Float32, rotated.DType);
        Assert.Equal(pixels.Select(p => (float)p), rotated.ToArray<float>());
    }

    [Fact]
    public void Rotate_90And180_MoveWholePixels()
    {
        using NDArray src = NDArray.From(new float[] { 0, 1, 2, 3, 4, 5, 6, 7, 8 }, 3, 3, 1);
        using NDArray quarter = ImageOps.Rotate(src, 90);
        Assert.Equal([2f, 5, 8, 1, 4, 7, 0, 3, 6], quarter.ToArray<float>().Select(v => MathF.Round(v, 4)));
        using NDArray half = ImageOps.Rotate(src, 180);
        Assert.Equal([8f, 7, 6, 5, 4, 3, 2, 1, 0], half.ToArray<float>().Select(v => MathF.Round(v, 4)));
    }

    // MXNet's test_imrotate: a linear ramp rotated by 6 degrees equals scipy.ndimage.rotate(order=1) away from the edges;
    // bilinear sampling is exact on a ramp, so the expected value is the ramp at MXNet's source coordinates.
    [Fact]
    public void Rotate_Ramp_MatchesBilinearSamplingOfMXNetsGrid()
    {
        const int h = 30, w = 60;
        float[] ramp = new float[h * w];
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++) ramp[(y * w) + x] = (0.5f * y / (h - 1)) + (0.5f * x / (w - 1));
        }

        using NDArray src = NDArray.From(ramp, h, w, 1);
        using NDArray rotated = ImageOps.Rotate(src, 6);
        float[] output = rotated.ToArray<float>();
        double a = 6 * Math.PI / 180, cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
        for (int y = 10; y < 20; y++)
        {
            for (int x = 20; x < 40; x++)
            {
                double sx = ((x - cx) * Math.Cos(a)) - ((y - cy) * Math.Sin(a)) + cx;
                double sy = ((x - cx) * Math.Sin(a)) + ((y - cy) * Math.Cos(a)) + cy;
                Assert.Equal((0.5 * sy / (h - 1)) + (0.5 * sx / (w - 1)), output[(y * w) + x], 1e-5);
            }
        }

        // Outside the source, zeros (no wrap, no clamping): the top-left corner turns out of the image.
        Assert.Equal(0f, output[0]);
    }

    [Fact]
    public void Rotate_ZoomInShowsNoPadding_ZoomOutShowsTheWholeImage()
    {
        using NDArray ones = NDArray.From(Enumerable.Repeat((byte)1, 20 * 40 * 3).ToArray(), 20, 40, 3);
        using NDArray plain = ImageOps.Rotate(ones, 30);
        using NDArray zoomedIn = ImageOps.Rotate(ones, 30, zoomIn: true);
        using NDArray zoomedOut = ImageOps.Rotate(ones, -30, zoomOut: true);
        float[] inside = zoomedIn.ToArray<float>(), outside = zoomedOut.ToArray<float>();
        Assert.Contains(0f, plain.ToArray<float>());
        // MXNet sizes the zoom from a W x H frame while its grid spans (W - 1) x (H - 1), so a corner pixel may keep a
        // fraction of padding; no pixel is padding alone.
        Assert.All(inside, v => Assert.InRange(v, 0.5f, 1.0001f));
        Assert.InRange(inside.Count(v => v < 0.99f), 0, 4 * 3);

        // Zooming out leaves padding in the corners, and shows less of the image than rotating alone does.
        Assert.Equal(0f, outside[0]);
        Assert.True(outside.Sum() < plain.ToArray<float>().Sum());
        Assert.Equal(1f, outside[((10 * 40) + 20) * 3], 4);
        Assert.Throws<ArgumentException>(() => ImageOps.Rotate(ones, 30, zoomIn: true, zoomOut: true));
    }

    [Fact]
    public void RandomRotate_DrawsWithinLimits_FromTheGivenRandom_AndTheAugmenterMatches()
    {
        using NDArray src = NDArray.From(Enumerable.Range(0, 8 * 8).Select(i => (byte)i).ToArray(), 8, 8, 1);
        using NDArray a = ImageOps.RandomRotate(src, (-5, 5), new SeededRandom(3));
        double angle = -5 + (10 * new SeededRandom(3).NextDouble());
        using NDArray expected = ImageOps.Rotate(src, angle);
        Assert.Equal(expected.ToArray<float>(), a.ToArray<float>());

        var aug = new RandomRotateAug((-5, 5));
        NDArray copy = NDArray.From(src.ToArray<byte>(), 8, 8, 1);
        using NDArray augmented = aug.Apply(copy, new SeededRandom(3));
        Assert.Equal(expected.ToArray<float>(), augmented.ToArray<float>());
        Assert.Equal("randomrotateaug", aug.ToString());
        Assert.Throws<ArgumentException>(() => new RandomRotateAug((5, -5)));
        Assert.Throws<ArgumentException>(() => new RandomRotateAug((0, 1), zoomIn: true, zoomOut: true));
    }
}
