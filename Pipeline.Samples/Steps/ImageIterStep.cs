using Pipeline.Core;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Iterators;

namespace Pipeline.Samples.Steps;

/// <summary>The tutorial's ImageIter section: batches from the packed .rec (and from the image list), saved as a contact sheet.</summary>
internal sealed class ImageIterStep : ITourStep
{
    public string Name => "imageiter";

    public string Summary => "ImageIter reads a .rec (or an image list) and augments with mx.image-style augmenters, on all cores.";

    public void Run(TourContext context)
    {
        string rec = EnsurePacked(context);
        using var iter = new ImageIter(new ImageIterOptions
        {
            BatchSize = 8,
            DataShape = [3, 64, 64],
            PathImgRec = rec,
            PathImgIdx = Path.ChangeExtension(rec, ".idx"),
            Shuffle = true,
            RandCrop = true,
            RandMirror = true,
            Seed = 1,
        });
        using DataBatch batch = iter.Next()!;
        context.Out.WriteLine($"ImageIter: {batch}, labels {string.Join(",", batch.Label[0].ToArray<float>())}");
        (int w, int h) = ContactSheet.Save(batch, context.OutputFile("imageiter-batch.png"), new ContactSheetOptions { Columns = 4, Mean = [0], Std = [1] });
        context.Out.WriteLine($"saved imageiter-batch.png ({w}x{h})");
        context.Results["imageiter.sheet"] = (w, h);
    }

    internal static string EnsurePacked(TourContext context)
    {
        string rec = Path.Combine(context.OutputDir, "photos_train.rec");
        if (!File.Exists(rec)) new Im2RecStep().Run(context);
        return rec;
    }
}
