using Pipeline.Core;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Iterators;

namespace Pipeline.Samples.Steps;

/// <summary>The tutorial's ImageRecordIter section: MXNet's default augmentation and normalization, batches saved as a contact sheet.</summary>
internal sealed class ImageRecordIterStep : ITourStep
{
    public string Name => "imagerecorditer";

    public string Summary => "ImageRecordIter decodes, augments (aug_default) and normalizes records in parallel, reproducibly, into NCHW batches.";

    public void Run(TourContext context)
    {
        string rec = ImageIterStep.EnsurePacked(context);
        float[] mean = [.. Augmenters.ImageNetMean];
        float[] std = [.. Augmenters.ImageNetStd];
        using var iter = new ImageRecordIter(new ImageRecordIterOptions
        {
            PathImgRec = rec,
            DataShape = [3, 56, 56],
            BatchSize = 8,
            RandCrop = true,
            RandMirror = true,
            MaxRotateAngle = 15,
            Brightness = 0.2f,
            MeanR = mean[0], MeanG = mean[1], MeanB = mean[2],
            StdR = std[0], StdG = std[1], StdB = std[2],
            PreprocessThreads = 2,
            SeedAug = 3,
        });
        using DataBatch batch = iter.Next()!;
        context.Out.WriteLine($"ImageRecordIter: {batch}, labels {string.Join(",", batch.Label[0].ToArray<float>())}");
        (int w, int h) = ContactSheet.Save(batch, context.OutputFile("imagerecorditer-batch.png"), new ContactSheetOptions { Columns = 4, Mean = mean, Std = std });
        context.Out.WriteLine($"saved imagerecorditer-batch.png ({w}x{h})");
        context.Out.WriteLine("stage metrics:");
        context.Out.WriteLine(iter.Metrics);
        context.Results["imagerecorditer.sheet"] = (w, h);
    }
}
