using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;
using Pipeline.Core;
using Pipeline.Core.RecordIO;
using Pipeline.Stages.Im2Rec;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Iterators;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Stages.Imaging.Codecs;

/// <summary>
/// On the native path no ImageSharp type is loaded, so an application that references an incompatible ImageSharp
/// (3.x, 4.x) can still decode, augment and pack JPEG and PNG. Proven in a fresh load context: the library and these
/// tests are loaded again, every assembly the code asks for is recorded, and ImageSharp must never be among them.
/// </summary>
public sealed class ImageSharpConfinementTests
{
    [NativeFact]
    public void NativePath_DecodeAugmentPackAndIterate_NeverLoadsImageSharp()
    {
        NativeCodecs.Require();
        var context = new RecordingContext();
        Assembly tests = context.LoadFromAssemblyPath(typeof(ImageSharpConfinementTests).Assembly.Location);
        MethodInfo scenario = tests.GetType(typeof(NativeScenario).FullName!, throwOnError: true)!.GetMethod(nameof(NativeScenario.Run))!;
        using var temp = new TempDirectory();
        string report = (string)scenario.Invoke(null, [TestFiles.PhotosDir, temp.Path])!;

        Assert.Contains("Pipeline.Stages", context.Requested);
        Assert.StartsWith("JPEG: TurboJPEG", report, StringComparison.Ordinal);
        Assert.DoesNotContain(context.Requested, name => name.StartsWith("SixLabors", StringComparison.Ordinal));

        // The recording works: the managed codec, asked for by name, does load ImageSharp.
        MethodInfo managed = tests.GetType(typeof(NativeScenario).FullName!, throwOnError: true)!.GetMethod(nameof(NativeScenario.DecodeManaged))!;
        managed.Invoke(null, [TestFiles.PhotosDir]);
        Assert.Contains("SixLabors.ImageSharp", context.Requested);
    }

    /// <summary>Loads the library and the tests afresh (everything else is shared with the default context) and records each assembly requested.</summary>
    private sealed class RecordingContext() : AssemblyLoadContext("native-codecs-only")
    {
        public ConcurrentBag<string> Requested { get; } = [];

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            Requested.Add(assemblyName.Name!);
            return assemblyName.Name is "Pipeline.Core" or "Pipeline.Stages"
                ? LoadFromAssemblyPath(Path.Combine(AppContext.BaseDirectory, assemblyName.Name + ".dll"))
                : null;
        }
    }
}

/// <summary>What an application with its own ImageSharp does: runs inside the recording context.</summary>
internal static class NativeScenario
{
    public static string Run(string photos, string temp)
    {
        byte[] jpeg = File.ReadAllBytes(Path.Combine(photos, "objects", "kite.jpg"));
        byte[] png = File.ReadAllBytes(Path.Combine(photos, "objects", "kite_rgba.png"));

        // Decode every way, augment, encode and pack.
        using NDArray color = ImageOps.Decode(jpeg);
        using NDArray gray = ImageOps.Decode(png, color: false);
        using NDArray unchanged = ImageOps.DecodeUnchanged(png);
        using NDArray oriented = ImageOps.Decode(File.ReadAllBytes(Path.Combine(photos, "plants", "leaf_exif_orientation6.jpg")), new ImageDecodeOptions { AutoOrient = true });
        using NDArray resized = ImageOps.ResizeShort(color, 48);
        (NDArray crop, _) = ImageOps.RandomCrop(resized, (32, 32), new Random(1));
        using (crop)
        {
            using NDArray augmented = Augmenters.Create([3, 32, 32], randMirror: true, brightness: 0.2f).Aggregate(crop, (image, aug) => aug.Apply(image, new SeededRandom(1)));
            byte[] header = ImageCodecs.Default.Encode(unchanged.AsBytes(), 128, 128, 4, ImageFormat.Png, 3);
            _ = ImageCodecs.Default.ReadHeader(header);
        }

        string rec = Path.Combine(temp, "native.rec");
        using (var writer = new RecordIOWriter(rec))
        {
            writer.Write(ImageOps.PackImage(new ImageRecordHeader(0, 1f, 0, 0), color, quality: 90, format: ".jpg"));
            writer.Write(ImageOps.PackImage(new ImageRecordHeader(0, 2f, 1, 0), resized, quality: 3, format: ".png"));
            writer.Write(ImageOps.PackImage(new ImageRecordHeader(0, 3f, 2, 0), gray, ImageFormat.Png));
        }

        (ImageRecordHeader _, NDArray back) = ImageOps.UnpackImage(File.ReadAllBytes(rec).AsMemory(8));
        back.Dispose();

        // The image pipeline's fast path (decode straight into the fused resize and crop) and the 4-channel path.
        int batches = 0;
        using (var iter = new ImageRecordIter(new ImageRecordIterOptions { PathImgRec = rec, DataShape = [3, 24, 24], BatchSize = 2, Resize = 30, RandCrop = true, RandMirror = true, PreprocessThreads = 2 }))
        {
            while (iter.Next() is { } batch)
            {
                batch.Dispose();
                batches++;
            }
        }

        // im2rec: orientation applied, resized and re-encoded.
        File.WriteAllText(Path.Combine(temp, "x.lst"), "0\t0\tobjects/kite.jpg\n1\t1\tobjects/cups_rgb.png\n2\t0\tplants/leaf_exif_orientation6.jpg\n");
        Im2RecSummary summary = Im2RecPacker.PackAsync(Path.Combine(temp, "x.lst"), photos, Path.Combine(temp, "x.rec"), Path.Combine(temp, "x.idx"), new Im2RecPackOptions { Resize = 32 }).GetAwaiter().GetResult();
        if (batches != 2 || summary.Written != 3) throw new InvalidOperationException($"{batches} batches, {summary.Written} records");
        return ImageCodecs.Description;
    }

    public static void DecodeManaged(string photos) =>
        ImageOps.Decode(File.ReadAllBytes(Path.Combine(photos, "objects", "kite.jpg")), new ImageDecodeOptions { Codec = CodecPreference.Managed }).Dispose();
}
