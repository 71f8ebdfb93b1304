using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Pipeline.Core;
using Pipeline.Core.RecordIO;
using Pipeline.Stages.Im2Rec;
using Pipeline.Stages.Imaging;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Stages.Im2Rec;

/// <summary>im2rec against the golden outputs of the real tool, list mode against im2rec.py's rules, and the rec utilities.</summary>
public sealed class Im2RecTests
{
    [Fact]
    public void PythonRandom_ShuffleMatchesCPython()
    {
        int[] ten = [.. Enumerable.Range(0, 10)];
        new PythonRandom(100).Shuffle(ten);
        Assert.Equal([4, 0, 5, 9, 3, 1, 6, 8, 7, 2], ten);
        int[] many = [.. Enumerable.Range(0, 24)];
        new PythonRandom(100).Shuffle(many);
        Assert.Equal([10, 9, 21, 20, 6, 19, 2, 15, 0, 23, 7, 18, 17, 1, 8, 3, 16, 13, 11, 12, 5, 22, 14, 4], many);
        int[] five = [.. Enumerable.Range(0, 5)];
        new PythonRandom(7).Shuffle(five);
        Assert.Equal([4, 0, 3, 1, 2], five);
        var random = new PythonRandom(100);
        Assert.Equal([625644691u, 1973661107u, 1953896601u], new[] { random.NextUInt32(), random.NextUInt32(), random.NextUInt32() });
    }

    [Fact]
    public async Task PassThrough_IsByteIdenticalToGoldenRecAndIdx()
    {
        using var temp = new TempDirectory();
        Im2RecSummary summary = await Im2RecPacker.PackAsync(Path.Combine(TestFiles.Im2RecDir, "images.lst"), TestFiles.PhotosDir, temp.File("p.rec"), temp.File("p.idx"), new Im2RecPackOptions { PassThrough = true, NumThreads = 3 });
        Assert.Equal(24, summary.Written);
        Assert.Empty(summary.Skipped);
        Assert.Equal(File.ReadAllBytes(Path.Combine(TestFiles.Im2RecDir, "im2rec-passthrough.rec")), File.ReadAllBytes(temp.File("p.rec")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(TestFiles.Im2RecDir, "im2rec-passthrough.idx")), File.ReadAllBytes(temp.File("p.idx")));
    }

    [Theory]
    [InlineData("im2rec-default", "images.lst", 0, false, 95, ".jpg", 1, false)]
    [InlineData("im2rec-resize64-q90", "images.lst", 64, false, 90, ".jpg", 1, false)]
    [InlineData("im2rec-packlabel2", "images-2labels.lst", 64, false, 90, ".jpg", 1, true)]
    [InlineData("im2rec-labelwidth2-nopack", "images-2labels.lst", 32, false, 90, ".jpg", 1, false)]
    [InlineData("im2rec-resize48-png", "images.lst", 48, false, 95, ".png", 1, false)]
    [InlineData("im2rec-centercrop64-q90", "images.lst", 64, true, 90, ".jpg", 1, false)]
    [InlineData("im2rec-unchangedcolor-resize48-png", "images.lst", 48, false, 95, ".png", -1, false)]
    [InlineData("im2rec-gray-resize48-q90", "images.lst", 48, false, 90, ".jpg", 0, false)]
    public async Task Reencoded_HasGoldenHeadersSizesAndPixels(string name, string list, int resize, bool centerCrop, int quality, string encoding, int color, bool packLabel)
    {
        using var temp = new TempDirectory();
        var options = new Im2RecPackOptions { Resize = resize, CenterCrop = centerCrop, Quality = quality, Encoding = ImageOps.ParseFormat(encoding), Color = color, PackLabel = packLabel, NumThreads = 2 };
        await Im2RecPacker.PackAsync(Path.Combine(TestFiles.Im2RecDir, list), TestFiles.PhotosDir, temp.File("o.rec"), temp.File("o.idx"), options);
        using JsonDocument manifest = TestFiles.Json(Path.Combine(TestFiles.Im2RecDir, name + ".json"));
        using var ours = new RecordIOReader(temp.File("o.rec"));
        using var golden = new RecordIOReader(TestFiles.Im2RecRec(name));
        foreach (JsonElement expected in manifest.RootElement.GetProperty("records").EnumerateArray())
        {
            byte[] record = ours.Read()!;
            byte[] goldenRecord = golden.Read()!;
            int payloadStart = expected.GetProperty("payload_offset_in_record").GetInt32();
            Assert.Equal(expected.GetProperty("header_hex").GetString(), Convert.ToHexStringLower(record.AsSpan(0, 24)));
            Assert.Equal(goldenRecord.AsSpan(0, payloadStart).ToArray(), record.AsSpan(0, payloadStart).ToArray());
            JsonElement unchanged = expected.GetProperty("decoded_unchanged");
            using NDArray mine = ImageOps.DecodeUnchanged(record.AsSpan(payloadStart));
            using NDArray theirs = ImageOps.DecodeUnchanged(goldenRecord.AsSpan(payloadStart));
            Assert.Equal([unchanged.GetProperty("height").GetInt32(), unchanged.GetProperty("width").GetInt32(), unchanged.GetProperty("channels").GetInt32()], mine.Shape);
            double mean = mine.ToArray<byte>().Zip(theirs.ToArray<byte>(), (a, b) => Math.Abs(a - b)).Average();
            // The sources are JPEGs: ImageSharp and libjpeg-turbo decode them a few levels apart (see ImageOpsOpenCvTests),
            // and a JPEG output adds its own encoder's error on top.
            Assert.True(mean < (encoding == ".png" ? 3.0 : 6.0), $"id {expected.GetProperty("id")}: mean pixel difference {mean:F2}");
        }

        Assert.Null(ours.Read());
    }

    [NativeFact]
    public async Task Reencoded_WithTheNativeCodecs_IsByteIdenticalToTheRealIm2Rec()
    {
        // libjpeg-turbo decodes (EXIF orientation applied, as cv::imdecode) and encodes exactly as OpenCV does, so
        // without a resize the records are the real im2rec's, byte for byte.
        NativeCodecs.Require();
        using var temp = new TempDirectory();
        await Im2RecPacker.PackAsync(Path.Combine(TestFiles.Im2RecDir, "images.lst"), TestFiles.PhotosDir, temp.File("o.rec"), temp.File("o.idx"), new Im2RecPackOptions { Quality = 95, NumThreads = 2 });
        Assert.Equal(File.ReadAllBytes(TestFiles.Im2RecRec("im2rec-default")), File.ReadAllBytes(temp.File("o.rec")));
    }

    [NativeTheory]
    [InlineData(128, Interpolation.Bilinear)]
    [InlineData(256, Interpolation.Bilinear)]
    [InlineData(150, Interpolation.Bicubic)]
    public async Task PlanarResize_DecodesWithinTwoLevelsOfTheRgbPath(int resize, Interpolation interp)
    {
        // Resizing Y, Cb and Cr directly skips the colour conversions and chroma resampling of decode-resize-encode; the
        // records must still carry the same headers and sizes and, decoded, nearly the same pixels.
        NativeCodecs.Require();
        using var temp = new TempDirectory();
        string list = Path.Combine(TestFiles.Im2RecDir, "images.lst");
        var rgb = new Im2RecPackOptions { Resize = resize, InterMethod = interp, Quality = 95, PlanarResize = false, NumThreads = 2 };
        await Im2RecPacker.PackAsync(list, TestFiles.PhotosDir, temp.File("rgb.rec"), temp.File("rgb.idx"), rgb);
        await Im2RecPacker.PackAsync(list, TestFiles.PhotosDir, temp.File("planar.rec"), temp.File("planar.idx"), rgb with { PlanarResize = true });
        using var rgbReader = new RecordIOReader(temp.File("rgb.rec"));
        using var planarReader = new RecordIOReader(temp.File("planar.rec"));
        int records = 0, differentBytes = 0;
        double worstMean = 0;
        while (rgbReader.Read() is { } rgbRecord)
        {
            byte[] planarRecord = planarReader.Read()!;
            (ImageRecordHeader rgbHeader, ReadOnlyMemory<byte> rgbPayload) = ImageRecord.Unpack(rgbRecord);
            (ImageRecordHeader planarHeader, ReadOnlyMemory<byte> planarPayload) = ImageRecord.Unpack(planarRecord);
            Assert.Equal(rgbHeader, planarHeader);
            using NDArray expected = ImageOps.Decode(rgbPayload.Span);
            using NDArray actual = ImageOps.Decode(planarPayload.Span);
            Assert.Equal(expected.Shape, actual.Shape);
            byte[] a = expected.ToArray<byte>(), b = actual.ToArray<byte>();
            long sum = 0;
            for (int i = 0; i < a.Length; i++) sum += Math.Abs(a[i] - b[i]);
            worstMean = Math.Max(worstMean, (double)sum / a.Length);
            if (!rgbPayload.Span.SequenceEqual(planarPayload.Span)) differentBytes++;
            records++;
        }

        Assert.Null(planarReader.Read());
        Assert.Equal(24, records);
        Assert.True(differentBytes > 0, "the planar path did not run: every record is the RGB path's");
        Assert.True(worstMean < 2.5, $"worst mean pixel difference {worstMean:F2} levels");

        // Reductions past 2x always take the RGB path: byte-identical records.
        await Im2RecPacker.PackAsync(list, TestFiles.PhotosDir, temp.File("small-rgb.rec"), temp.File("small-rgb.idx"), rgb with { Resize = 32 });
        await Im2RecPacker.PackAsync(list, TestFiles.PhotosDir, temp.File("small-planar.rec"), temp.File("small-planar.idx"), rgb with { Resize = 32, PlanarResize = true });
        Assert.Equal(File.ReadAllBytes(temp.File("small-rgb.rec")), File.ReadAllBytes(temp.File("small-planar.rec")));
    }

    [Fact]
    public async Task UnreadableImage_IsSkippedAndCounted_OrStopsWithStrictLeavingNothing()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("bad.jpg"), "not an image");
        File.Copy(Path.Combine(TestFiles.PhotosDir, "objects", "kite.jpg"), temp.File("good.jpg"));
        File.WriteAllText(temp.File("x.lst"), "0\t0\tgood.jpg\n1\t1\tbad.jpg\n2\t0\tmissing.jpg\n3\t1\tgood.jpg\n");
        Im2RecSummary summary = await Im2RecPacker.PackAsync(temp.File("x.lst"), temp.Path, temp.File("x.rec"), temp.File("x.idx"), new Im2RecPackOptions());
        Assert.Equal(2, summary.Written);
        Assert.Equal(2, summary.Skipped.Count);
        Assert.Contains(summary.Skipped, s => s.Path.EndsWith("bad.jpg", StringComparison.Ordinal));
        using (var reader = new IndexedRecordIOReader(temp.File("x.idx"), temp.File("x.rec"))) Assert.Equal([0L, 3L], reader.Keys);

        await Assert.ThrowsAsync<ImageDecodeException>(() => Im2RecPacker.PackAsync(temp.File("x.lst"), temp.Path, temp.File("y.rec"), temp.File("y.idx"), new Im2RecPackOptions { Strict = true, NumThreads = 2 })).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.False(File.Exists(temp.File("y.rec")));
        Assert.False(File.Exists(temp.File("y.rec.tmp")));
        Assert.False(File.Exists(temp.File("y.idx")));
    }

    [Fact]
    public void ListMode_GeneratedTree_FollowsIm2RecPyRules()
    {
        using var temp = new TempDirectory();
        string root = temp.File("images");
        foreach (string file in new[] { "z.jpg", "a.png", "b.txt", "cats/2.jpg", "cats/1.jpg", "cats/kittens/k.jpeg", "dogs/x.JPG" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, file))!);
            File.WriteAllText(Path.Combine(root, file), "x");
        }

        Directory.CreateDirectory(Path.Combine(root, "empty"));
        (IReadOnlyList<ImageListEntry> entries, IReadOnlyList<(string Folder, int Label)> labels) = Im2RecList.Scan(root, new Im2RecListOptions { Recursive = true });
        Assert.Equal(["a.png", "z.jpg", "cats/1.jpg", "cats/2.jpg", "cats/kittens/k.jpeg", "dogs/x.JPG"], entries.Select(e => e.Path));
        Assert.Equal([0f, 0, 1, 1, 2, 3], entries.Select(e => e.Labels[0]));
        Assert.Equal([(".", 0), ("cats", 1), ("cats/kittens", 2), ("dogs", 3)], labels);

        var written = Im2RecList.Write(temp.File("data"), root, new Im2RecListOptions { Recursive = true });
        Assert.Equal(temp.File("data.lst"), Assert.Single(written).Path);

        // random.seed(100); random.shuffle(range(6)) == [2, 5, 0, 4, 3, 1] in CPython.
        Assert.Equal(
            "2\t1\tcats/1.jpg\n5\t3\tdogs/x.JPG\n0\t0\ta.png\n4\t2\tcats/kittens/k.jpeg\n3\t1\tcats/2.jpg\n1\t0\tz.jpg\n",
            File.ReadAllText(temp.File("data.lst")));

        var split = Im2RecList.Write(temp.File("s"), root, new Im2RecListOptions { Recursive = true, Shuffle = false, TrainRatio = 0.5, TestRatio = 0.2, Chunks = 2 });
        Assert.Equal(["s_0_test.lst", "s_0_val.lst", "s_0_train.lst", "s_1_test.lst", "s_1_val.lst", "s_1_train.lst"], split.Select(f => Path.GetFileName(f.Path)));
        // chunk size 3: test = int(3 * 0.2) = 0 items (file still written), train = int(3 * 0.5) = 1, val = the rest.
        Assert.Empty(split[0].Entries);
        Assert.Equal([1L, 2L], split[1].Entries.Select(e => e.Index));
        Assert.Equal([0L], split[2].Entries.Select(e => e.Index));
        Assert.Equal([4L, 5L], split[4].Entries.Select(e => e.Index));
        Assert.Equal([3L], split[5].Entries.Select(e => e.Index));
    }

    [Property(MaxTest = 100)]
    public void ListMode_TrainValTest_PartitionTheImages(PositiveInt count, PositiveInt chunks, NonNegativeInt train, NonNegativeInt test)
    {
        int n = (count.Get % 40) + 1;
        int c = (chunks.Get % 4) + 1;
        double trainRatio = (train.Get % 11) / 10.0;
        double testRatio = Math.Min(1 - trainRatio, (test.Get % 11) / 10.0);
        using var temp = new TempDirectory();
        for (int i = 0; i < n; i++) File.WriteAllText(temp.File($"img{i:D3}.jpg"), "x");
        var written = Im2RecList.Write(Path.Combine(temp.Path, "out"), temp.Path, new Im2RecListOptions { TrainRatio = trainRatio, TestRatio = testRatio, Chunks = c });
        long[] all = [.. written.SelectMany(w => w.Entries).Select(e => e.Index)];
        Assert.Equal(all.Length, all.Distinct().Count());

        // Every image lands in exactly one list, except what the nominal-chunk-size rule leaves out of a ratio < 1 split.
        if (trainRatio == 1.0 || trainRatio + testRatio < 1.0) Assert.Equal(n, all.Length);
        Assert.All(written, w => Assert.Equal(w.Entries.Select(ImageList.FormatLine), File.ReadAllLines(w.Path)));
    }
}
