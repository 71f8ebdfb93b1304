using System.Text.Json;
using Pipeline.Core;
using Pipeline.Core.RecordIO;
using Pipeline.Stages.ImagePipeline;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Iterators;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Stages.Iterators;

/// <summary>ImageIter and ImageRecordIter: MXNet's tests, golden files, determinism, faults.</summary>
public sealed class ImageIteratorTests
{
    private static readonly string[] s_photos = Directory.GetFiles(TestFiles.PhotosDir, "*.jpg", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();

    public static TheoryData<string> Im2RecNames
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (string name in TestFiles.Im2RecNames().Where(n => !n.Contains(".part", StringComparison.Ordinal))) data.Add(name);
            return data;
        }
    }

    [Theory]
    [InlineData(LastBatchHandle.Discard, new[] { 3, 3, 3, 3, 3 })]
    [InlineData(LastBatchHandle.Pad, new[] { 3, 3, 3, 3, 3, 3 })]
    public async Task LastBatch_SixteenImagesBatchThree_MatchesTestImage(LastBatchHandle handle, int[] sizes)
    {
        using ImageIter iter = SixteenImages(handle);
        List<BatchCopy> epoch = await Batches.EpochAsync(iter);
        Assert.Equal(sizes.Length, epoch.Count);
        if (handle == LastBatchHandle.Pad)
        {
            Assert.Equal([16f, 1, 2], epoch[^1].Label[0]);
            Assert.Equal(2, epoch[^1].Pad);
        }
    }

    [Fact]
    public async Task LastBatch_RollOver_CarriesTheLeftoversWithPadZero()
    {
        using ImageIter iter = SixteenImages(LastBatchHandle.RollOver);
        Assert.Equal(5, (await Batches.EpochAsync(iter)).Count);
        iter.Reset();
        List<BatchCopy> second = await Batches.EpochAsync(iter);
        Assert.Equal([16f, 1, 2], second[0].Label[0]);
        Assert.Equal(0, second[0].Pad);
        Assert.Equal(5, second.Count);
        iter.Reset();
        List<BatchCopy> third = await Batches.EpochAsync(iter);
        Assert.Equal([15f, 16, 1], third[0].Label[0]);
        Assert.Equal(6, third.Count);
    }

    [Theory]
    [MemberData(nameof(Im2RecNames))]
    public async Task ImageRecordIter_ReadsEveryGoldenIm2RecFileWithItsLabels(string name)
    {
        using JsonDocument manifest = TestFiles.Json(Path.Combine(TestFiles.Im2RecDir, name + ".json"));
        JsonElement[] records = [.. manifest.RootElement.GetProperty("records").EnumerateArray()];
        int labelWidth = records[0].GetProperty("flag").GetInt32() is > 0 and var flag ? flag : 1;
        bool gray = name.Contains("gray", StringComparison.Ordinal);
        using var iter = new ImageRecordIter(new ImageRecordIterOptions
        {
            PathImgRec = TestFiles.Im2RecRec(name),
            DataShape = [gray ? 1 : 3, 24, 24],
            BatchSize = 5,
            Resize = 24,
            LabelWidth = labelWidth,
            PreprocessThreads = 2,
        });
        List<BatchCopy> batches = await Batches.EpochAsync(iter);
        Assert.All(batches, b => Assert.Equal([5, gray ? 1 : 3, 24, 24], b.DataShapes[0]));
        float[] labels = [.. batches.SelectMany(b => b.Label[0].Take((5 - b.Pad) * labelWidth))];
        float[] expected = [.. records.SelectMany(r => r.TryGetProperty("labels", out JsonElement l) ? l.EnumerateArray().Select(v => (float)v.GetDouble()) : [(float)r.GetProperty("label").GetDouble()])];
        Assert.Equal(expected, labels);
        long[] ids = [.. batches.SelectMany(b => b.Index!.Take(5 - b.Pad))];
        Assert.Equal(records.Select(r => long.Parse(r.GetProperty("id").ToString(), System.Globalization.CultureInfo.InvariantCulture)), ids);
    }

    [Fact]
    public async Task ImageRecordIter_Parts_CoverTheFileOnceInOrder_WithAndWithoutIndex()
    {
        foreach (bool indexed in new[] { false, true })
        {
            var ids = new List<long>();
            for (int part = 0; part < 3; part++)
            {
                using var iter = new ImageRecordIter(new ImageRecordIterOptions
                {
                    PathImgRec = TestFiles.Im2RecRec("im2rec-resize64-q90"),
                    PathImgIdx = indexed ? Path.Combine(TestFiles.Im2RecDir, "im2rec-resize64-q90.idx") : null,
                    DataShape = [3, 16, 16],
                    BatchSize = 1,
                    Resize = 16,
                    NumParts = 3,
                    PartIndex = part,
                });
                ids.AddRange((await Batches.EpochAsync(iter)).Select(b => b.Index![0]));
            }

            Assert.Equal(Enumerable.Range(0, 24).Select(i => (long)i), ids);
        }
    }

    [Fact]
    public async Task SeedAug_SameSeedSameBatches_DifferentSeedDifferentBatches()
    {
        List<BatchCopy> a = await Batches.EpochAsync(RandomRecordIter(threads: 2, prefetch: 4, seedAug: 5));
        List<BatchCopy> b = await Batches.EpochAsync(RandomRecordIter(threads: 2, prefetch: 4, seedAug: 5));
        List<BatchCopy> c = await Batches.EpochAsync(RandomRecordIter(threads: 2, prefetch: 4, seedAug: 6));
        Assert.Equal(a.SelectMany(x => x.Data[0]), b.SelectMany(x => x.Data[0]));
        Assert.NotEqual(a.SelectMany(x => x.Data[0]), c.SelectMany(x => x.Data[0]));
    }

    [Fact]
    public async Task Determinism_ThreadsAndPrefetch_GiveBitIdenticalBatchesOverTwoEpochs()
    {
        async Task<float[]> Run(int threads, int prefetch)
        {
            using ImageRecordIter iter = RandomRecordIter(threads, prefetch, seedAug: 11, shuffle: true);
            var values = new List<float>();
            for (int epoch = 0; epoch < 2; epoch++)
            {
                values.AddRange((await Batches.EpochAsync(iter)).SelectMany(b => b.Data[0].Concat(b.Label[0])));
                iter.Reset();
            }

            return [.. values];
        }

        float[] reference = await Run(1, 1);
        Assert.Equal(reference, await Run(2, 8));
        Assert.Equal(reference, await Run(4, 1));
    }

    [Theory]
    [InlineData(40, 32, true)]
    [InlineData(24, 32, false)]
    public void DefaultAugmenter_FusedFromDecoderPixels_EqualsTheNDArrayPathAndResizeThenCrop(int resize, int size, bool randCrop)
    {
        var options = new ImageRecordIterOptions
        {
            PathImgRec = "unused.rec", DataShape = [3, size, size], BatchSize = 1, Resize = resize, RandCrop = randCrop,
            Brightness = 0.3f, Contrast = 0.3f, Saturation = 0.3f, PcaNoise = 0.1f, InterMethod = Interpolation.Random,
        };
        var augmenter = new DefaultRecordAugmenter(ImageRecordIter.ToAugmenterSettings(options));
        Assert.True(augmenter.Fusable);
        foreach (string photo in s_photos.Take(8))
        {
            byte[] bytes = File.ReadAllBytes(photo);
            using NDArray stepwise = augmenter.Apply(ImageOps.Decode(bytes), new SeededRandom(5));
            using NDArray fused = ImageOps.DecodeRgb(bytes, ImageDecodeOptions.Default, (pixels, h, w) => augmenter.FromPixels(pixels, h, w, 3, new SeededRandom(5)));
            Assert.Equal(stepwise.Shape, fused.Shape);
            Assert.Equal(stepwise.ToArray<byte>(), fused.ToArray<byte>());
        }

        // And, where the resized image holds the crop, the fused path equals resizing the whole image, then cropping it.
        if (resize < size) return;
        var plain = new DefaultRecordAugmenter(ImageRecordIter.ToAugmenterSettings(options with { Brightness = 0, Contrast = 0, Saturation = 0, PcaNoise = 0, InterMethod = Interpolation.Bilinear }));
        foreach (string photo in s_photos.Take(8))
        {
            using NDArray image = ImageOps.Decode(File.ReadAllBytes(photo));
            (int h, int w) = (image.GetLength(0), image.GetLength(1));
            (int nw, int nh) = h > w ? (resize, resize * h / w) : (resize * w / h, resize);
            var draws = new SeededRandom(9);
            int y = randCrop ? draws.Next(0, nh - size + 1) : (nh - size) / 2;
            int x = randCrop ? draws.Next(0, nw - size + 1) : (nw - size) / 2;
            using NDArray resized = ImageOps.Resize(image, nw, nh, 1);
            using NDArray expected = ImageOps.FixedCrop(resized, x, y, size, size);
            using NDArray fused = ImageOps.DecodeRgb(File.ReadAllBytes(photo), ImageDecodeOptions.Default, (pixels, ph, pw) => plain.FromPixels(pixels, ph, pw, 3, new SeededRandom(9)));
            Assert.Equal(expected.ToArray<byte>(), fused.ToArray<byte>());
        }
    }

    [Fact]
    public async Task FourChannels_ReadsRgbaAndRejectsRgbNamingTheRecord()
    {
        using (var rgba = new ImageRecordIter(new ImageRecordIterOptions { PathImgRec = TestFiles.Im2RecRec("im2rec-unchangedcolor-resize48-png"), PathImgIdx = Path.Combine(TestFiles.Im2RecDir, "im2rec-unchangedcolor-resize48-png.idx"), DataShape = [4, 16, 16], BatchSize = 1, Resize = 16 }))
        {
            // Only the record of kite_rgba.png (id 15) has an alpha channel; the others make the epoch fail.
            var error = await Assert.ThrowsAsync<RecordFormatException>(() => Batches.EpochAsync(rgba)).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Contains("4-channel", error.Message, StringComparison.Ordinal);
        }

        using var skip = new ImageRecordIter(new ImageRecordIterOptions { PathImgRec = TestFiles.Im2RecRec("im2rec-unchangedcolor-resize48-png"), DataShape = [4, 16, 16], BatchSize = 1, Resize = 16, CorruptRecords = CorruptRecordPolicy.Skip, MeanA = 10 });
        List<BatchCopy> batches = await Batches.EpochAsync(skip);
        BatchCopy only = Assert.Single(batches);
        Assert.Equal([1, 4, 16, 16], only.DataShapes[0]);
        Assert.Equal(15, only.Index![0]);
        Assert.Equal(23, skip.Metrics.SkippedRecords);
    }

    [Fact]
    public async Task MeanImg_IsComputedWhenMissingThenUsed()
    {
        using var temp = new TempDirectory();
        var options = new ImageRecordIterOptions { PathImgRec = TestFiles.Im2RecRec("im2rec-resize64-q90"), DataShape = [3, 16, 16], BatchSize = 5, Resize = 16, MeanImg = temp.File("mean.bin"), RoundBatch = false };
        using (var first = new ImageRecordIter(options))
        {
            // The constructor only opens and validates: the pass over the data runs on first use, and the metrics show it.
            Assert.False(File.Exists(temp.File("mean.bin")));
            List<BatchCopy> batches = await Batches.EpochAsync(first);
            // MXNet's format: list header, one (3, 16, 16) float32 array, the name "mean_img".
            Assert.Equal(24 + 48 + (3 * 16 * 16 * 4) + 24, new FileInfo(temp.File("mean.bin")).Length);
            (IReadOnlyList<NDArray> saved, IReadOnlyList<string> names) = NDArrayFile.Load(temp.File("mean.bin"));
            Assert.Equal(["mean_img"], names);
            Assert.Equal([3, 16, 16], saved[0].Shape);
            saved[0].Dispose();
            Assert.Equal(1, first.Metrics.Preparation.Items);
            Assert.True(first.Metrics.Preparation.Busy > TimeSpan.Zero);
            double[] total = new double[3 * 16 * 16];
            int images = 0;
            foreach (BatchCopy batch in batches)
            {
                for (int r = 0; r < 5 - batch.Pad; r++, images++)
                {
                    for (int i = 0; i < total.Length; i++) total[i] += batch.Data[0][(r * total.Length) + i];
                }
            }

            // Outputs minus the mean image average to zero.
            Assert.Equal(24, images);
            Assert.All(total, v => Assert.InRange(v / images, -1e-3, 1e-3));
        }

        File.WriteAllBytes(temp.File("bad.bin"), new byte[10]);
        Assert.Throws<DataFormatException>(() => new ImageRecordIter(options with { MeanImg = temp.File("bad.bin") }));

        // The old raw float32 dump is refused with what was expected.
        File.WriteAllBytes(temp.File("raw.bin"), new byte[3 * 16 * 16 * 4]);
        var raw = Assert.Throws<DataFormatException>(() => new ImageRecordIter(options with { MeanImg = temp.File("raw.bin") }));
        Assert.Contains("mx.nd.save", raw.Message, StringComparison.Ordinal);

        // A mean image of another shape names both shapes.
        using (NDArray small = NDArray.Zeros(DType.Float32, 3, 8, 8))
        {
            NDArrayFile.Save(temp.File("small.bin"), new Dictionary<string, NDArray> { ["mean_img"] = small });
        }

        var shape = Assert.Throws<DataFormatException>(() => new ImageRecordIter(options with { MeanImg = temp.File("small.bin") }));
        Assert.Contains("(3, 8, 8)", shape.Message, StringComparison.Ordinal);
        Assert.Contains("(3, 16, 16)", shape.Message, StringComparison.Ordinal);

        // An existing mean image is read at construction; nothing is computed.
        using var second = new ImageRecordIter(options);
        (await second.NextAsync())!.Dispose();
        Assert.Equal(0, second.Metrics.Preparation.Items);
    }

    [Fact]
    public async Task ShuffleWithoutIndex_ShufflesWithinChunksAndKeepsEveryRecord()
    {
        var options = new ImageRecordIterOptions { PathImgRec = TestFiles.Im2RecRec("im2rec-resize64-q90"), DataShape = [3, 8, 8], BatchSize = 4, Resize = 8, Shuffle = true, Seed = 3 };
        using var iter = new ImageRecordIter(options);
        long[] ids = [.. (await Batches.EpochAsync(iter)).SelectMany(b => b.Index!)];
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (long)i), ids.Order());
        Assert.NotEqual(Enumerable.Range(0, 24).Select(i => (long)i), ids);
    }

    [Fact]
    public async Task CorruptJpegInTheMiddle_ThrowsNamingTheRecord_OrIsSkippedAndCounted()
    {
        using var temp = new TempDirectory();
        string rec = WriteRecWithCorruptImage(temp, corruptAt: 5);
        using (var strict = new ImageRecordIter(new ImageRecordIterOptions { PathImgRec = rec, DataShape = [3, 16, 16], BatchSize = 4, Resize = 16 }))
        {
            var error = await Assert.ThrowsAsync<RecordFormatException>(() => Batches.EpochAsync(strict)).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Contains("offset", error.Message, StringComparison.Ordinal);
            Assert.Contains("broken.rec", error.Message, StringComparison.Ordinal);
        }

        using var lenient = new ImageRecordIter(new ImageRecordIterOptions { PathImgRec = rec, DataShape = [3, 16, 16], BatchSize = 4, Resize = 16, CorruptRecords = CorruptRecordPolicy.Skip });
        List<BatchCopy> batches = await Batches.EpochAsync(lenient);
        Assert.Equal(1, lenient.Metrics.SkippedRecords);
        Assert.Contains("broken.rec", lenient.Metrics.SkippedDetails.Single(), StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(0, 10).Where(i => i != 5).Select(i => (float)i), batches.SelectMany(b => b.Label[0].Take(4 - b.Pad)));
    }

    [Fact]
    public async Task TruncatedRec_Throws()
    {
        using var temp = new TempDirectory();
        byte[] bytes = File.ReadAllBytes(TestFiles.Im2RecRec("im2rec-resize64-q90"));
        File.WriteAllBytes(temp.File("cut.rec"), bytes[..(bytes.Length - 100)]);
        using var iter = new ImageRecordIter(new ImageRecordIterOptions { PathImgRec = temp.File("cut.rec"), DataShape = [3, 16, 16], BatchSize = 4, Resize = 16 });
        var error = await Assert.ThrowsAsync<RecordFormatException>(() => Batches.EpochAsync(iter)).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("cut.rec", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThrowingCustomAugmenter_ReachesAwaitForeach()
    {
        using var iter = new ImageIter(new ImageIterOptions
        {
            BatchSize = 2,
            DataShape = [3, 16, 16],
            ImgList = s_photos.Select((p, i) => (new[] { (float)i }, p)).ToList(),
            PathRoot = string.Empty,
            AugList = [new ForceResizeAug((16, 16)), new ThrowingAug(failAt: 7)],
        });
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Batches.EpochAsync(iter)).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("augmenter failed on purpose", error.Message);
    }

    [Fact]
    public async Task CancellationAndDisposalMidEpoch_EndWithinASecond()
    {
        ImageRecordIter iter = RandomRecordIter(threads: 2, prefetch: 2, seedAug: 1);
        using var cts = new CancellationTokenSource();
        (await iter.NextAsync(cts.Token))!.Dispose();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await iter.NextAsync(cts.Token));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        iter.Reset();
        (await iter.NextAsync())!.Dispose();
        await iter.DisposeAsync();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Metrics_AreReadableWhileIterating()
    {
        using ImageRecordIter iter = RandomRecordIter(threads: 2, prefetch: 2, seedAug: 1);
        (await iter.NextAsync())!.Dispose();
        PipelineMetrics metrics = iter.Metrics;
        Assert.True(metrics.Decode.Items >= 4);
        Assert.True(metrics.Read.Items >= metrics.Decode.Items);
        Assert.True(metrics.Decode.Busy > TimeSpan.Zero);
        Assert.Equal(1, metrics.Consumer.Items);
        Assert.Contains("decode+augment", metrics.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CustomPipeline_FromBlocks_InAFewLines()
    {
        var entries = s_photos.Take(10).Select((p, i) => new ImageListEntry(i, [i], p)).ToList();
        using var iter = new ImagePipelineIter(new ImagePipelineOptions
        {
            Source = new ImageListSource(entries, string.Empty),
            Augmenter = new SequentialAug([new ForceResizeAug((8, 8)), new HorizontalFlipAug(0.5)]),
            Layout = new SampleLayout { Channels = 3, Height = 8, Width = 8, Mean = [128f], Std = [64f] },
            BatchSize = 4,
            Threads = 2,
        });
        List<BatchCopy> batches = await Batches.EpochAsync(iter);
        Assert.Equal([0, 0, 2], batches.Select(b => b.Pad));
        Assert.All(batches.SelectMany(b => b.Data[0]), v => Assert.InRange(v, -2.01f, 2.01f));
    }

    [Fact]
    public void BadOptions_FailAtConstruction()
    {
        string rec = TestFiles.Im2RecRec("im2rec-resize64-q90");
        Assert.Throws<ArgumentException>(() => new ImageRecordIter(new ImageRecordIterOptions { PathImgRec = rec, DataShape = [2, 8, 8], BatchSize = 1 }));
        Assert.Throws<ArgumentException>(() => new ImageRecordIter(new ImageRecordIterOptions { PathImgRec = rec, DataShape = [3, 8, 8], BatchSize = 1, RandomResizedCrop = true, RandCrop = true }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImageRecordIter(new ImageRecordIterOptions { PathImgRec = rec, DataShape = [3, 8, 8], BatchSize = 1, InterMethod = (Interpolation)7 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImageRecordIter(new ImageRecordIterOptions { PathImgRec = rec, DataShape = [3, 8, 8], BatchSize = 1, DType = DType.Float64 }));
        Assert.Throws<FileNotFoundException>(() => new ImageRecordIter(new ImageRecordIterOptions { PathImgRec = rec + ".missing", DataShape = [3, 8, 8], BatchSize = 1 }));
        Assert.Throws<ArgumentException>(() => new ImageIter(new ImageIterOptions { BatchSize = 1, DataShape = [3, 8, 8], PathImgRec = rec, Shuffle = true }));
        Assert.Throws<ArgumentException>(() => new ImageIter(new ImageIterOptions { BatchSize = 1, DataShape = [1, 8, 8], PathImgRec = rec }));
    }

    [Fact]
    public async Task Normalization_MatchesMXNetsNumbers()
    {
        using var temp = new TempDirectory();
        string rec = temp.File("flat.rec");
        using (var writer = new RecordIOWriter(rec))
        {
            using NDArray image = NDArray.From(Enumerable.Repeat(new byte[] { 200, 0, 255 }, 16).SelectMany(p => p).ToArray(), 4, 4, 3);
            writer.Write(ImageOps.PackImage(new ImageRecordHeader(0, 1, 0, 0), image, 3, ".png"));
        }

        using var iter = new ImageRecordIter(new ImageRecordIterOptions
        {
            PathImgRec = rec, DataShape = [3, 4, 4], BatchSize = 1,
            MeanR = 123.68f, MeanG = 123.68f, MeanB = 123.68f, StdR = 58.395f, StdG = 58.395f, StdB = 58.395f,
        });
        float[] data = (await Batches.EpochAsync(iter))[0].Data[0];
        Assert.Equal(1.306961f, data[0], 1e-4f);
        Assert.Equal(-2.117990f, data[16], 1e-4f);
        Assert.Equal(2.248823f, data[32], 1e-4f);

        using var int8 = new ImageRecordIter(new ImageRecordIterOptions { PathImgRec = rec, DataShape = [3, 4, 4], BatchSize = 1, DType = DType.Int8, MeanR = 128 });
        using DataBatch batch = (await int8.NextAsync())!;
        sbyte[] values = batch.Data[0].ToArray<sbyte>();
        Assert.Equal(72, values[0]);
        Assert.Equal(0, values[16]);
        Assert.Equal(127, values[32]);

        // std::round(126.5) is 127 (halves away from zero); rounding to even would give 126 and 74.
        using var half = new ImageRecordIter(new ImageRecordIterOptions { PathImgRec = rec, DataShape = [3, 4, 4], BatchSize = 1, DType = DType.Int8, MeanR = 126.5f, MeanG = -0.5f });
        using DataBatch halfBatch = (await half.NextAsync())!;
        sbyte[] halves = halfBatch.Data[0].ToArray<sbyte>();
        Assert.Equal(73, halves[0]);
        Assert.Equal(1, halves[16]);
    }

    private static ImageIter SixteenImages(LastBatchHandle handle) => new(new ImageIterOptions
    {
        BatchSize = 3,
        DataShape = [3, 8, 8],
        ImgList = s_photos.Take(16).Select((p, i) => (new[] { (float)(i + 1) }, p)).ToList(),
        PathRoot = string.Empty,
        AugList = [new ForceResizeAug((8, 8))],
        LastBatchHandle = handle,
        PreprocessThreads = 2,
    });

    internal static ImageRecordIter RandomRecordIter(int threads, int prefetch, int seedAug, bool shuffle = false) => new(new ImageRecordIterOptions
    {
        PathImgRec = TestFiles.Im2RecRec("im2rec-resize64-q90"),
        PathImgIdx = Path.Combine(TestFiles.Im2RecDir, "im2rec-resize64-q90.idx"),
        DataShape = [3, 32, 32],
        BatchSize = 4,
        Resize = 40,
        RandCrop = true,
        RandMirror = true,
        MaxRotateAngle = 10,
        MaxShearRatio = 0.1f,
        Brightness = 0.2f,
        Contrast = 0.2f,
        Saturation = 0.2f,
        PcaNoise = 0.1f,
        RandomH = 10,
        RandomS = 10,
        RandomL = 10,
        InterMethod = Interpolation.Random,
        MeanR = 123.68f,
        MeanG = 116.28f,
        MeanB = 103.53f,
        Shuffle = shuffle,
        PreprocessThreads = threads,
        PrefetchBuffer = prefetch,
        SeedAug = seedAug,
    });

    [Theory]
    [InlineData(-1, 4000)]
    [InlineData(256, 20000)]
    public async Task ImageWhoseAugmentationWouldExceedThePixelLimit_IsSkippedWithoutAllocating_OrFailsNamingTheRecord(int resize, int height)
    {
        // A 1-pixel-wide image: its short side scaled to 224 (no Resize: enlarged by the crop step) or to 256 makes
        // a 224x896000 or 256x5120000 image, far over the pixel limit.
        using var temp = new TempDirectory();
        string rec = temp.File("thin.rec");
        using (var writer = new RecordIOWriter(rec))
        using (NDArray thin = NDArray.Zeros(DType.UInt8, height, 1, 3))
        {
            for (int i = 0; i < 6; i++)
            {
                var header = new ImageRecordHeader(0, i, (ulong)i, 0);
                writer.Write(i == 3 ? ImageOps.PackImage(header, thin, ImageFormat.Png) : ImageRecord.Pack(header, File.ReadAllBytes(s_photos[i])));
            }
        }

        var options = new ImageRecordIterOptions { PathImgRec = rec, DataShape = [3, 224, 224], BatchSize = 5, Resize = resize, PreprocessThreads = 2 };
        using (var skipping = new ImageRecordIter(options with { CorruptRecords = CorruptRecordPolicy.Skip }))
        {
            long allocated = GC.GetTotalAllocatedBytes(precise: true);
            List<BatchCopy> batches = await Batches.EpochAsync(skipping).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(GC.GetTotalAllocatedBytes(precise: true) - allocated < 200L << 20, "the oversized image was allocated");
            Assert.Equal([0L, 1, 2, 4, 5], batches[0].Index!);
            Assert.Equal(1, skipping.Metrics.SkippedRecords);
            Assert.Contains("offset", Assert.Single(skipping.Metrics.SkippedDetails), StringComparison.Ordinal);
        }

        using var strict = new ImageRecordIter(options);
        var error = await Assert.ThrowsAsync<RecordFormatException>(() => Batches.EpochAsync(strict)).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("record 3", error.Message, StringComparison.Ordinal);
        Assert.IsType<ImagingException>(error.InnerException);
    }

    private static string WriteRecWithCorruptImage(TempDirectory temp, int corruptAt)
    {
        string rec = temp.File("broken.rec");
        using var writer = new RecordIOWriter(rec);
        for (int i = 0; i < 10; i++)
        {
            byte[] jpeg = File.ReadAllBytes(s_photos[i]);
            if (i == corruptAt) jpeg = [.. "not a jpeg at all"u8];
            writer.Write(ImageRecord.Pack(new ImageRecordHeader(0, i, (ulong)i, 0), jpeg));
        }

        return rec;
    }

    private sealed class ThrowingAug(int failAt) : Augmenter
    {
        private int _calls;

        public override NDArray Apply(NDArray src, Random rng)
        {
            if (Interlocked.Increment(ref _calls) == failAt)
            {
                src.Dispose();
                throw new InvalidOperationException("augmenter failed on purpose");
            }

            return src;
        }
    }
}
