using Pipeline.Core;
using Pipeline.Core.RecordIO;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Iterators;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Pipeline.ImageSharpCompat.Tests;

/// <summary>
/// Pipeline.Stages in a process whose SixLabors.ImageSharp is the newest one (see the project file): packing, decoding and
/// ImageRecordIter must work, and the application's own ImageSharp must work beside them.
/// </summary>
public class ImageSharpSideBySideTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void ImageSharp_Loaded_IsTheNewerOne()
    {
        Version version = typeof(Image).Assembly.GetName().Version!;

        Assert.True(version.Major >= 3, $"This project must run against ImageSharp 3 or later; it loaded {version}.");
    }

    [Fact]
    public void PackImage_JpegFromNDArray_UnpacksToTheSameShape()
    {
        using NDArray image = Gradient(40, 56);

        byte[] record = WithoutBindingFailure(() => ImageOps.PackImage(new ImageRecordHeader(0, 3, 7, 0), image, ImageFormat.Jpeg, 90));

        (ImageRecordHeader header, ReadOnlyMemory<byte> payload) = ImageRecord.Unpack(record);
        Assert.Equal(3f, header.Label);
        Assert.Equal(7ul, header.Id);
        Assert.Equal([0xFF, 0xD8], payload.Span[..2].ToArray());
        using NDArray decoded = WithoutBindingFailure(() => ImageOps.UnpackImage(record).Image);
        Assert.Equal([40, 56, 3], decoded.Shape);
    }

    [Fact]
    public void PackImage_PngFromNDArray_RoundTripsThePixels()
    {
        using NDArray image = Gradient(33, 21);

        byte[] record = WithoutBindingFailure(() => ImageOps.PackImage(new ImageRecordHeader(0, 1, 2, 0), image, ImageFormat.Png));

        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], ImageRecord.Unpack(record).Payload.Span[..4].ToArray());
        using NDArray decoded = WithoutBindingFailure(() => ImageOps.UnpackImage(record).Image);
        Assert.Equal([33, 21, 3], decoded.Shape);
        Assert.Equal(image.AsBytes().ToArray(), decoded.AsBytes().ToArray());
    }

    [Fact]
    public async Task ImageRecordIter_GoldenRec_YieldsBatchesOfTheDataShape()
    {
        var shapes = new List<int[]>();
        int images = 0;

        await WithoutBindingFailureAsync(async () =>
        {
            using var iter = new ImageRecordIter(new ImageRecordIterOptions
            {
                PathImgRec = TestFiles.GoldenRec,
                DataShape = [3, 48, 48],
                BatchSize = 8,
                PreprocessThreads = 2,
            });
            await foreach (DataBatch batch in iter)
            {
                shapes.Add(batch.Data[0].Shape);
                images += batch.Data[0].GetLength(0) - batch.Pad;
                batch.Dispose();
            }
        }).WaitAsync(s_timeout);

        Assert.Equal(TestFiles.GoldenRecords, images);
        Assert.All(shapes, s => Assert.Equal([8, 3, 48, 48], s));
    }

    [Fact]
    public void NewerImageSharp_LoadsTheSameJpeg_AsImageOpsDecode()
    {
        byte[] jpeg = FirstGoldenPayload();

        using Image<Rgb24> theirs = Image.Load<Rgb24>(jpeg);
        using NDArray ours = WithoutBindingFailure(() => ImageOps.Decode(jpeg));

        Assert.Equal([theirs.Height, theirs.Width, 3], ours.Shape);
        Assert.Equal((102, 64), (theirs.Width, theirs.Height));
    }

    private static byte[] FirstGoldenPayload()
    {
        using var reader = new RecordIOReader(TestFiles.GoldenRec);
        byte[] record = reader.Read() ?? throw new InvalidOperationException($"'{TestFiles.GoldenRec}' is empty.");
        return ImageRecord.Unpack(record).Payload.ToArray();
    }

    /// <summary>An (H, W, 3) uint8 image whose every pixel differs from its neighbours, so that a shape or stride mistake shows.</summary>
    private static NDArray Gradient(int height, int width)
    {
        byte[] pixels = new byte[height * width * 3];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)((i * 7) + (i / (width * 3)));
        return NDArray.From(pixels, height, width, 3);
    }

    private static T WithoutBindingFailure<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (BindingFailure(e) is { } failure)
        {
            throw FailWith(failure);
        }
    }

    private static async Task WithoutBindingFailureAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception e) when (BindingFailure(e) is { } failure)
        {
            throw FailWith(failure);
        }
    }

    /// <summary>The TypeLoadException or MissingMemberException (method, field) anywhere in the chain: Stages calling an ImageSharp API that the loaded version lacks.</summary>
    private static Exception? BindingFailure(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is TypeLoadException or MissingMemberException) return e;
        }

        return null;
    }

    private static Xunit.Sdk.XunitException FailWith(Exception failure) =>
        new($"Pipeline.Stages bound to an ImageSharp API missing from the loaded SixLabors.ImageSharp {typeof(Image).Assembly.GetName().Version}: {failure.GetType().FullName}: {failure.Message}", failure);
}
