using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Pipeline.Core;
using Pipeline.Stages.ImagePipeline;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Iterators;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Stages.ImagePipeline;

/// <summary>Scaled decode (PIL's draft mode): the largest DCT scale that keeps the image at least the augmenter's first resize.</summary>
public sealed class ScaledDecodeTests
{
    [Property]
    public Property ScaleFor_IsTheLargestScaleStillAtLeastTheResize(PositiveInt width, PositiveInt height, PositiveInt resize)
    {
        int w = (width.Get % 4000) + 1, h = (height.Get % 4000) + 1, r = (resize.Get % 2000) + 1;
        var augmenter = new DefaultRecordAugmenter(new DefaultAugmenterSettings { OutputHeight = 1, OutputWidth = 1, Resize = r });
        var header = new ImageHeader(ImageFormat.Jpeg, w, h, 3);
        int scale = SampleProcessor.ScaleFor(header, augmenter);
        (int targetW, int targetH) = augmenter.ResizeTarget(w, h);
        (int scaledW, int scaledH) = ImageCodec.ScaledSize(header, scale);
        bool fits = scaledW >= targetW && scaledH >= targetH;
        bool largest = scale == 8 || ImageCodec.ScaledSize(header, scale * 2) is var next && (next.Width < targetW || next.Height < targetH);
        return ((fits || scale == 1) && largest && scale is 1 or 2 or 4 or 8).Label($"{w}x{h} to {targetW}x{targetH}: scale {scale}");
    }

    [NativeFact]
    public async Task ImageRecordIter_WithScaledDecode_IsCloseToFullDecode_AndThreadIndependent()
    {
        NativeCodecs.Require();
        var options = new ImageRecordIterOptions
        {
            PathImgRec = Path.Combine(TestFiles.Im2RecDir, "im2rec-passthrough.rec"),
            DataShape = [3, 48, 48],
            BatchSize = 8,
            Resize = 56,
            RandCrop = true,
            RandMirror = true,
            Seed = 5,
            PreprocessThreads = 1,
        };
        List<BatchCopy> full = await EpochOf(options);
        List<BatchCopy> scaled = await EpochOf(options with { ScaledDecode = true });
        List<BatchCopy> scaledTwoThreads = await EpochOf(options with { ScaledDecode = true, PreprocessThreads = 2 });

        float[] a = [.. full.SelectMany(b => b.Data[0])];
        float[] b = [.. scaled.SelectMany(b => b.Data[0])];
        Assert.Equal(b, scaledTwoThreads.SelectMany(x => x.Data[0]));
        Assert.NotEqual(a, b);

        // Same crops and mirrors, different resampling: the images stay close (the photos are 200-640 pixels a side).
        double meanDifference = a.Zip(b, (x, y) => Math.Abs(x - y)).Average();
        Assert.InRange(meanDifference, 0.01, 12);
    }

    private static async Task<List<BatchCopy>> EpochOf(ImageRecordIterOptions options)
    {
        using var iter = new ImageRecordIter(options);
        return await Batches.EpochAsync(iter);
    }
}
