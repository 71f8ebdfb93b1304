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
            BatchSize = 8,
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

        // Two epochs of four images: eight augmentations, each with its boxes moved.
        var tiles = new List<NDArray>();
        try
        {
            for (int epoch = 0; epoch < 2; epoch++)
            {
                while (iter.Next() is { } batch)
                {
                    using (batch)
                    {
                        int rows = batch.Data[0].GetLength(0) - batch.Pad;
                        for (int i = 0; i < rows; i++) tiles.Add(DrawSample(batch, i, context, epoch));
                    }
                }

                iter.Reset();
            }

            (int w, int h) = SaveSheet(tiles, context.OutputFile("detection-batch.png"), columns: 4);
            context.Out.WriteLine($"saved detection-batch.png ({w}x{h}): each image with its boxes after augmentation");
            context.Results["detection.sheet"] = (w, h);
        }
        finally
        {
            foreach (NDArray tile in tiles) tile.Dispose();
        }
    }

    /// <summary>One sample as an (H, W, 3) image with its boxes drawn, printing its label.</summary>
    private static NDArray DrawSample(DataBatch batch, int i, TourContext context, int epoch)
    {
        NDArray data = batch.Data[0];
        int height = data.GetLength(2), width = data.GetLength(3), plane = height * width;
        ReadOnlySpan<float> chw = data.AsSpan<float>().Slice(i * 3 * plane, 3 * plane);
        var image = NDArray.Zeros(DType.UInt8, height, width, 3);
        Span<byte> hwc = image.AsSpan<byte>();
        for (int p = 0; p < plane; p++)
        {
            for (int c = 0; c < 3; c++) hwc[(p * 3) + c] = (byte)Math.Clamp(MathF.Round(chw[(c * plane) + p]), 0, 255);
        }

        int labelWidth = batch.Label[0].GetLength(1);
        ReadOnlySpan<float> row = batch.Label[0].AsSpan<float>().Slice(i * labelWidth, labelWidth);
        DetectionLabel label = DetectionLabel.Parse(row.Slice(4, (int)row[3]));
        BoxDrawing.DrawObjects(image, label.Objects, thickness: 2);
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch} image {batch.Index![i]}: {label.Count} object(s) {string.Join(" ", Enumerable.Range(0, label.Count).Select(k => $"{label.Objects[k, 0]}@({label.Objects[k, 1]:0.00},{label.Objects[k, 2]:0.00})-({label.Objects[k, 3]:0.00},{label.Objects[k, 4]:0.00})"))}"));
        return image;
    }

    private static (int Width, int Height) SaveSheet(List<NDArray> tiles, string path, int columns)
    {
        int height = tiles[0].GetLength(0), width = tiles[0].GetLength(1);
        int rows = (tiles.Count + columns - 1) / columns;
        int sheetW = columns * (width + 2), sheetH = rows * (height + 2);
        using NDArray sheet = NDArray.Zeros(DType.UInt8, sheetH, sheetW, 3);
        Span<byte> pixels = sheet.AsSpan<byte>();
        pixels.Fill(255);
        for (int t = 0; t < tiles.Count; t++)
        {
            int x0 = ((t % columns) * (width + 2)) + 1, y0 = ((t / columns) * (height + 2)) + 1;
            ReadOnlySpan<byte> tile = tiles[t].AsSpan<byte>();
            for (int y = 0; y < height; y++) tile.Slice(y * width * 3, width * 3).CopyTo(pixels.Slice((((y0 + y) * sheetW) + x0) * 3));
        }

        File.WriteAllBytes(path, ImageOps.Encode(sheet, ImageFormat.Png, 3));
        return (sheetW, sheetH);
    }
}
