using Pipeline.Samples.Steps;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Iterators;
using Pipeline.TorchSharp;
using TorchSharp;

namespace Pipeline.Samples.TorchSharp;

/// <summary>A small CNN trained from ImageRecordIter over the .rec that the tour's im2rec step packs (24 photos, 3 classes).</summary>
internal static class CnnSample
{
    public static async Task<double> RunAsync(TourContext context, int epochs = 15)
    {
        torch.manual_seed(1);
        string rec = ImageIterStep.EnsurePacked(context);
        string validationRec = Path.Combine(context.OutputDir, "photos_val.rec");
        using var train = new ImageRecordIter(TrainOptions(rec, batchSize: 6));
        using var validation = new ImageRecordIter(ValidationOptions(validationRec, batchSize: 6));
        using var net = Networks.SmallCnn(classes: 3);
        using var optimizer = torch.optim.SGD(net.parameters(), 0.05, momentum: 0.9);
        context.Out.WriteLine($"ImageRecordIter over {Path.GetFileName(rec)} (18 images, batches of 6), validation on {Path.GetFileName(validationRec)} (6 images: the figures show the loop at work, not a benchmark of the model):");
        double accuracy = await new Trainer(net, optimizer).FitAsync(train.AsTorch(), validation.AsTorch(), epochs, context.Out).ConfigureAwait(false);
        context.Results["torch.cnn_accuracy"] = accuracy;
        return accuracy;
    }

    /// <summary>The training pipeline: random 56x56 crops of the 64-pixel images, random mirror, ImageNet mean and std.</summary>
    public static ImageRecordIterOptions TrainOptions(string rec, int batchSize, int threads = 2, int seed = 1) => new()
    {
        PathImgRec = rec,
        DataShape = [3, 56, 56],
        BatchSize = batchSize,
        Shuffle = true,
        Seed = seed,
        SeedAug = seed,
        RandCrop = true,
        RandMirror = true,
        PreprocessThreads = threads,
        MeanR = Augmenters.ImageNetMean[0], MeanG = Augmenters.ImageNetMean[1], MeanB = Augmenters.ImageNetMean[2],
        StdR = Augmenters.ImageNetStd[0], StdG = Augmenters.ImageNetStd[1], StdB = Augmenters.ImageNetStd[2],
    };

    private static ImageRecordIterOptions ValidationOptions(string rec, int batchSize) => new()
    {
        PathImgRec = rec,
        DataShape = [3, 56, 56],
        BatchSize = batchSize,
        PreprocessThreads = 2,
        MeanR = Augmenters.ImageNetMean[0], MeanG = Augmenters.ImageNetMean[1], MeanB = Augmenters.ImageNetMean[2],
        StdR = Augmenters.ImageNetStd[0], StdG = Augmenters.ImageNetStd[1], StdB = Augmenters.ImageNetStd[2],
    };
}
