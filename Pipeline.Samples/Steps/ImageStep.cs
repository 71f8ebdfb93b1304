using System.Diagnostics;
using System.Globalization;
using Pipeline.Core;
using Pipeline.Stages.Imaging;

namespace Pipeline.Samples.Steps;

/// <summary>The tutorial's image section: decode speed, resize and random crop, saving PNGs, and PackImage/UnpackImage.</summary>
internal sealed class ImageStep : ITourStep
{
    public string Name => "image";

    public string Summary => "ImageOps decodes (libjpeg-turbo and libpng when installed, else ImageSharp), resizes and crops with OpenCV's definitions, and packs images into records.";

    public void Run(TourContext context)
    {
        string[] photos = [.. Directory.GetFiles(Path.Combine(context.DataDir, "photos"), "*.jpg", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];
        byte[][] encoded = [.. photos.Select(File.ReadAllBytes)];
        var watch = Stopwatch.StartNew();
        int decoded = 0;
        for (int pass = 0; pass < 3; pass++)
        {
            foreach (byte[] bytes in encoded)
            {
                ImageOps.Decode(bytes).Dispose();
                decoded++;
            }
        }

        context.Out.WriteLine($"codecs: {ImageCodecs.Description}");
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"decoded {decoded} images at {decoded / watch.Elapsed.TotalSeconds:F0} images/s (1 thread)"));

        using NDArray image = ImageOps.Read(Path.Combine(context.DataDir, "photos", "objects", "kite.jpg"));
        context.Out.WriteLine($"kite.jpg: {image} (H, W, C) uint8 RGB");
        using NDArray resized = ImageOps.Resize(image, 160, 100);
        (NDArray crop, (int X, int Y, int Width, int Height) rect) = ImageOps.RandomCrop(image, (96, 96), new SeededRandom(7));
        using (crop)
        {
            File.WriteAllBytes(context.OutputFile("kite-resized.png"), ImageOps.Encode(resized, ImageFormat.Png, 3));
            File.WriteAllBytes(context.OutputFile("kite-crop.png"), ImageOps.Encode(crop, ImageFormat.Png, 3));
            context.Out.WriteLine($"resized to {resized}; random crop {rect} -> {crop}; saved kite-resized.png and kite-crop.png");
        }

        byte[] packed = ImageOps.PackImage(new Core.RecordIO.ImageRecordHeader(0, 3f, 7, 0), image, quality: 90);
        (Core.RecordIO.ImageRecordHeader header, NDArray unpacked) = ImageOps.UnpackImage(packed);
        using (unpacked) context.Out.WriteLine($"PackImage: {packed.Length} bytes; UnpackImage: label {header.Label}, id {header.Id}, image {unpacked}");
    }
}
