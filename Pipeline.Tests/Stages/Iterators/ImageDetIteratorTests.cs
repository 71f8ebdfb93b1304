using System.Globalization;
using Pipeline.Core;
using Pipeline.Core.RecordIO;
using Pipeline.Stages.Im2Rec;
using Pipeline.Stages.ImagePipeline;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Iterators;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Stages.Iterators;

/// <summary>ImageDetIter and ImageDetRecordIter: MXNet's test_image_detiter and test_det_augmenters, the C++ iterator's parameters, determinism, faults.</summary>
public sealed class ImageDetIteratorTests
{
    private static readonly string[] s_photos = Directory.GetFiles(TestFiles.PhotosDir, "*.jpg", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();

    /// <summary>MXNet's <c>_generate_objects</c>: 1-9 boxes of random centre and half-size, clipped to the image, class 0-19, header [2, 5].</summary>
    internal static float[] GenerateObjects(Random rng)
    {
        int num = rng.Next(1, 10);
        var label = new List<float> { 2, 5 };
        for (int i = 0; i < num; i++)
        {
            double x = rng.NextDouble(), y = rng.NextDouble(), w = rng.NextDouble() / 2, h = rng.NextDouble() / 2;
            label.Add(rng.Next(0, 20));
            label.Add((float)Math.Clamp(x - w, 0, 1));
            label.Add((float)Math.Clamp(y - h, 0, 1));
            label.Add((float)Math.Clamp(x + w, 0, 1));
            label.Add((float)Math.Clamp(y + h, 0, 1));
        }

        return [.. label];
    }

    [Fact]
    public async Task ImageDetIter_MXNetTestImageDetIter_ListsEpochsAndSyncLabelShape()
    {
        var rng = new Random(7);
        List<(float[] Label, string Path)> list = [.. s_photos.Select(p => (GenerateObjects(rng), p))];
        int most = list.Max(e => DetectionLabel.Parse(e.Label).Count);
        using var det = new ImageDetIter(new ImageDetIterOptions { BatchSize = 2, DataShape = [3, 48, 48], ImgList = list, PathRoot = string.Empty, PreprocessThreads = 2 });
        Assert.Equal([2, most, 5], det.ProvideLabel[0].Shape);
        Assert.Equal("label", det.ProvideLabel[0].Name);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            List<BatchCopy> batches = await Batches.EpochAsync(det);
            Assert.Equal((s_photos.Length + 1) / 2, batches.Count);
            Assert.All(batches, b => Assert.Equal([2, 3, 48, 48], b.DataShapes[0]));
            Assert.All(batches, b => AssertObjectRows(b.Label[0], 5));
            det.Reset();
        }

        // The validation list has fewer objects: syncing widens it to the training shape.
        List<(float[] Label, string Path)> fewer = [.. s_photos.Select(p => (new float[] { 2, 5, 1, 0.1f, 0.1f, 0.5f, 0.5f }, p))];
        using var val = new ImageDetIter(new ImageDetIterOptions { BatchSize = 2, DataShape = [3, 48, 48], ImgList = fewer, PathRoot = string.Empty, PreprocessThreads = 2 });
        Assert.Equal([1, 5], val.LabelShape);
        Assert.Same(val, det.SyncLabelShape(val));
        Assert.Equal(det.LabelShape, val.LabelShape);
        List<BatchCopy> synced = await Batches.EpochAsync(val);
        Assert.All(synced, b => Assert.Equal([2, most, 5], b.LabelShapes[0]));
        Assert.Equal([1f, 0.1f, 0.1f, 0.5f, 0.5f, .. Enumerable.Repeat(-1f, (most - 1) * 5)], synced[0].Label[0].Take(most * 5));
        Assert.Throws<ArgumentException>(() => val.Reshape([most - 1, 5]));
        Assert.Throws<ArgumentException>(() => val.Reshape([most, 6]));

        // A batch size that does not divide the images.
        using var four = new ImageDetIter(new ImageDetIterOptions { BatchSize = 4, DataShape = [3, 48, 48], ImgList = list, PathRoot = string.Empty, PreprocessThreads = 2 });
        List<BatchCopy> last = await Batches.EpochAsync(four);
        Assert.Equal((s_photos.Length + 3) / 4, last.Count);
        Assert.Equal((4 - (s_photos.Length % 4)) % 4, last[^1].Pad);
    }

    [Fact]
    public async Task ImageDetIter_ReshapeMidEpoch_ContinuesFromTheSamePosition()
    {
        var rng = new Random(3);
        List<(float[] Label, string Path)> list = [.. s_photos.Take(8).Select(p => (GenerateObjects(rng), p))];
        ImageDetIterOptions options = new() { BatchSize = 2, DataShape = [3, 32, 32], ImgList = list, PathRoot = string.Empty, PreprocessThreads = 2, RandMirror = true, Seed = 5 };
        using var plain = new ImageDetIter(options);
        List<BatchCopy> expected = await Batches.EpochAsync(plain);
        using var reshaped = new ImageDetIter(options);
        using (DataBatch? first = await reshaped.NextAsync()) Assert.NotNull(first);
        int objects = reshaped.LabelShape[0];
        reshaped.Reshape([objects + 3, 5]);
        List<BatchCopy> rest = await Batches.EpochAsync(reshaped);
        Assert.Equal(expected.Count - 1, rest.Count);
        for (int i = 0; i < rest.Count; i++)
        {
            Assert.Equal(expected[i + 1].Data[0], rest[i].Data[0]);
            Assert.Equal([2, objects + 3, 5], rest[i].LabelShapes[0]);
            for (int row = 0; row < 2; row++)
            {
                float[] before = expected[i + 1].Label[0].Skip(row * objects * 5).Take(objects * 5).ToArray();
                float[] after = rest[i].Label[0].Skip(row * (objects + 3) * 5).Take((objects + 3) * 5).ToArray();
                Assert.Equal([.. before, .. Enumerable.Repeat(-1f, 15)], after);
            }
        }
    }

    [Fact]
    public async Task ImageDetIter_SaveAndRestoreAfterReshape_ContinuesBitIdentically()
    {
        var rng = new Random(21);
        List<(float[] Label, string Path)> list = [.. s_photos.Take(9).Select(p => (GenerateObjects(rng), p))];
        ImageDetIterOptions options = new() { BatchSize = 2, DataShape = [3, 24, 24], ImgList = list, PathRoot = string.Empty, RandCrop = 1, RandPad = 0.5f, RandMirror = true, Shuffle = true, Seed = 4, PreprocessThreads = 2 };
        using var whole = new ImageDetIter(options);
        int objects = whole.LabelShape[0];
        whole.Reshape([objects + 1, 5]);
        List<BatchCopy> expected = await Batches.EpochAsync(whole);
        using var first = new ImageDetIter(options);
        first.Reshape([objects + 1, 5]);
        using (DataBatch? batch = await first.NextAsync()) Assert.NotNull(batch);
        using (DataBatch? batch = await first.NextAsync()) Assert.NotNull(batch);
        IteratorState state = first.SaveState();
        using var resumed = new ImageDetIter(options);
        resumed.Reshape([objects + 1, 5]);
        resumed.RestoreState(IteratorState.FromBytes(state.ToBytes()));
        List<BatchCopy> rest = await Batches.EpochAsync(resumed);
        Assert.Equal(expected.Skip(2).Select(b => b.Data[0]), rest.Select(b => b.Data[0]));
        Assert.Equal(expected.Skip(2).Select(b => b.Label[0]), rest.Select(b => b.Label[0]));
        Assert.Equal(1, rest[^1].Pad);
    }

    [Fact]
    public async Task ImageDetIter_ListFileLastBatchHandles_AsMXNetsTestWithThisLibrarysPad()
    {
        using var temp = new TempDirectory();
        var rng = new Random(11);
        string lst = temp.File("test_imagedetiter.lst");
        File.WriteAllLines(lst, s_photos.Take(16).Select((p, k) => string.Join('\t', [k.ToString(CultureInfo.InvariantCulture), .. GenerateObjects(rng).Select(v => v.ToString("R", CultureInfo.InvariantCulture)), p])));
        ImageDetIter Make(int batch, LastBatchHandle handle, bool shuffle = false) => new(new ImageDetIterOptions
        {
            BatchSize = batch, DataShape = [3, 40, 40], PathImgList = lst, PathRoot = string.Empty, LastBatchHandle = handle, Shuffle = shuffle, PreprocessThreads = 2,
        });

        using (ImageDetIter first = Make(2, LastBatchHandle.Pad))
        {
            for (int epoch = 0; epoch < 3; epoch++)
            {
                Assert.All(await Batches.EpochAsync(first), b => Assert.Equal([2, 3, 40, 40], b.DataShapes[0]));
                first.Reset();
            }
        }

        using (ImageDetIter discard = Make(3, LastBatchHandle.Discard)) Assert.Equal(5, (await Batches.EpochAsync(discard)).Count);
        using (ImageDetIter pad = Make(3, LastBatchHandle.Pad))
        {
            List<BatchCopy> batches = await Batches.EpochAsync(pad);
            Assert.Equal(6, batches.Count);
            Assert.Equal(2, batches[5].Pad);
            int row = 3 * 40 * 40;
            Assert.Equal(batches[0].Data[0].Take(2 * row), batches[5].Data[0].Skip(row));
        }

        using (ImageDetIter roll = Make(3, LastBatchHandle.RollOver))
        {
            List<BatchCopy> epoch = await Batches.EpochAsync(roll);
            Assert.Equal(5, epoch.Count);
            roll.Reset();
            List<BatchCopy> second = await Batches.EpochAsync(roll);

            // The carried image leads the next epoch; this library reports pad 0 for a roll-over batch (MXNet: 2).
            Assert.Equal(0, second[0].Pad);
            Assert.Equal(5, second.Count);
            roll.Reset();
            Assert.Equal(6, (await Batches.EpochAsync(roll)).Count);
        }

        using (ImageDetIter shuffled = Make(3, LastBatchHandle.Pad, shuffle: true)) Assert.Equal(6, (await Batches.EpochAsync(shuffled)).Count);
    }

    [Fact]
    public async Task ImageDetIter_MXNetTestDetAugmenters_EveryAugmenterRuns()
    {
        var rng = new Random(5);
        List<(float[] Label, string Path)> list = [.. s_photos.Select(p => (GenerateObjects(rng), p))];
        using var det = new ImageDetIter(new ImageDetIterOptions
        {
            BatchSize = 2, DataShape = [3, 64, 64], ImgList = list, PathRoot = string.Empty, PreprocessThreads = 2,
            Resize = 96, RandCrop = 1, RandPad = 1, RandGray = 0.1f, RandMirror = true, Mean = [.. Augmenters.ImageNetMean], Std = [1.1f, 1.03f, 1.05f],
            Brightness = 0.1f, Contrast = 0.1f, Saturation = 0.1f, PcaNoise = 0.1f, Hue = 0.1f, InterMethod = Interpolation.Random, MinObjectCovered = [0.5f],
            AspectRatioRange = (0.2f, 5f), AreaRange = (0.1f, 4f), MinEjectCoverage = 0.5f, MaxAttempts = 50,
        });
        List<BatchCopy> batches = await Batches.EpochAsync(det);
        Assert.Equal((s_photos.Length + 1) / 2, batches.Count);
        Assert.All(batches, b => Assert.All(b.Data[0], v => Assert.True(float.IsFinite(v))));
        Assert.All(batches, b => AssertObjectRows(b.Label[0], 5));

        // Normalized with the ImageNet mean: the values are centred, not 0-255.
        Assert.InRange(batches.SelectMany(b => b.Data[0]).Average(), -100, 100);
    }

    [Fact]
    public async Task ImageDetIter_AnyThreadCount_BitIdenticalBatches()
    {
        var rng = new Random(9);
        List<(float[] Label, string Path)> list = [.. s_photos.Take(10).Select(p => (GenerateObjects(rng), p))];
        async Task<List<BatchCopy>> Run(int threads)
        {
            using var det = new ImageDetIter(new ImageDetIterOptions
            {
                BatchSize = 3, DataShape = [3, 40, 40], ImgList = list, PathRoot = string.Empty, PreprocessThreads = threads, PrefetchBuffer = threads,
                RandCrop = 0.8f, RandPad = 0.5f, RandMirror = true, Brightness = 0.2f, Shuffle = true, Seed = 42,
            });
            return await Batches.EpochAsync(det);
        }

        List<BatchCopy> one = await Run(1);
        List<BatchCopy> four = await Run(4);
        Assert.Equal(one.Count, four.Count);
        for (int i = 0; i < one.Count; i++)
        {
            Assert.Equal(one[i].Data[0], four[i].Data[0]);
            Assert.Equal(one[i].Label[0], four[i].Label[0]);
        }
    }

    [Fact]
    public async Task ImageDetIter_BadLabel_FailsNamingTheImageOrIsSkipped()
    {
        List<(float[] Label, string Path)> list =
        [
            (new float[] { 2, 5, 1, 0.1f, 0.1f, 0.5f, 0.5f }, s_photos[0]),
            (new float[] { 2, 5, 1, 0.7f, 0.1f, 0.5f, 0.5f }, s_photos[1]),
            (new float[] { 2, 5, 1, 0.2f, 0.2f, 0.6f, 0.9f }, s_photos[2]),
        ];
        var error = Assert.Throws<RecordFormatException>(() => new ImageDetIter(new ImageDetIterOptions { BatchSize = 1, DataShape = [3, 16, 16], ImgList = list, PathRoot = string.Empty }));
        Assert.Contains("image 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("xmin 0.7 > xmax 0.5", error.Message, StringComparison.Ordinal);

        using var skipping = new ImageDetIter(new ImageDetIterOptions { BatchSize = 1, DataShape = [3, 16, 16], ImgList = list, PathRoot = string.Empty, CorruptRecords = CorruptRecordPolicy.Skip });
        Assert.Equal(2, (await Batches.EpochAsync(skipping)).Count);
        Assert.Equal(1, skipping.Metrics.SkippedRecords);

        List<(float[] Label, string Path)> widths = [(new float[] { 2, 5, 1, 0.1f, 0.1f, 0.5f, 0.5f }, s_photos[0]), (new float[] { 2, 6, 1, 0.1f, 0.1f, 0.5f, 0.5f, 3 }, s_photos[1])];
        var mixed = Assert.Throws<RecordFormatException>(() => new ImageDetIter(new ImageDetIterOptions { BatchSize = 1, DataShape = [3, 16, 16], ImgList = widths, PathRoot = string.Empty }));
        Assert.Contains("same object width", mixed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImageDetIter_OverRecAndIndex_EstimatesFromTheHeadersAndShuffles()
    {
        using var temp = new TempDirectory();
        (string rec, List<float[]> labels) = await PackAsync(temp, 7, seed: 13);
        int most = labels.Max(l => DetectionLabel.Parse(l).Count);
        using var plain = new ImageDetIter(new ImageDetIterOptions { BatchSize = 7, DataShape = [3, 24, 24], PathImgRec = rec, PreprocessThreads = 2 });
        Assert.Equal([most, 5], plain.LabelShape);
        BatchCopy batch = Assert.Single(await Batches.EpochAsync(plain));
        for (int i = 0; i < 7; i++)
        {
            DetectionLabel expected = DetectionLabel.Parse(labels[i]);
            float[] rows = batch.Label[0][(i * most * 5)..((i + 1) * most * 5)];
            Assert.Equal([.. expected.ToArray()[2..], .. Enumerable.Repeat(-1f, (most - expected.Count) * 5)], rows);
        }

        using var shuffled = new ImageDetIter(new ImageDetIterOptions { BatchSize = 7, DataShape = [3, 24, 24], PathImgRec = rec, PathImgIdx = temp.File("det.idx"), Shuffle = true, Seed = 1, PreprocessThreads = 2 });
        long[] ids = Assert.Single(await Batches.EpochAsync(shuffled)).Index!;
        Assert.Equal([0L, 1, 2, 3, 4, 5, 6], ids.Order());
        Assert.NotEqual([0L, 1, 2, 3, 4, 5, 6], ids);
    }

    [Fact]
    public async Task ImageDetRecordIter_Im2RecPackedDetectionList_LabelLayoutAsMXNet()
    {
        using var temp = new TempDirectory();
        (string rec, List<float[]> labels) = await PackAsync(temp, 12, seed: 1);
        int longest = labels.Max(l => l.Length);
        using var iter = new ImageDetRecordIter(new ImageDetRecordIterOptions { PathImgRec = rec, DataShape = [3, 32, 32], BatchSize = 4, PreprocessThreads = 2 });
        Assert.Equal(longest, iter.LabelPadWidth);
        Assert.Equal([4, longest + 4], iter.ProvideLabel[0].Shape);
        List<BatchCopy> batches = await Batches.EpochAsync(iter);
        Assert.Equal(3, batches.Count);
        for (int i = 0; i < 12; i++)
        {
            float[] row = batches[i / 4].Label[0].Skip((i % 4) * (longest + 4)).Take(longest + 4).ToArray();
            float[] raw = DetectionLabel.Parse(labels[i]).ToArray();
            Assert.Equal([3f, 32, 32, raw.Length, .. raw, .. Enumerable.Repeat(-1f, longest - raw.Length)], row);
        }

        // A given pad width pads with the given value; one below the longest label is refused.
        using var wide = new ImageDetRecordIter(new ImageDetRecordIterOptions { PathImgRec = rec, DataShape = [3, 32, 32], BatchSize = 4, LabelPadWidth = longest + 5, LabelPadValue = -7, PreprocessThreads = 2 });
        List<BatchCopy> padded = await Batches.EpochAsync(wide);
        Assert.Equal(-7, padded[0].Label[0][longest + 8]);
        var error = Assert.Throws<ArgumentException>(() => new ImageDetRecordIter(new ImageDetRecordIterOptions { PathImgRec = rec, DataShape = [3, 32, 32], BatchSize = 4, LabelPadWidth = 7, LabelWidth = longest }));
        Assert.Contains("LabelPadWidth", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImageDetRecordIter_ListAndIndex_ListLabelsOverrideAndShuffleByIndex()
    {
        using var temp = new TempDirectory();
        (string rec, List<float[]> labels) = await PackAsync(temp, 6, seed: 12);
        string lst = temp.File("override.lst");
        File.WriteAllLines(lst, Enumerable.Range(0, 6).Select(k => string.Create(CultureInfo.InvariantCulture, $"{k}\t4\t5\t{k}\t9\t{k % 3}\t0.1\t0.1\t0.9\t0.9\tx.jpg")));
        using var iter = new ImageDetRecordIter(new ImageDetRecordIterOptions
        {
            PathImgRec = rec, PathImgIdx = temp.File("det.idx"), PathImgList = lst, Shuffle = true, Seed = 2, DataShape = [3, 16, 16], BatchSize = 6, PreprocessThreads = 2,
        });
        Assert.Equal(9, iter.LabelPadWidth);
        BatchCopy batch = Assert.Single(await Batches.EpochAsync(iter));
        long[] ids = batch.Index!;
        Assert.Equal([0L, 1, 2, 3, 4, 5], ids.Order());
        Assert.NotEqual([0L, 1, 2, 3, 4, 5], ids);
        for (int r = 0; r < 6; r++)
        {
            float[] row = batch.Label[0][(r * 13)..((r + 1) * 13)];
            Assert.Equal([3f, 16, 16, 9, 4, 5, ids[r], 9, ids[r] % 3, 0.1f, 0.1f, 0.9f, 0.9f], row);
        }
    }

    [Fact]
    public async Task ImageDetRecordIter_CropPadMirror_ValidBoxesAndBitIdenticalAtAnyThreadCount()
    {
        using var temp = new TempDirectory();
        (string rec, _) = await PackAsync(temp, 12, seed: 2);
        async Task<List<BatchCopy>> Run(int threads)
        {
            using var iter = new ImageDetRecordIter(new ImageDetRecordIterOptions
            {
                PathImgRec = rec, DataShape = [3, 40, 40], BatchSize = 5, PreprocessThreads = threads, PrefetchBuffer = threads, Seed = 3,
                RandCropProb = 0.9f, NumCropSampler = 3, MinCropScales = [0.3f], MaxCropScales = [1f], MinCropAspectRatios = [0.5f], MaxCropAspectRatios = [2f],
                MinCropOverlaps = [0.1f, 0.3f, 0.5f], MaxCropTrials = [25], CropEmitMode = CropEmitMode.Overlap, EmitOverlapThresh = 0.3f,
                RandPadProb = 0.5f, MaxPadScale = 2.5f, RandMirrorProb = 0.5f, RandomHueProb = 0.5f, MaxRandomHue = 18, RandomContrastProb = 0.5f, MaxRandomContrast = 0.3f,
                MeanR = 123, MeanG = 117, MeanB = 104, InterMethod = Interpolation.Random,
            });
            return await Batches.EpochAsync(iter);
        }

        List<BatchCopy> one = await Run(1);
        List<BatchCopy> three = await Run(3);
        Assert.Equal(3, one.Count);
        for (int i = 0; i < one.Count; i++)
        {
            Assert.Equal(one[i].Data[0], three[i].Data[0]);
            Assert.Equal(one[i].Label[0], three[i].Label[0]);
        }

        int width = one[0].LabelShapes[0][1];
        foreach (BatchCopy batch in one)
        {
            for (int r = 0; r < 5 - batch.Pad; r++)
            {
                float[] row = batch.Label[0].Skip(r * width).Take(width).ToArray();
                Assert.Equal([3f, 40, 40], row[..3]);
                float[] raw = row[4..(4 + (int)row[3])];
                DetectionLabel label = DetectionLabel.Parse(raw);
                Assert.True(label.Count >= 1);
                Assert.Equal(label.Count * 5, raw.Length - 2);
            }
        }
    }

    [Fact]
    public async Task ImageDetRecordIter_ShrinkMode_RecordsTheRealSizeAndZerosTheRest()
    {
        using var temp = new TempDirectory();
        (string rec, _) = await PackAsync(temp, 2, seed: 4);
        using var iter = new ImageDetRecordIter(new ImageDetRecordIterOptions { PathImgRec = rec, DataShape = [3, 200, 200], BatchSize = 2, ResizeMode = DetResizeMode.Shrink, PreprocessThreads = 1 });
        List<BatchCopy> batches = await Batches.EpochAsync(iter);
        float[] label = batches[0].Label[0];
        (int h, int w) = ((int)label[1], (int)label[2]);
        Assert.True(h < 200 || w < 200, $"{h}x{w}");
        Assert.Equal(64, Math.Min(h, w));
        float[] data = batches[0].Data[0];
        Assert.Equal(0, data[(199 * 200) + 199]);
        Assert.NotEqual(0, data.Take(200 * 10).Max());
    }

    [Fact]
    public async Task ImageDetRecordIter_BadRecords_FailNamingTheRecordOrAreSkipped()
    {
        using var temp = new TempDirectory();
        string rec = temp.File("bad.rec");
        byte[] jpeg = File.ReadAllBytes(s_photos[0]);
        using (var writer = new RecordIOWriter(rec))
        {
            writer.Write(ImageRecord.Pack(new ImageRecordHeader(7, 0, 1, 0) { Labels = [2, 5, 1, 0.1f, 0.1f, 0.5f, 0.5f] }, jpeg));
            writer.Write(ImageRecord.Pack(new ImageRecordHeader(7, 0, 2, 0) { Labels = [2, 5, 1, 0.1f, 0.1f, 1.5f, 0.5f] }, jpeg));
            writer.Write(ImageRecord.Pack(new ImageRecordHeader(7, 0, 3, 0) { Labels = [2, 5, 1, 0.2f, 0.1f, 0.5f, 0.9f] }, jpeg));
        }

        using var strict = new ImageDetRecordIter(new ImageDetRecordIterOptions { PathImgRec = rec, DataShape = [3, 16, 16], BatchSize = 1, PreprocessThreads = 2 });
        var error = await Assert.ThrowsAsync<RecordFormatException>(() => Batches.EpochAsync(strict));
        Assert.Contains("record 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("outside [0, 1]", error.Message, StringComparison.Ordinal);

        using var skipping = new ImageDetRecordIter(new ImageDetRecordIterOptions { PathImgRec = rec, DataShape = [3, 16, 16], BatchSize = 1, CorruptRecords = CorruptRecordPolicy.Skip, PreprocessThreads = 2 });
        Assert.Equal(2, (await Batches.EpochAsync(skipping)).Count);
        Assert.Equal(1, skipping.Metrics.SkippedRecords);

        using var width = new ImageDetRecordIter(new ImageDetRecordIterOptions { PathImgRec = rec, DataShape = [3, 16, 16], BatchSize = 1, LabelWidth = 12, LabelPadWidth = 12, PreprocessThreads = 1 });
        var mismatch = await Assert.ThrowsAsync<RecordFormatException>(() => Batches.EpochAsync(width));
        Assert.Contains("LabelWidth is 12", mismatch.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(nameof(ImageDetRecordIterOptions.MinCropOverlaps))]
    [InlineData(nameof(ImageDetRecordIterOptions.MinCropScales))]
    [InlineData(nameof(ImageDetRecordIterOptions.RandCropProb))]
    [InlineData(nameof(ImageDetRecordIterOptions.LabelWidth))]
    public void ImageDetRecordIterOptions_Invalid_NamesTheOption(string option)
    {
        var options = new ImageDetRecordIterOptions { PathImgRec = "x.rec", DataShape = [3, 8, 8], BatchSize = 1 };
        options = option switch
        {
            nameof(ImageDetRecordIterOptions.MinCropOverlaps) => options with { NumCropSampler = 3, MinCropOverlaps = [0.1f, 0.2f] },
            nameof(ImageDetRecordIterOptions.MinCropScales) => options with { MinCropScales = [0.8f], MaxCropScales = [0.5f] },
            nameof(ImageDetRecordIterOptions.RandCropProb) => options with { RandCropProb = 1.5f },
            _ => options with { LabelWidth = 0 },
        };
        ArgumentException error = Assert.ThrowsAny<ArgumentException>(options.Validate);
        Assert.Equal(option, error.ParamName);
    }

    [Fact]
    public async Task ImageDetRecordIter_SaveAndRestore_ContinuesBitIdentically()
    {
        using var temp = new TempDirectory();
        (string rec, _) = await PackAsync(temp, 10, seed: 6);
        ImageDetRecordIterOptions options = new() { PathImgRec = rec, DataShape = [3, 24, 24], BatchSize = 3, RandCropProb = 1, RandPadProb = 0.5f, MaxPadScale = 2, RandMirrorProb = 0.5f, Seed = 8, PreprocessThreads = 2 };
        using var whole = new ImageDetRecordIter(options);
        List<BatchCopy> expected = await Batches.EpochAsync(whole);
        using var first = new ImageDetRecordIter(options);
        using (DataBatch? batch = await first.NextAsync()) Assert.NotNull(batch);
        IteratorState state = first.SaveState();
        using var resumed = new ImageDetRecordIter(options);
        resumed.RestoreState(IteratorState.FromBytes(state.ToBytes()));
        List<BatchCopy> rest = await Batches.EpochAsync(resumed);
        Assert.Equal(expected.Skip(1).Select(b => b.Label[0]), rest.Select(b => b.Label[0]));
        Assert.Equal(expected.Skip(1).Select(b => b.Data[0]), rest.Select(b => b.Data[0]));
    }

    /// <summary>Writes a detection <c>.lst</c> of the photos with generated objects and packs it with im2rec (<c>--pack-label</c>, shorter side 64).</summary>
    internal static async Task<(string Rec, List<float[]> Labels)> PackAsync(TempDirectory temp, int count, int seed)
    {
        var rng = new Random(seed);
        List<float[]> labels = [.. Enumerable.Range(0, count).Select(_ => GenerateObjects(rng))];
        string lst = temp.File("det.lst");
        await File.WriteAllLinesAsync(lst, labels.Select((l, k) => string.Join('\t', [k.ToString(CultureInfo.InvariantCulture), .. l.Select(v => v.ToString("R", CultureInfo.InvariantCulture)), Path.GetRelativePath(TestFiles.PhotosDir, s_photos[k % s_photos.Length])])));
        string rec = temp.File("det.rec");
        await Im2RecPacker.PackAsync(lst, TestFiles.PhotosDir, rec, temp.File("det.idx"), new Im2RecPackOptions { PackLabel = true, Resize = 64, Quality = 90 });
        return (rec, labels);
    }

    /// <summary>Each (objects, width) row is padding (-1) or an object with an id and a box inside [0, 1].</summary>
    private static void AssertObjectRows(float[] label, int width)
    {
        for (int i = 0; i + width <= label.Length; i += width)
        {
            if (label[i] == -1)
            {
                Assert.All(label[i..(i + width)], v => Assert.Equal(-1, v));
                continue;
            }

            Assert.InRange(label[i], 0, 19);
            Assert.InRange(label[i + 1], 0f, label[i + 3]);
            Assert.InRange(label[i + 2], 0f, label[i + 4]);
            Assert.InRange(label[i + 3], label[i + 1], 1f);
            Assert.InRange(label[i + 4], label[i + 2], 1f);
        }
    }
}
