using System.Diagnostics;
using System.Globalization;
using Pipeline.Core;
using Pipeline.Stages.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Pipeline.Benchmarks.Imaging;

/// <summary>Decode rate at 1 and 2 threads and the per-image cost of resize/crop/flip/normalize, on the benchmark corpus.</summary>
internal static class ImagingThroughput
{
    public static int Run(string corpus)
    {
        if (!Directory.Exists(corpus))
        {
            Console.Error.WriteLine($"No corpus at '{corpus}'. Make it with: /usr/bin/python3 ../shared/tools/make_corpus.py {corpus} 2000");
            return 2;
        }

        string[] files = Directory.GetFiles(corpus, "*.jpg", SearchOption.AllDirectories);
        Array.Sort(files, StringComparer.Ordinal);
        byte[][] encoded = files.Select(File.ReadAllBytes).ToArray();
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
        Console.WriteLine($"corpus: {encoded.Length} JPEGs, {encoded.Sum(e => (long)e.Length) / 1e6:F1} MB, from '{corpus}'");

        foreach (byte[] bytes in encoded.Take(50)) ImageOps.Decode(bytes).Dispose();
        double decode1 = Best(() => DecodeAll(encoded, 1));
        double decode2 = Best(() => DecodeAll(encoded, 2));
        Console.WriteLine(Invariant($"decode (ImageOps.Decode, {ImageCodecs.Description}): 1 thread {encoded.Length / decode1,6:F0} img/s, 2 threads {encoded.Length / decode2,6:F0} img/s"));

        NDArray[] images = encoded.Select(e => ImageOps.Decode(e)).ToArray();
        double perDecode = decode1 / encoded.Length;
        var rng = new SeededRandom(1);
        double bilinear = PerImage(images, img => ImageOps.ResizeShort(img, 256, 1).Dispose());
        double bicubic = PerImage(images, img => ImageOps.ResizeShort(img, 256, 2).Dispose());
        NDArray[] resized = images.Select(img => ImageOps.ResizeShort(img, 256, 1)).ToArray();
        double crop = PerImage(resized, img => ImageOps.RandomCrop(img, (224, 224), rng, 1).Image.Dispose());
        NDArray[] cropped = resized.Select(img => ImageOps.RandomCrop(img, (224, 224), rng, 1).Image).ToArray();
        var flip = new HorizontalFlipAug(1);
        double flipCost = PerImage(cropped, img => flip.Apply(img, rng));
        var normalize = new ColorNormalizeAug([.. Augmenters.ImageNetMean], [.. Augmenters.ImageNetStd]);
        double normalizeCost = PerImage(cropped, img => normalize.Apply(ImageOps.ToFloat32(img), rng).Dispose());
        double fused = PerImage(images, img =>
        {
            (int h, int w) = (img.GetLength(0), img.GetLength(1));
            (int nh, int nw) = h > w ? (256 * h / w, 256) : (256, 256 * w / h);
            ImageOps.ResizeCrop(img, nw, nh, (rng.Next(0, nw - 224 + 1), rng.Next(0, nh - 224 + 1), 224, 224), Interpolation.Bilinear).Dispose();
        });
        var layout = new Pipeline.Stages.ImagePipeline.SampleLayout
        {
            Channels = 3, Height = 224, Width = 224, Mean = [.. Augmenters.ImageNetMean], Std = [.. Augmenters.ImageNetStd], RandMirror = true,
        };
        byte[] slot = new byte[layout.SampleBytes];
        double layoutCost = PerImage(cropped, img => layout.Write(img, rng, slot));
        double imageSharpResize = ImageSharpResizeShort(encoded.Take(300).ToArray());

        double total = bilinear + crop + flipCost + normalizeCost;
        Console.WriteLine(Invariant($"per image, 1 thread (mean over the corpus):"));
        Console.WriteLine(Invariant($"  decode                               {perDecode * 1e3,7:F3} ms"));
        Console.WriteLine(Invariant($"  resize-short 256, bilinear           {bilinear * 1e3,7:F3} ms  ({100 * bilinear / perDecode:F1}% of decode)"));
        Console.WriteLine(Invariant($"  resize-short 256, bicubic            {bicubic * 1e3,7:F3} ms  ({100 * bicubic / perDecode:F1}% of decode)"));
        Console.WriteLine(Invariant($"  random crop 224                      {crop * 1e3,7:F3} ms"));
        Console.WriteLine(Invariant($"  mirror                               {flipCost * 1e3,7:F3} ms"));
        Console.WriteLine(Invariant($"  cast + normalize (mean/std)          {normalizeCost * 1e3,7:F3} ms"));
        Console.WriteLine(Invariant($"  resize + crop + flip + normalize     {total * 1e3,7:F3} ms  = {100 * total / perDecode:F1}% of decode (target <= 25%)"));
        double fusedTotal = fused + flipCost + normalizeCost;
        Console.WriteLine(Invariant($"  fused resize-short 256 + crop 224 (ImageOps.ResizeCrop) {fused * 1e3,7:F3} ms"));
        Console.WriteLine(Invariant($"  fused resize/crop + flip + normalize {fusedTotal * 1e3,7:F3} ms  = {100 * fusedTotal / perDecode:F1}% of decode (target <= 25%)"));
        Console.WriteLine(Invariant($"  the pipeline's steps: fused resize/crop + SampleLayout.Write (mirror, mean/std, float32 CHW) {(fused + layoutCost) * 1e3,7:F3} ms  = {100 * (fused + layoutCost) / perDecode:F1}% of decode (layout alone {layoutCost * 1e3:F3} ms)"));
        Console.WriteLine(Invariant($"  peer: ImageSharp Mutate(Resize) short side 256, Triangle: {imageSharpResize * 1e3:F3} ms ({100 * imageSharpResize / perDecode:F1}% of decode)"));
        foreach (NDArray a in images.Concat(resized).Concat(cropped)) a.Dispose();
        return 0;
    }

    private static void DecodeAll(byte[][] encoded, int threads) =>
        Parallel.For(0, encoded.Length, new ParallelOptions { MaxDegreeOfParallelism = threads }, i => ImageOps.Decode(encoded[i]).Dispose());

    private static double PerImage(NDArray[] images, Action<NDArray> step)
    {
        foreach (NDArray image in images.Take(20)) step(image);
        return Best(() =>
        {
            foreach (NDArray image in images) step(image);
        }) / images.Length;
    }

    private static double ImageSharpResizeShort(byte[][] encoded)
    {
        Image<Rgb24>[] decoded = encoded.Select(e => Image.Load<Rgb24>(e)).ToArray();
        try
        {
            double seconds = Best(() =>
            {
                foreach (Image<Rgb24> image in decoded)
                {
                    (int w, int h) = image.Width < image.Height ? (256, 256 * image.Height / image.Width) : (256 * image.Width / image.Height, 256);
                    image.Clone(x => x.Resize(w, h, KnownResamplers.Triangle)).Dispose();
                }
            });
            return seconds / decoded.Length;
        }
        finally
        {
            foreach (Image<Rgb24> image in decoded) image.Dispose();
        }
    }

    private static double Best(Action action)
    {
        double best = double.MaxValue;
        for (int i = 0; i < 3; i++)
        {
            var watch = Stopwatch.StartNew();
            action();
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }

        return best;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
