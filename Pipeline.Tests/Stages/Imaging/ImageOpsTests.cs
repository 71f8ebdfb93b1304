using System.Buffers.Binary;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Pipeline.Core;
using Pipeline.Core.RecordIO;
using Pipeline.Stages.Imaging;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Stages.Imaging;

/// <summary>The spec's test vectors for <c>mx.image</c>, decoding of the golden im2rec images, and bad input.</summary>
public sealed class ImageOpsTests
{
    public static TheoryData<string> Im2RecNames
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (string name in TestFiles.Im2RecNames()) data.Add(name);
            return data;
        }
    }

    [Fact]
    public void ScaleDown_SpecVectors()
    {
        Assert.Equal((640, 106), ImageOps.ScaleDown((640, 480), (720, 120)));
        Assert.Equal((360, 375), ImageOps.ScaleDown((360, 1000), (480, 500)));
        Assert.Equal((0, 0), ImageOps.ScaleDown((300, 400), (0, 0)));
    }

    [Fact]
    public void ResizeShort_480x640At256_Is256x341()
    {
        using NDArray image = NDArray.Zeros(DType.UInt8, 480, 640, 3);
        using NDArray resized = ImageOps.ResizeShort(image, 256);
        Assert.Equal([256, 341, 3], resized.Shape);
        using NDArray portrait = NDArray.Zeros(DType.UInt8, 640, 480, 3);
        using NDArray resizedPortrait = ImageOps.ResizeShort(portrait, 256);
        Assert.Equal([341, 256, 3], resizedPortrait.Shape);
    }

    [Fact]
    public void CenterCrop_SpecRectangle()
    {
        using NDArray image = NDArray.Zeros(DType.UInt8, 2321, 3482, 1);
        (NDArray crop, (int X, int Y, int Width, int Height) rect) = ImageOps.CenterCrop(image, (1000, 500));
        using (crop)
        {
            Assert.Equal((1241, 910, 1000, 500), rect);
            Assert.Equal([500, 1000, 1], crop.Shape);
        }
    }

    [Fact]
    public void ResolveInterp_SpecVectors()
    {
        Assert.Equal(Interpolation.Bicubic, ImageOps.ResolveInterp(Interpolation.Auto, (10, 10, 20, 20)));
        Assert.Equal(Interpolation.Area, ImageOps.ResolveInterp(Interpolation.Auto, (20, 20, 10, 10)));
        Assert.Equal(Interpolation.Bilinear, ImageOps.ResolveInterp(Interpolation.Auto, (10, 20, 20, 10)));
        Assert.Equal(Interpolation.Bicubic, ImageOps.ResolveInterp(Interpolation.Auto));
        Assert.InRange(ImageOps.ResolveInterp(Interpolation.Random, rng: new Random(1)), Interpolation.Nearest, Interpolation.Lanczos4);
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageOps.ResolveInterp((Interpolation)7));
    }

    [Fact]
    public void CopyMakeBorder_PerChannelValues_FillsEachChannelAndKeepsTheImage()
    {
        using NDArray image = NDArray.From(new byte[] { 1, 2, 3, 4, 5, 6 }, 1, 2, 3);
        using NDArray padded = ImageOps.CopyMakeBorder(image, 1, 0, 0, 1, [127, 128, 129]);
        Assert.Equal([2, 3, 3], padded.Shape);
        Assert.Equal(new byte[] { 127, 128, 129, 127, 128, 129, 127, 128, 129, 1, 2, 3, 4, 5, 6, 127, 128, 129 }, padded.ToArray<byte>());
        using NDArray single = ImageOps.CopyMakeBorder(image, 0, 0, 1, 0, [9]);
        Assert.Equal(new byte[] { 9, 9, 9, 1, 2, 3, 4, 5, 6 }, single.ToArray<byte>());
        Assert.Throws<ArgumentException>(() => ImageOps.CopyMakeBorder(image, 1, 1, 1, 1, [1f, 2f]));
    }

    [Theory]
    [InlineData(0, new byte[] { 9, 9, 1, 2, 3, 9, 9 })]
    [InlineData(1, new byte[] { 1, 1, 1, 2, 3, 3, 3 })]
    [InlineData(2, new byte[] { 2, 1, 1, 2, 3, 3, 2 })]
    [InlineData(3, new byte[] { 2, 3, 1, 2, 3, 1, 2 })]
    [InlineData(4, new byte[] { 3, 2, 1, 2, 3, 2, 1 })]
    public void CopyMakeBorder_SpecRowVectors(int type, byte[] expected)
    {
        using NDArray row = NDArray.From(new byte[] { 1, 2, 3 }, 1, 3, 1);
        using NDArray padded = ImageOps.CopyMakeBorder(row, 0, 0, 2, 2, type, 9);
        Assert.Equal(expected, padded.ToArray<byte>());
    }

    [Fact]
    public void ColorNormalize_IsSrcMinusMeanOverStd()
    {
        var random = new Random(3);
        byte[] pixels = new byte[7 * 5 * 3];
        random.NextBytes(pixels);
        using NDArray image = NDArray.From(pixels, 7, 5, 3);
        float[] mean = [.. Augmenters.ImageNetMean];
        float[] std = [.. Augmenters.ImageNetStd];
        using NDArray normalized = ImageOps.ColorNormalize(image, mean, std);
        float[] values = normalized.ToArray<float>();
        for (int i = 0; i < pixels.Length; i++) Assert.Equal((pixels[i] - mean[i % 3]) / std[i % 3], values[i], 1e-3f);
        Assert.Throws<ArgumentException>(() => ImageOps.ColorNormalize(image, [1f, 2f]));
    }

    [Property(MaxTest = 200)]
    public void RandomSizeCrop_RatioWithinBoundsOrCenterFallback(int seed, PositiveInt width, PositiveInt height)
    {
        int w = 8 + (width.Get % 200);
        int h = 8 + (height.Get % 200);
        using NDArray image = NDArray.Zeros(DType.UInt8, h, w, 1);
        (NDArray crop, (int X, int Y, int Width, int Height) rect) = ImageOps.RandomSizeCrop(image, (16, 16), 0.08, (0.75, 1.0), new SeededRandom(seed));
        using (crop)
        {
            Assert.Equal([16, 16, 1], crop.Shape);
            Assert.True(rect.X >= 0 && rect.Y >= 0 && rect.X + rect.Width <= w && rect.Y + rect.Height <= h);
            (int cw, int ch) = ImageOps.ScaleDown((w, h), (16, 16));
            bool fallback = rect == ((w - cw) / 2, (h - ch) / 2, cw, ch);
            double ratio = (double)rect.Width / rect.Height;

            // Rounding each side to an integer moves the ratio by up to 1/side in each direction.
            double slack = (1.0 / rect.Height) + (1.0 / rect.Width) + 0.01;
            Assert.True(fallback || (ratio >= 0.75 - slack && ratio <= 1.0 + slack), $"ratio {ratio} for {rect}");
            Assert.True(fallback || rect.Width * rect.Height >= (0.08 * w * h) - rect.Width - rect.Height - 1, $"area of {rect} in {w}x{h}");
        }
    }

    [Property(MaxTest = 40)]
    public bool Resize_ThreeChannels_EqualsEachChannelResizedAlone(PositiveInt sourceWidth, PositiveInt sourceHeight, PositiveInt width, PositiveInt height, byte interp, int seed)
    {
        // 3-channel byte images take the pixel-vector horizontal pass, single channels the gather pass: the same sums, so the same bytes.
        int sw = (sourceWidth.Get % 90) + 1, sh = (sourceHeight.Get % 60) + 1, dw = (width.Get % 90) + 1, dh = (height.Get % 60) + 1;
        var method = (Interpolation)(interp % 5);
        byte[] pixels = new byte[sw * sh * 3];
        new Random(seed).NextBytes(pixels);
        using NDArray image = NDArray.From(pixels, sh, sw, 3);
        using NDArray resized = ImageOps.Resize(image, dw, dh, method);
        byte[] all = resized.ToArray<byte>();
        for (int c = 0; c < 3; c++)
        {
            byte[] plane = new byte[sw * sh];
            for (int i = 0; i < plane.Length; i++) plane[i] = pixels[(i * 3) + c];
            using NDArray single = NDArray.From(plane, sh, sw, 1);
            using NDArray alone = ImageOps.Resize(single, dw, dh, method);
            byte[] expected = alone.ToArray<byte>();
            for (int i = 0; i < expected.Length; i++)
            {
                if (all[(i * 3) + c] != expected[i]) return false;
            }
        }

        return true;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void ResizeCrop_EqualsResizeThenCrop(int interp)
    {
        using NDArray image = ImageOps.Read(Path.Combine(TestFiles.PhotosDir, "objects", "kite_closeup.jpg"));
        var random = new Random(interp);
        foreach ((int w, int h) in new[] { (150, 100), (400, 300), (319, 213), (90, 260) })
        {
            int cw = random.Next(1, w + 1);
            int ch = random.Next(1, h + 1);
            var window = (random.Next(0, w - cw + 1), random.Next(0, h - ch + 1), cw, ch);
            using NDArray full = ImageOps.Resize(image, w, h, interp);
            using NDArray expected = ImageOps.FixedCrop(full, window.Item1, window.Item2, cw, ch);
            using NDArray fused = ImageOps.ResizeCrop(image, w, h, window, (Interpolation)interp);
            Assert.Equal(expected.Shape, fused.Shape);
            Assert.Equal(expected.ToArray<byte>(), fused.ToArray<byte>());
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => ImageOps.ResizeCrop(image, 100, 100, (50, 50, 60, 10)));
    }

    [Fact]
    public void Crops_BadRectanglesAndSizes_Throw()
    {
        using NDArray image = NDArray.Zeros(DType.UInt8, 10, 10, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageOps.FixedCrop(image, 0, 0, 0, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageOps.FixedCrop(image, 5, 5, 6, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageOps.FixedCrop(image, -1, 0, 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageOps.FixedCrop(image, 0, 0, 2, 2, (0, 4)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageOps.RandomCrop(image, (-3, 4), new Random(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageOps.CenterCrop(image, (0, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageOps.Resize(image, 0, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageOps.Resize(image, 4, 4, 9));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageOps.ResizeShort(image, -2));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageOps.CopyMakeBorder(image, 1, 1, 1, 1, 5));
        using NDArray flat = NDArray.Zeros(DType.UInt8, 10, 10);
        Assert.Throws<ArgumentException>(() => ImageOps.Resize(flat, 4, 4));

        // A crop larger than the image is scaled down to fit, then enlarged to the requested size (MXNet's behaviour).
        (NDArray big, var rect) = ImageOps.RandomCrop(image, (20, 40), new Random(1));
        using (big)
        {
            Assert.Equal([40, 20, 3], big.Shape);
            Assert.Equal((5, 10), (rect.Width, rect.Height));
        }
    }

    [Fact]
    public void Decode_BadBytes_ThrowImageDecodeException()
    {
        Assert.Throws<ImageDecodeException>(() => ImageOps.Decode([]));
        Assert.Throws<ImageDecodeException>(() => ImageOps.Decode("clearly not image content"u8));
        byte[] jpeg = File.ReadAllBytes(Path.Combine(TestFiles.PhotosDir, "objects", "kite.jpg"));
        Assert.Throws<ImageDecodeException>(() => ImageOps.Decode(jpeg.AsSpan(0, 200)));
        byte[] png = File.ReadAllBytes(Path.Combine(TestFiles.PhotosDir, "objects", "cups_rgb.png"));
        Assert.Throws<ImageDecodeException>(() => ImageOps.Decode(png.AsSpan(0, png.Length / 2)));
    }

    [Fact]
    public void Decode_PngBombHeader_IsRefusedBeforeAllocating()
    {
        byte[] png = File.ReadAllBytes(Path.Combine(TestFiles.PhotosDir, "objects", "cups_rgb.png"));
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 100_000);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 100_000);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), PngBuilder.Crc32(png.AsSpan(12, 17)));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<ImageDecodeException>(() => ImageOps.Decode(png));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20);
        Assert.Contains("100000x100000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_JpegBombHeader_IsRefusedBeforeAllocating()
    {
        byte[] jpeg = File.ReadAllBytes(Path.Combine(TestFiles.PhotosDir, "objects", "kite.jpg"));
        int sof = FindSof(jpeg);
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 5), 65000);
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 7), 65000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<ImageDecodeException>(() => ImageOps.Decode(jpeg));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20);
        Assert.Contains("65000x65000", error.Message, StringComparison.Ordinal);
        Assert.Throws<ImageDecodeException>(() => ImageOps.Decode(File.ReadAllBytes(Path.Combine(TestFiles.PhotosDir, "objects", "kite.jpg")), new ImageDecodeOptions { MaxPixels = 1000 }));
    }

    [Theory]
    [MemberData(nameof(Im2RecNames))]
    public void Decode_EveryGoldenIm2RecImage_HasTheManifestsSize(string name)
    {
        using JsonDocument manifest = TestFiles.Json(Path.Combine(TestFiles.Im2RecDir, name + ".json"));
        using var reader = new RecordIOReader(TestFiles.Im2RecRec(name));
        foreach (JsonElement expected in manifest.RootElement.GetProperty("records").EnumerateArray())
        {
            (ImageRecordHeader _, ReadOnlyMemory<byte> payload) = ImageRecord.Unpack(reader.Read()!);
            JsonElement color = expected.GetProperty("decoded_color");
            JsonElement unchanged = expected.GetProperty("decoded_unchanged");
            using NDArray oriented = ImageOps.Decode(payload.Span, new ImageDecodeOptions { AutoOrient = true });
            Assert.Equal([color.GetProperty("height").GetInt32(), color.GetProperty("width").GetInt32(), 3], oriented.Shape);
            using NDArray stored = ImageOps.Decode(payload.Span, color: unchanged.GetProperty("channels").GetInt32() != 1);
            Assert.Equal(unchanged.GetProperty("height").GetInt32(), stored.GetLength(0));
            Assert.Equal(unchanged.GetProperty("width").GetInt32(), stored.GetLength(1));
            if (expected.GetProperty("payload_format").GetString() == "png")
            {
                // PNG is lossless: our pixels must equal OpenCV's exactly (its are BGR).
                byte[] bgr = oriented.ToArray<byte>();
                for (int i = 0; i < bgr.Length; i += 3) (bgr[i], bgr[i + 2]) = (bgr[i + 2], bgr[i]);
                Assert.Equal(color.GetProperty("pixels_sha256").GetString(), TestFiles.Sha256(bgr));
            }
        }
    }

    [Fact]
    public void PackImageUnpackImage_RoundTrip()
    {
        using NDArray image = ImageOps.Read(Path.Combine(TestFiles.PhotosDir, "objects", "cups_rgb.png"));
        byte[] png = ImageOps.PackImage(new ImageRecordHeader(0, 3f, 7, 0), image, quality: 3, format: ".PNG");
        (ImageRecordHeader header, NDArray back) = ImageOps.UnpackImage(png);
        using (back)
        {
            Assert.Equal(3f, header.Label);
            Assert.Equal(7UL, header.Id);
            Assert.Equal(image.ToArray<byte>(), back.ToArray<byte>());
        }

        byte[] jpeg = ImageOps.PackImage(new ImageRecordHeader(0, 1f, 1, 0) { Labels = [1f, 2f] }, image, quality: 90);
        (ImageRecordHeader jpegHeader, NDArray decoded) = ImageOps.UnpackImage(jpeg);
        using (decoded)
        {
            Assert.Equal(2u, jpegHeader.Flag);
            Assert.Equal(image.Shape, decoded.Shape);
            double mean = image.ToArray<byte>().Zip(decoded.ToArray<byte>(), (a, b) => Math.Abs(a - b)).Average();
            Assert.True(mean < 4, $"mean JPEG error {mean}");
        }

        (_, NDArray gray) = ImageOps.UnpackImage(jpeg, color: false);
        using (gray) Assert.Equal([image.GetLength(0), image.GetLength(1), 1], gray.Shape);
        Assert.Throws<ArgumentException>(() => ImageOps.PackImage(default, image, format: ".tiff"));
    }

    private static int FindSof(byte[] jpeg)
    {
        for (int i = 2; i + 1 < jpeg.Length; i++)
        {
            if (jpeg[i] == 0xFF && jpeg[i + 1] is 0xC0 or 0xC1 or 0xC2) return i;
        }

        throw new InvalidDataException("No SOF marker.");
    }
}
