using System.Reflection;
using Pipeline.Core;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Iterators;

namespace Pipeline.Tests.Stages.Imaging;

/// <summary>MXNet's <c>aug_default</c> on its own settings (the record iterator's end-to-end tests are in Images/).</summary>
public sealed class DefaultRecordAugmenterTests
{
    [Fact]
    public void Apply_ImageSmallerThanMaxCropSize_ThrowsImagingException()
    {
        var augmenter = new DefaultRecordAugmenter(new DefaultAugmenterSettings { OutputHeight = 8, OutputWidth = 8, MinCropSize = 10, MaxCropSize = 20 });
        using NDArray image = NDArray.Zeros(DType.UInt8, 12, 30, 3);
        var error = Assert.Throws<ImagingException>(() => augmenter.Apply(image, new Random(1)));
        Assert.Contains("30x12", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxCropSize 20", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AcceptsDecodedPixels_OnlyForResizeThenNativeCrop()
    {
        var fusable = new DefaultAugmenterSettings { OutputHeight = 32, OutputWidth = 32, Resize = 40 };
        Assert.True(Accepts(fusable));
        Assert.False(Accepts(fusable with { Resize = -1 }));
        Assert.False(Accepts(fusable with { Pad = 2 }));
        Assert.False(Accepts(fusable with { AffineActive = true }));
        Assert.False(Accepts(fusable with { MinCropSize = 20, MaxCropSize = 30 }));
        Assert.False(Accepts(fusable with { RandomResizedCrop = true, MinRandomArea = 0.5f }));

        static bool Accepts(DefaultAugmenterSettings settings) => ((IDecodedPixelsAugmenter)new DefaultRecordAugmenter(settings)).AcceptsDecodedPixels;
    }

    [Fact]
    public void Apply_PcaNoise_UsesTheImageNetEigenvectorsOfAugmenters()
    {
        var augmenter = new DefaultRecordAugmenter(new DefaultAugmenterSettings { OutputHeight = 2, OutputWidth = 3, PcaNoise = 0.5f });
        byte[] pixels = [100, 120, 140, 10, 250, 60, 0, 255, 128, 30, 60, 90, 200, 100, 50, 77, 88, 99];
        using NDArray result = augmenter.Apply(NDArray.From((byte[])pixels.Clone(), 2, 3, 3), new Random(4));

        // The same Box-Muller draws by hand: three normals, then delta[c] = sum_j eigval[j] * eigvec[c, j] * alpha[j].
        var twin = new Random(4);
        double[] alpha = new double[3];
        for (int j = 0; j < 3; j++)
        {
            double u1 = 1.0 - twin.NextDouble();
            double u2 = twin.NextDouble();
            alpha[j] = 0.5f * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        }

        float[] eigval = [.. Augmenters.ImageNetEigval];
        float[,] eigvec = Augmenters.ImageNetEigvec;
        double[] delta = new double[3];
        for (int c = 0; c < 3; c++)
        {
            for (int j = 0; j < 3; j++) delta[c] += eigval[j] * eigvec[c, j] * alpha[j];
        }

        byte[] expected = [.. pixels.Select((p, i) => (byte)Math.Clamp((int)(p + delta[i % 3]), 0, 255))];
        Assert.NotEqual(pixels, expected);
        Assert.Equal(expected, result.ToArray<byte>());
    }

    [Fact]
    public void ImageRecordIterSettings_CarryEveryOptionTheAugmenterReads()
    {
        var options = new ImageRecordIterOptions
        {
            PathImgRec = "unused.rec", DataShape = [3, 24, 32], BatchSize = 1,
            Resize = 40, FillValue = 7, InterMethod = Interpolation.Area, RandCrop = true, Pad = 3,
            MaxRotateAngle = 5, Rotate = 2, RotateList = [1, 2], MaxShearRatio = 0.1f, MaxRandomScale = 1.2f, MinRandomScale = 0.9f,
            MaxImgSize = 500, MinImgSize = 10, MaxAspectRatio = 0.25f, RandomResizedCrop = true, MaxRandomArea = 0.9f, MinRandomArea = 0.5f,
            MaxCropSize = 30, MinCropSize = 20, Brightness = 0.1f, Contrast = 0.2f, Saturation = 0.3f,
            RandomH = 4, RandomS = 5, RandomL = 6, PcaNoise = 0.05f,
        };
        DefaultAugmenterSettings settings = ImageRecordIter.ToAugmenterSettings(options);
        var defaults = new DefaultAugmenterSettings { OutputHeight = 0, OutputWidth = 0 };
        Assert.Equal((24, 32), (settings.OutputHeight, settings.OutputWidth));
        foreach (PropertyInfo property in typeof(DefaultAugmenterSettings).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.Name is nameof(DefaultAugmenterSettings.OutputHeight) or nameof(DefaultAugmenterSettings.OutputWidth)) continue;
            PropertyInfo? option = typeof(ImageRecordIterOptions).GetProperty(property.Name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance);
            Assert.True(option is not null, $"ImageRecordIterOptions has no {property.Name}.");
            object? expected = option.GetValue(options);
            object? actual = property.GetValue(settings);
            Assert.NotEqual(property.GetValue(defaults), actual);
            if (expected is int[] angles)
            {
                Assert.Equal(angles, (int[])actual!);
                Assert.NotSame(angles, actual);
            }
            else
            {
                Assert.Equal(expected, actual);
            }
        }
    }
}
