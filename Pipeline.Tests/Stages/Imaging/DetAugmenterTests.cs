using FsCheck;
using FsCheck.Xunit;
using Pipeline.Core;
using Pipeline.Stages.Imaging;

namespace Pipeline.Tests.Stages.Imaging;

/// <summary>DetectionLabel, the Det*Aug augmenters, DetAugmenters.Create and MXNet's det_aug_default: behaviour and the painted-box property.</summary>
public sealed class DetAugmenterTests
{
    [Fact]
    public void Parse_HeaderAndObjects_KeepsHeaderDropsPaddingAndEmptyBoxes()
    {
        float[] raw = [3, 6, 9, 1, 0.1f, 0.2f, 0.5f, 0.6f, 7, -1, -1, -1, -1, -1, -1, 2, 0.3f, 0.3f, 0.3f, 0.9f, 8];
        DetectionLabel label = DetectionLabel.Parse(raw);
        Assert.Equal([3f, 6, 9], label.Header);
        Assert.Equal(6, label.ObjectWidth);
        Assert.Equal(1, label.Count);
        Assert.Equal(7, label.Objects[0, 5]);
        Assert.Equal([3f, 6, 9, 1, 0.1f, 0.2f, 0.5f, 0.6f, 7], label.ToArray());
    }

    [Theory]
    [InlineData(new float[] { 2 }, "at least")]
    [InlineData(new float[] { 1, 5, 0, 0, 0, 1, 1 }, "header width")]
    [InlineData(new float[] { 2, 4, 0, 0, 0, 1 }, "object width")]
    [InlineData(new float[] { 2, 5, 0, 0.1f, 0.1f, 0.5f, 0.5f, 1 }, "not a whole number")]
    [InlineData(new float[] { 2, 5, 0, 0.1f, 0.1f, 1.5f, 0.5f }, "outside [0, 1]")]
    [InlineData(new float[] { 2, 5, 0, 0.6f, 0.1f, 0.5f, 0.5f }, "xmin 0.6 > xmax 0.5")]
    [InlineData(new float[] { 2, 5, 0, 0.1f, 0.7f, 0.5f, 0.5f }, "ymin 0.7 > ymax 0.5")]
    [InlineData(new float[] { 2, 5, 0, float.NaN, 0.1f, 0.5f, 0.5f }, "outside [0, 1]")]
    public void Parse_BadLabel_FailsSayingWhy(float[] raw, string message)
    {
        FormatException error = Assert.Throws<FormatException>(() => DetectionLabel.Parse(raw));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HorizontalFlip_AlwaysFlips_MirrorsPixelsAndBoxes()
    {
        using NDArray image = Painted(20, 10, [[1, 0.1f, 0.2f, 0.3f, 0.8f]], out float[,] label);
        (NDArray flipped, float[,] boxes) = new DetHorizontalFlipAug(1).Apply(image, label, new Random(1));
        Assert.Equal(0.7f, boxes[0, 1], 5);
        Assert.Equal(0.9f, boxes[0, 3], 5);
        Assert.Equal(0.1f, label[0, 1]);
        AssertBoxesEncloseColours(flipped, boxes, tolerance: 0);
    }

    [Fact]
    public void RandomSelect_EmptyListOrSkipOne_ReturnsInputUnchanged()
    {
        Assert.Equal(1, new DetRandomSelectAug([], 0).SkipProb);
        using NDArray image = Painted(20, 10, [[1, 0.1f, 0.2f, 0.3f, 0.8f]], out float[,] label);
        (NDArray same, float[,] boxes) = new DetRandomSelectAug([new DetHorizontalFlipAug(1)], skipProb: 1).Apply(image, label, new Random(3));
        Assert.Same(image, same);
        Assert.Same(label, boxes);
    }

    [Fact]
    public void RandomPad_MovesBoxesWithTheImage()
    {
        var pad = new DetRandomPadAug(areaRange: (2f, 4f), padVal: [127, 127, 127]);
        for (int seed = 0; seed < 20; seed++)
        {
            using NDArray image = Painted(40, 30, [[1, 0.25f, 0.2f, 0.5f, 0.6f], [2, 0.6f, 0.7f, 0.9f, 1f]], out float[,] label);
            (NDArray padded, float[,] boxes) = pad.Apply(image, label, new Random(seed));
            using (padded)
            {
                Assert.True(padded.GetLength(0) * padded.GetLength(1) >= 2 * 40 * 30 - 100);
                AssertBoxesEncloseColours(padded, boxes, tolerance: 0.01);
            }
        }
    }

    [Fact]
    public void RandomCrop_TakenCrops_KeepEveryTouchedObjectCoveredAndEjectTheRest()
    {
        var crop = new DetRandomCropAug(minObjectCovered: 0.5f, aspectRatioRange: (0.5f, 2f), areaRange: (0.1f, 0.6f), minEjectCoverage: 0.3f);
        float[,] label = { { 1, 0.1f, 0.1f, 0.4f, 0.4f, 11 }, { 2, 0.5f, 0.5f, 0.9f, 0.8f, 12 } };
        int taken = 0;
        for (int seed = 0; seed < 50; seed++)
        {
            if (crop.Propose(label, 100, 120, new Random(seed)) is not { } proposal) continue;
            taken++;
            (ImageRect r, float[,] boxes) = proposal;
            double cx0 = r.X / 120.0, cy0 = r.Y / 100.0, cx1 = (r.X + r.Width) / 120.0, cy1 = (r.Y + r.Height) / 100.0;
            for (int i = 0; i < 2; i++)
            {
                double w = Math.Max(0, Math.Min(label[i, 3], cx1) - Math.Max(label[i, 1], cx0)), h = Math.Max(0, Math.Min(label[i, 4], cy1) - Math.Max(label[i, 2], cy0));
                double coverage = w * h / ((label[i, 3] - label[i, 1]) * (label[i, 4] - label[i, 2]));
                Assert.True(coverage == 0 || coverage > 0.5, $"seed {seed}: object {i} is {coverage:P0} inside the crop");
                bool kept = Enumerable.Range(0, boxes.GetLength(0)).Any(k => boxes[k, 0] == label[i, 0]);
                Assert.Equal(coverage > 0.3, kept);
            }

            for (int k = 0; k < boxes.GetLength(0); k++) Assert.Equal(boxes[k, 0] + 10, boxes[k, 5]);
        }

        Assert.InRange(taken, 10, 50);
    }

    [Fact]
    public void RandomCrop_InvalidRanges_Disable()
    {
        Assert.False(new DetRandomCropAug(areaRange: (0.5f, 0.1f)).Enabled);
        Assert.False(new DetRandomCropAug(aspectRatioRange: (0f, 1f)).Enabled);
        Assert.False(new DetRandomPadAug(areaRange: (1f, 1f)).Enabled);
        Assert.True(new DetRandomPadAug().Enabled);
    }

    [Fact]
    public void Create_EveryOption_BuildsMXNetsOrder()
    {
        IReadOnlyList<DetAugmenter> list = DetAugmenters.Create(
            [3, 300, 300], resize: 640, randCrop: 1, randPad: 1, randGray: 0.1f, randMirror: true, mean: [.. Augmenters.ImageNetMean], std: [1.1f, 1.03f, 1.05f],
            brightness: 0.1f, contrast: 0.1f, saturation: 0.1f, pcaNoise: 0.1f, hue: 0.1f, interMethod: Interpolation.Random, minObjectCovered: [0.5f],
            aspectRatioRange: (0.2f, 5f), areaRange: (0.1f, 4f), minEjectCoverage: 0.5f, maxAttempts: 50);
        string[] expected =
        [
            "resizeaug", "detrandomselectaug", "dethorizontalflipaug", "detrandomselectaug", "forceresizeaug", "castaug", "colorjitteraug", "huejitteraug",
            "lightingaug", "randomgrayaug", "colornormalizeaug",
        ];
        Assert.Equal(expected, list.Select(a => a is DetBorrowAug borrow ? borrow.Augmenter.ToString() : a.GetType().Name.ToLowerInvariant()));
        var pad = (DetRandomPadAug)((DetRandomSelectAug)list[3]).AugList[0];
        Assert.Equal((1f, 4f), pad.AreaRange);
        Assert.Equal(0, ((DetRandomSelectAug)list[1]).SkipProb);
        Assert.Equal(["resizeaug", "forceresizeaug", "castaug"], DetAugmenters.Create([3, 30, 30], resize: 40).Select(a => ((DetBorrowAug)a).Augmenter.ToString()));
    }

    [Fact]
    public void CreateMultiRandCrop_BroadcastsSingleValues()
    {
        DetRandomSelectAug select = DetAugmenters.CreateMultiRandCrop([0.1f, 0.3f, 0.5f], [(0.75f, 1.33f)], [(0.1f, 1f), (0.2f, 1f), (0.3f, 1f)], [0.3f], [50], skipProb: 0.2);
        Assert.Equal(3, select.AugList.Count);
        Assert.Equal([0.1f, 0.3f, 0.5f], select.AugList.Cast<DetRandomCropAug>().Select(c => c.MinObjectCovered));
        Assert.Equal(0.3f, ((DetRandomCropAug)select.AugList[2]).AreaRange.Min);
        Assert.Throws<ArgumentException>(() => DetAugmenters.CreateMultiRandCrop([0.1f, 0.3f], [(0.75f, 1.33f)], [(0.1f, 1f), (0.2f, 1f), (0.3f, 1f)], [0.3f], [50]));
    }

    [Fact]
    public void DefaultDet_TryCrop_SamplerConstraintsEachApplyWhenSet()
    {
        float[,] label = { { 1, 0.0f, 0.0f, 0.5f, 0.5f } };
        var augmenter = Default(new DetRecordAugmenterSettings { OutputHeight = 10, OutputWidth = 10 });
        DetCropSampler overlap = Sampler() with { MinOverlap = 0.5f };

        // IoU of the quarter box with the left half is 0.5; with the whole image 0.25.
        Assert.NotNull(augmenter.TryCrop(label, new ImageRect(0, 0, 50, 100), 100, 100, overlap));
        Assert.Null(augmenter.TryCrop(label, new ImageRect(0, 0, 100, 100), 100, 100, overlap));
        DetCropSampler objectCoverage = Sampler() with { MinObjectCoverage = 0.9f };
        Assert.Null(augmenter.TryCrop(label, new ImageRect(0, 0, 40, 100), 100, 100, objectCoverage));
        Assert.NotNull(augmenter.TryCrop(label, new ImageRect(0, 0, 60, 60), 100, 100, objectCoverage));
        DetCropSampler sampleCoverage = Sampler() with { MaxSampleCoverage = 0.5f };
        Assert.Null(augmenter.TryCrop(label, new ImageRect(0, 0, 50, 50), 100, 100, sampleCoverage));
        Assert.NotNull(augmenter.TryCrop(label, new ImageRect(0, 0, 100, 100), 100, 100, sampleCoverage));
    }

    [Fact]
    public void DefaultDet_TryCrop_EmitModes()
    {
        float[,] label = { { 1, 0.0f, 0.0f, 0.4f, 0.4f }, { 2, 0.5f, 0.5f, 1f, 1f } };
        var center = Default(new DetRecordAugmenterSettings { OutputHeight = 10, OutputWidth = 10, CropEmitMode = CropEmitMode.Center });
        var overlap = Default(new DetRecordAugmenterSettings { OutputHeight = 10, OutputWidth = 10, CropEmitMode = CropEmitMode.Overlap, EmitOverlapThresh = 0.2f });

        // The crop (0.3, 0.3)-(1, 1): object 1's centre (0.2, 0.2) is outside; 1/16 of its area is inside.
        var crop = new ImageRect(30, 30, 70, 70);
        float[,] byCenter = center.TryCrop(label, crop, 100, 100, Sampler())!;
        Assert.Equal(1, byCenter.GetLength(0));
        Assert.Equal(2, byCenter[0, 0]);
        Assert.Equal(2f / 7, byCenter[0, 1], 5);
        Assert.Equal(1, overlap.TryCrop(label, crop, 100, 100, Sampler())!.GetLength(0));
        var low = Default(new DetRecordAugmenterSettings { OutputHeight = 10, OutputWidth = 10, CropEmitMode = CropEmitMode.Overlap, EmitOverlapThresh = 0.05f });
        float[,] both = low.TryCrop(label, crop, 100, 100, Sampler())!;
        Assert.Equal(2, both.GetLength(0));
        Assert.Equal(0, both[0, 1]);
        Assert.Equal(1f / 7, both[0, 3], 5);

        // A crop that emits nothing is refused.
        Assert.Null(center.TryCrop(label, new ImageRect(41, 0, 8, 8), 100, 100, Sampler()));
    }

    [Fact]
    public void DefaultDet_Crop_SamplersOrderAndTrials()
    {
        float[,] label = { { 1, 0.1f, 0.1f, 0.3f, 0.3f } };
        var impossible = Sampler() with { MinOverlap = 0.99f, MaxTrials = 5 };
        var easy = Sampler() with { MinScale = 0.3f, MaxScale = 1f, MaxTrials = 25 };
        var augmenter = Default(new DetRecordAugmenterSettings { OutputHeight = 10, OutputWidth = 10, Samplers = [impossible, easy] });
        int found = 0;
        for (int seed = 0; seed < 20; seed++)
        {
            if (augmenter.Crop(label, 100, 100, new Random(seed)) is { } crop)
            {
                found++;
                Assert.InRange(crop.Window.Width * crop.Window.Height, 1, 100 * 100);
            }
        }

        Assert.True(found >= 15, $"{found} of 20");
        Assert.Null(Default(new DetRecordAugmenterSettings { OutputHeight = 10, OutputWidth = 10, Samplers = [impossible] }).Crop(label, 100, 100, new Random(1)));
    }

    [Fact]
    public void DefaultDet_PadAndShrink_ShowsTheCanvasAndMovesTheBoxes()
    {
        var settings = new DetRecordAugmenterSettings { OutputHeight = 1000, OutputWidth = 1000, ResizeMode = DetResizeMode.Shrink, RandPadProb = 1, MaxPadScale = 3 };
        int padded = 0;
        for (int seed = 0; seed < 20; seed++)
        {
            using NDArray image = Painted(50, 40, [[1, 0.2f, 0.2f, 0.6f, 0.5f]], out float[,] label);
            (NDArray result, float[,] boxes) = Default(settings).Apply(image, label, new Random(seed));
            using (result)
            {
                padded += result.GetLength(0) > 50 ? 1 : 0;
                AssertBoxesEncloseColours(result, boxes, tolerance: 0.02);
            }
        }

        Assert.True(padded >= 15, $"{padded} of 20 padded");
    }

    [Theory]
    [InlineData(DetResizeMode.Force, 30, 20)]
    [InlineData(DetResizeMode.Shrink, 25, 20)]
    [InlineData(DetResizeMode.Fit, 25, 20)]
    public void DefaultDet_ResizeModes(DetResizeMode mode, int height, int width)
    {
        using NDArray image = Painted(50, 40, [[1, 0.2f, 0.2f, 0.6f, 0.5f]], out float[,] label);
        (NDArray result, _) = Default(new DetRecordAugmenterSettings { OutputHeight = 30, OutputWidth = 20, ResizeMode = mode }).Apply(image, label, new Random(0));
        using (result)
        {
            Assert.Equal([height, width, 3], result.Shape);
        }

        using NDArray small = Painted(10, 8, [[1, 0.2f, 0.2f, 0.6f, 0.5f]], out _);
        (NDArray kept, _) = Default(new DetRecordAugmenterSettings { OutputHeight = 30, OutputWidth = 20, ResizeMode = DetResizeMode.Shrink }).Apply(small, label, new Random(0));
        using (kept)
        {
            Assert.Equal([10, 8, 3], kept.Shape);
        }
    }

    /// <summary>
    /// The property of the issue: paint each box's area a unique colour, augment (crop, pad, flip, resize in any combination, both
    /// MXNet's Python augmenters and its C++ <c>det_aug_default</c>), and check that every emitted box still encloses its colour and
    /// that no dropped object was more than the emit threshold inside the crop.
    /// </summary>
    [Property(MaxTest = 60)]
    public void PaintedBoxes_AnyAugmentation_BoxesFollowTheirColours(int seed, bool crop, bool pad, bool flip, bool resize, bool python)
    {
        var rng = new SeededRandom(seed);
        int height = rng.Next(40, 120), width = rng.Next(40, 120);
        float[][] objects = RandomObjects(rng, height, width);
        using NDArray image = Painted(height, width, objects, out float[,] label);
        int[] painted = [.. objects.Select(o => CountColour(image, (int)o[0]))];
        float threshold = (float)(0.1 + (0.8 * rng.NextDouble()));
        int outH = rng.Next(30, 90), outW = rng.Next(30, 90);
        NDArray result;
        float[,] boxes;
        if (python)
        {
            var chain = new List<DetAugmenter>();
            if (crop) chain.Add(new DetRandomCropAug(minObjectCovered: 0, aspectRatioRange: (0.5f, 2f), areaRange: (0.1f, 1f), minEjectCoverage: threshold));
            if (flip) chain.Add(new DetHorizontalFlipAug(0.5));
            if (pad) chain.Add(new DetRandomPadAug(areaRange: (1f, 4f), padVal: [127]));
            if (resize) chain.Add(new DetBorrowAug(new ForceResizeAug((outW, outH), Interpolation.Nearest)));
            (result, boxes) = (image, label);
            foreach (DetAugmenter augmenter in chain) (result, boxes) = augmenter.Apply(result, boxes, rng);
        }
        else
        {
            var settings = new DetRecordAugmenterSettings
            {
                OutputHeight = resize ? outH : 100_000,
                OutputWidth = resize ? outW : 100_000,
                ResizeMode = resize ? DetResizeMode.Force : DetResizeMode.Shrink,
                InterMethod = Interpolation.Nearest,
                RandCropProb = crop ? 1 : 0,
                Samplers = [Sampler() with { MinScale = 0.3f, MaxScale = 1f, MinAspectRatio = 0.5f, MaxAspectRatio = 2f }],
                CropEmitMode = CropEmitMode.Overlap,
                EmitOverlapThresh = threshold,
                RandPadProb = pad ? 1 : 0,
                MaxPadScale = 2,
                RandMirrorProb = flip ? 0.5f : 0,
            };
            (result, boxes) = Default(settings).Apply(image, label, rng);
        }

        using (result)
        {
            // Nearest resampling moves an edge by up to one output pixel.
            AssertBoxesEncloseColours(result, boxes, tolerance: resize ? 1.01 : 0.01, requireColour: !resize);
            if (resize) return;

            // Without a resize, pixels are counted exactly: a dropped object shows at most the threshold of its area.
            for (int k = 0; k < objects.Length; k++)
            {
                if (Enumerable.Range(0, boxes.GetLength(0)).Any(i => (int)boxes[i, 0] == k + 1)) continue;
                double visible = CountColour(result, k + 1) / (double)painted[k];
                Assert.True(visible <= threshold + 1e-3, $"object {k + 1} was dropped with {visible:P1} inside the crop (threshold {threshold:P1})");
            }
        }
    }

    internal static DetCropSampler Sampler() => new(0, 1, 1, 1, 0, 1, 0, 1, 0, 1, 25);

    private static DefaultDetRecordAugmenter Default(DetRecordAugmenterSettings settings) => new(settings);

    /// <summary>Up to four objects on whole pixels, each in its own cell of a 2x2 grid so that colours never overlap.</summary>
    private static float[][] RandomObjects(Random rng, int height, int width)
    {
        int count = rng.Next(1, 5);
        var objects = new float[count][];
        for (int k = 0; k < count; k++)
        {
            int cx = (k % 2) * (width / 2), cy = (k / 2) * (height / 2);
            int x0 = cx + rng.Next(0, (width / 2) - 8), y0 = cy + rng.Next(0, (height / 2) - 8);
            int x1 = rng.Next(x0 + 4, cx + (width / 2) + 1), y1 = rng.Next(y0 + 4, cy + (height / 2) + 1);
            objects[k] = [k + 1, (float)x0 / width, (float)y0 / height, (float)x1 / width, (float)y1 / height];
        }

        return objects;
    }

    private static byte[] Colour(int id) => [(byte)(30 + (id * 50)), (byte)(220 - (id * 40)), (byte)(10 + (id * 20))];

    /// <summary>An image of black with each object's box painted its colour (pixels [x0 W, x1 W) x [y0 H, y1 H)).</summary>
    private static NDArray Painted(int height, int width, float[][] objects, out float[,] label)
    {
        var image = NDArray.Zeros(DType.UInt8, height, width, 3);
        Span<byte> p = image.AsSpan<byte>();
        label = new float[objects.Length, objects[0].Length];
        for (int k = 0; k < objects.Length; k++)
        {
            for (int j = 0; j < objects[k].Length; j++) label[k, j] = objects[k][j];
            byte[] colour = Colour((int)objects[k][0]);
            int x0 = (int)MathF.Round(objects[k][1] * width), y0 = (int)MathF.Round(objects[k][2] * height), x1 = (int)MathF.Round(objects[k][3] * width), y1 = (int)MathF.Round(objects[k][4] * height);
            for (int y = y0; y < y1; y++)
            {
                for (int x = x0; x < x1; x++) colour.CopyTo(p.Slice(((y * width) + x) * 3, 3));
            }
        }

        return image;
    }

    private static int CountColour(NDArray image, int id)
    {
        byte[] colour = Colour(id);
        ReadOnlySpan<byte> p = image.AsSpan<byte>();
        int count = 0;
        for (int i = 0; i + 2 < p.Length; i += 3) count += p[i] == colour[0] && p[i + 1] == colour[1] && p[i + 2] == colour[2] ? 1 : 0;
        return count;
    }

    /// <summary>Every pixel of an emitted object's colour lies inside its box (in pixels, within <paramref name="tolerance"/>), and, when asked, the box shows its colour.</summary>
    private static void AssertBoxesEncloseColours(NDArray image, float[,] boxes, double tolerance, bool requireColour = true)
    {
        int height = image.GetLength(0), width = image.GetLength(1);
        ReadOnlySpan<byte> p = image.AsSpan<byte>();
        for (int i = 0; i < boxes.GetLength(0); i++)
        {
            int id = (int)boxes[i, 0];
            Assert.InRange(boxes[i, 1], 0f, boxes[i, 3]);
            Assert.InRange(boxes[i, 2], 0f, boxes[i, 4]);
            Assert.InRange(boxes[i, 3], boxes[i, 1], 1f);
            Assert.InRange(boxes[i, 4], boxes[i, 2], 1f);
            byte[] colour = Colour(id);
            double x0 = boxes[i, 1] * width, y0 = boxes[i, 2] * height, x1 = boxes[i, 3] * width, y1 = boxes[i, 4] * height;
            int seen = 0;
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                {
                    int at = ((y * width) + x) * 3;
                    if (p[at] != colour[0] || p[at + 1] != colour[1] || p[at + 2] != colour[2]) continue;
                    seen++;
                    Assert.True(x >= x0 - tolerance && x + 1 <= x1 + tolerance && y >= y0 - tolerance && y + 1 <= y1 + tolerance, $"object {id}: pixel ({x}, {y}) of its colour is outside its box ({x0:F2}, {y0:F2})-({x1:F2}, {y1:F2}) in a {width}x{height} image");
                }
            }

            if (requireColour && (x1 - x0) >= 1 && (y1 - y0) >= 1) Assert.True(seen > 0, $"object {id}: its box ({x0:F2}, {y0:F2})-({x1:F2}, {y1:F2}) shows none of its colour");
        }
    }
}
