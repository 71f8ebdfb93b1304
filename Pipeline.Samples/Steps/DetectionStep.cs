using System.Globalization;
using Pipeline.Core;
using Pipeline.Stages.Im2Rec;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Iterators;

namespace Pipeline.Samples.Steps;

/// <summary>Object detection, which the tutorial says ImageRecordIter cannot do: a few photos annotated with boxes, packed by im2rec, read back with ImageDetRecordIter's crop, pad and mirror, and drawn with their boxes.</summary>
internal sealed class DetectionStep : ITourStep
{
    /// <summary>Hand-drawn boxes (class 0 kite, 1 cloud, 2 cup) in MXNet's raw label layout: [2, 5, (id, xmin, ymin, xmax, ymax) x N].</summary>
    private static readonly (string Path, float[] Label)[] s_annotated =
    [
        ("objects/kite.jpg", [2, 5, 0, 0.64f, 0.30f, 0.715f, 0.41f, 1, 0f, 0f, 0.14f, 0.8f]),
        ("objects/kite_closeup.jpg", [2, 5, 0, 0.533f, 0.235f, 0.683f, 0.437f]),
        ("objects/colorfulcups.jpg", [2, 5, 2, 0.4f, 0.575f, 0.672f, 1f, 2, 0.256f, 0.385f, 0.49f, 0.75f, 2, 0.65f, 0f, 0.8f, 0.125f, 2, 0f, 0.54f, 0.266f, 1f, 2, 0.62f, 0.39f, 0.853f, 0.785f]),
        ("objects/cups_square.jpg", [2, 5, 2, 0.2f, 0.3f, 0.6f, 0.75f]),
    ];

    public string Name => "detection";

    public string Summary => "ImageDetRecordIter: detection labels packed by im2rec --pack-label, boxes that follow crop, pad and mirror, drawn on the images.";

    public void Run(TourContext context)
    {
        string prefix = Path.Combine(context.OutputDir, "detection");
        File.WriteAllLines(context.OutputFile("detection.lst"), s_annotated.Select((a, i) => string.Join('\t', [i.ToString(CultureInfo.InvariantCulture), .. a.Label.Select(v => v.ToString(CultureInfo.InvariantCulture)), a.Path])));
        Im2RecPacker.PackAsync(prefix + ".lst", Path.Combine(context.DataDir, "photos"), context.OutputFile("detection.rec"), context.OutputFile("detection.idx"), new Im2RecPackOptions { PackLabel = true, Resize = 160 })
            .GetAwaiter().GetResult();
        using var iter = new ImageDetRecordIter(new ImageDetRecordIterOptions
        {
            PathImgRec = prefix + ".rec",
            DataShape = [3, 128, 128],
            BatchSize = 4,
            RandCropProb = 0.8f,
            NumCropSampler = 3,
            MinCropScales = [0.5f],
            MinCropAspectRatios = [0.6f],
            MaxCropAspectRatios = [1.6f],
            MinCropObjectCoverages = [0.3f, 0.6f, 0.9f],
            RandPadProb = 0.5f,
            MaxPadScale = 2,
            RandMirrorProb = 0.5f,
            PreprocessThreads = 2,
            Seed = 4,
        });
        context.Out.WriteLine($"label rows: (batch, LabelPadWidth + 4) = {string.Join("x", iter.ProvideLabel[0].Shape)}: [channels, height, width, label length, header, objects..., -1...]");

        // Two epochs of the four images: each a new augmentation, its boxes moved with the pixels.
        for (int epoch = 0; epoch < 2; epoch++)
        {
            using (DataBatch batch = iter.Next()!)
            {
                for (int i = 0; i < batch.Data[0].GetLength(0) - batch.Pad; i++) Describe(batch, i, context, epoch);
                string name = epoch == 0 ? "detection-batch.png" : "detection-batch-epoch1.png";
                (int w, int h) = ContactSheet.Save(batch, context.OutputFile(name), new ContactSheetOptions { Columns = 4, Boxes = DetectionBoxes.RecordRows });
                context.Out.WriteLine($"saved {name} ({w}x{h}): each image with its boxes after augmentation");
                if (epoch == 0) context.Results["detection.sheet"] = (w, h);
            }

            iter.Reset();
        }
    }

    /// <summary>Prints one sample's objects, parsed from its label row.</summary>
    private static void Describe(DataBatch batch, int i, TourContext context, int epoch)
    {
        int labelWidth = batch.Label[0].GetLength(1);
        ReadOnlySpan<float> row = batch.Label[0].AsSpan<float>().Slice(i * labelWidth, labelWidth);
        DetectionLabel label = DetectionLabel.Parse(row.Slice(4, (int)row[3]));
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch} image {batch.Index![i]}: {label.Count} object(s) {string.Join(" ", Enumerable.Range(0, label.Count).Select(k => $"{label.Objects[k, 0]}@({label.Objects[k, 1]:0.00},{label.Objects[k, 2]:0.00})-({label.Objects[k, 3]:0.00},{label.Objects[k, 4]:0.00})"))}"));
    }
}
