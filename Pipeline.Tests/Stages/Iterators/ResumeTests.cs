using System.Globalization;
using FsCheck;
using FsCheck.Xunit;
using Pipeline.Core;
using Pipeline.Core.RecordIO;
using Pipeline.Stages.ImagePipeline;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Iterators;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Stages.Iterators;

/// <summary>Every resumable iterator: run to a cut, save, restore into a new iterator (other threads and prefetch), run on; twice; the batches are an uninterrupted run's.</summary>
public sealed class ResumeTests
{
    [Property(MaxTest = 80)]
    public async Task NDArrayIter_AnyCuts_EqualUninterruptedRun(PositiveInt n, PositiveInt b, bool shuffle, int seed, NonNegativeInt c1, NonNegativeInt c2, bool startSecond)
    {
        int numData = ((n.Get - 1) % 30) + 1;
        int batchSize = ((b.Get - 1) % 9) + 1;
        LastBatchHandle handle = (LastBatchHandle)Math.Abs(seed % 3);
        using NDArray data = NDArray.From(Enumerable.Range(0, numData * 3).Select(i => (float)i).ToArray(), numData, 3);
        using NDArray label = NDArray.From(Enumerable.Range(0, numData).Select(i => (float)(i % 7)).ToArray(), numData);
        DataIter Make(int part) => new NDArrayIter(
            new Dictionary<string, NDArray> { ["data"] = data }, new Dictionary<string, NDArray> { ["softmax_label"] = label }, batchSize, shuffle, handle, seed, prefetch: 1 + (part * 2));
        await CheckAsync(Make, StepsFor(numData, batchSize, epochs: 4), c1.Get, c2.Get, startSecond);
    }

    [Property(MaxTest = 40)]
    public async Task SampleIter_SeekableSource_AnyCuts_EqualUninterruptedRun(PositiveInt n, PositiveInt b, int seed, NonNegativeInt c1, NonNegativeInt c2, bool startSecond)
    {
        int numData = ((n.Get - 1) % 25) + 1;
        int batchSize = ((b.Get - 1) % 7) + 1;
        LastBatchHandle handle = (LastBatchHandle)Math.Abs(seed % 3);
        DataIter Make(int part) => new SampleIter<int>(
            (epoch, first, _) => Numbers(epoch, first, numData),
            [new DataDesc("data", [batchSize, 2])],
            [],
            (value, slot) =>
            {
                // The writer's draws come from (seed, ordinal), as a pipeline's augmentation does.
                slot.Data<float>()[0] = value;
                slot.Data<float>()[1] = SeededRandom.For(seed, slot.Ordinal).NextSingle();
            },
            handle,
            prefetch: 1 + part);
        await CheckAsync(Make, StepsFor(numData, batchSize, epochs: 4), c1.Get, c2.Get, startSecond);
    }

    [Fact]
    public async Task SampleIter_Restore_StartsTheSourceAtThePosition()
    {
        var starts = new System.Collections.Concurrent.ConcurrentQueue<(int Epoch, long First)>();
        SampleIter<int> Make() => new(
            (epoch, first, _) =>
            {
                starts.Enqueue((epoch, first));
                return Numbers(epoch, first, 40);
            },
            [new DataDesc("data", [4, 1])],
            [],
            (v, slot) => slot.Data<float>()[0] = v,
            LastBatchHandle.Discard);
        IteratorState state;
        await using (SampleIter<int> saved = Make())
        {
            for (int i = 0; i < 3; i++) (await saved.NextAsync())!.Dispose();
            state = saved.SaveState();
        }

        await using SampleIter<int> restored = Make();
        restored.RestoreState(state);
        using DataBatch batch = (await restored.NextAsync())!;

        // The restored epoch's source starts at example 12: the 12 before it are never asked for again.
        Assert.Contains((0, 12L), starts);
        Assert.Equal(112f, batch.Data[0].AsSpan<float>()[0]);
    }

    [Fact]
    public void SampleIter_SourceThatCannotSeek_SaveThrowsNotSupported()
    {
        using var iter = new SampleIter<int>((epoch, _) => Numbers(epoch, 0, 4), [new DataDesc("data", [2, 1])], [], (v, slot) => slot.Data<float>()[0] = v);
        NotSupportedException error = Assert.Throws<NotSupportedException>(() => iter.SaveState());
        Assert.Contains("cannot start an epoch at an ordinal", error.Message, StringComparison.Ordinal);
    }

    [Property(MaxTest = 25)]
    public async Task CsvIter_AnyCuts_EqualUninterruptedRun(PositiveInt n, PositiveInt b, bool roundBatch, bool crlf, NonNegativeInt c1, NonNegativeInt c2, bool startSecond)
    {
        int rows = ((n.Get - 1) % 30) + 1;
        int batchSize = ((b.Get - 1) % 8) + 1;
        using var temp = new TempDirectory();
        string newline = crlf ? "\r\n" : "\n";
        File.WriteAllText(temp.File("data.csv"), string.Concat(Enumerable.Range(0, rows).Select(i => string.Create(CultureInfo.InvariantCulture, $"{i},{i * 0.5},{-i}{newline}"))));
        File.WriteAllText(temp.File("label.csv"), string.Concat(Enumerable.Range(0, rows).Select(i => string.Create(CultureInfo.InvariantCulture, $"{i % 3}{newline}"))));
        DataIter Make(int part) => new CsvIter(new CsvIterOptions
        {
            DataCsv = temp.File("data.csv"), DataShape = [3], LabelCsv = temp.File("label.csv"), BatchSize = batchSize, RoundBatch = roundBatch, PrefetchBuffer = 1 + part,
        });
        await CheckAsync(Make, StepsFor(rows, batchSize, epochs: 3), c1.Get, c2.Get, startSecond);
    }

    [Fact]
    public async Task CsvIter_SeveralFiles_ResumesByByteOffsetInTheRightFile()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.File("parts"));
        for (int f = 0; f < 3; f++)
        {
            File.WriteAllText(temp.File($"parts/{f}.csv"), string.Concat(Enumerable.Range(0, 5).Select(i => string.Create(CultureInfo.InvariantCulture, $"{(f * 5) + i},1\n"))));
        }

        DataIter Make(int part) => new CsvIter(new CsvIterOptions { DataCsv = temp.File("parts"), DataShape = [2], BatchSize = 4, PrefetchBuffer = 1 + part });
        for (int cut = 0; cut < 12; cut++) await CheckAsync(Make, 12, cut, cut + 2, startSecond: true);
    }

    [Fact]
    public async Task CsvIter_FileChangedSinceTheSave_RestoreRefusesIt()
    {
        using var temp = new TempDirectory();
        string csv = temp.File("data.csv");
        File.WriteAllText(csv, string.Concat(Enumerable.Range(0, 20).Select(i => string.Create(CultureInfo.InvariantCulture, $"{i},{i}\n"))));
        var options = new CsvIterOptions { DataCsv = csv, DataShape = [2], BatchSize = 4 };
        IteratorState state;
        await using (var saved = new CsvIter(options))
        {
            for (int i = 0; i < 3; i++) (await saved.NextAsync())!.Dispose();
            state = saved.SaveState();
        }

        // Same name and first bytes, other length: the fingerprint refuses it before any seek.
        File.WriteAllText(csv, "0,0\n1,1\n");
        await using var shorter = new CsvIter(options);
        Assert.Contains("another data set", Assert.Throws<ArgumentException>(() => shorter.RestoreState(state)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MnistIter_Shuffled_CutsEqualUninterruptedRun()
    {
        DataIter Make(int part) => new MnistIter(new MnistIterOptions { Image = TestFiles.FashionTrainImages, Label = TestFiles.FashionTrainLabels, BatchSize = 3000, Seed = 4, PrefetchBuffer = 1 + part });
        await CheckAsync(Make, 9, 1, 5, startSecond: true);
    }

    [Property(MaxTest = 20)]
    public async Task ImageIter_IndexedRecords_AnyCuts_EqualUninterruptedRun(PositiveInt n, PositiveInt b, bool shuffle, int seed, NonNegativeInt c1, NonNegativeInt c2, bool startSecond)
    {
        int images = ((n.Get - 1) % 14) + 1;
        int batchSize = ((b.Get - 1) % 5) + 1;
        LastBatchHandle handle = (LastBatchHandle)Math.Abs(seed % 3);
        using var temp = new TempDirectory();
        (string rec, string idx) = WriteImages(temp, images);
        DataIter Make(int part) => new ImageIter(new ImageIterOptions
        {
            BatchSize = batchSize, DataShape = [3, 6, 6], PathImgRec = rec, PathImgIdx = idx, Shuffle = shuffle, Seed = seed, RandCrop = true, RandMirror = true,
            LastBatchHandle = handle, PreprocessThreads = 1 + part, PrefetchBuffer = 1 + part,
        });
        await CheckAsync(Make, StepsFor(images, batchSize, epochs: 3), c1.Get, c2.Get, startSecond);
    }

    [Property(MaxTest = 20)]
    public async Task ImagePipeline_RecordFileShuffledByChunks_Sharded_AnyCuts_EqualUninterruptedRun(PositiveInt n, PositiveInt b, int seed, NonNegativeInt c1, NonNegativeInt c2, bool startSecond)
    {
        int images = ((n.Get - 1) % 16) + 2;
        int batchSize = ((b.Get - 1) % 5) + 1;
        LastBatchHandle handle = (LastBatchHandle)Math.Abs(seed % 3);
        int partIndex = Math.Abs(seed % 2);
        using var temp = new TempDirectory();
        (string rec, _) = WriteImages(temp, images);
        DataIter Make(int part) => new ImagePipelineIter(new ImagePipelineOptions
        {
            Source = new RecordFileSource(rec, partIndex, numParts: 2, shuffleChunkBytes: 700, seed: seed),
            Layout = new SampleLayout { Channels = 3, Height = 8, Width = 8, RandMirror = true },
            BatchSize = batchSize,
            LastBatchHandle = handle,
            Threads = 1 + part,
            Prefetch = 1 + part,
            Seed = seed,
        });
        await CheckAsync(Make, StepsFor(images, batchSize, epochs: 3), c1.Get, c2.Get, startSecond);
    }

    [Property(MaxTest = 10)]
    public async Task ImageRecordIter_WithAndWithoutIndex_AnyCuts_EqualUninterruptedRun(PositiveInt n, PositiveInt b, bool indexed, bool roundBatch, int seed, NonNegativeInt c1, NonNegativeInt c2)
    {
        int images = ((n.Get - 1) % 14) + 1;
        int batchSize = ((b.Get - 1) % 5) + 1;
        using var temp = new TempDirectory();
        (string rec, string idx) = WriteImages(temp, images);
        DataIter Make(int part) => new ImageRecordIter(new ImageRecordIterOptions
        {
            PathImgRec = rec, PathImgIdx = indexed ? idx : null, DataShape = [3, 6, 6], BatchSize = batchSize, Shuffle = true, Seed = seed, RandCrop = true, RandMirror = true,
            RoundBatch = roundBatch, PreprocessThreads = 1 + part, PrefetchBuffer = 1 + part,
        });
        await CheckAsync(Make, StepsFor(images, batchSize, epochs: 3), c1.Get, c2.Get, startSecond: true);
    }

    [Property(MaxTest = 30)]
    public async Task ResizeAndPrefetchingIter_AnyCuts_EqualUninterruptedRun(PositiveInt n, PositiveInt b, PositiveInt size, int seed, NonNegativeInt c1, NonNegativeInt c2)
    {
        int batchSize = ((b.Get - 1) % 6) + 1;

        // ResizeIter needs an inner iterator that yields a batch every epoch: at least one batch of examples.
        int numData = Math.Max(((n.Get - 1) % 20) + 1, batchSize);
        LastBatchHandle handle = (LastBatchHandle)Math.Abs(seed % 3);
        using NDArray data = NDArray.From(Enumerable.Range(0, numData * 2).Select(i => (float)i).ToArray(), numData, 2);
        using NDArray other = NDArray.From(Enumerable.Range(0, numData).Select(i => (float)-i).ToArray(), numData);
        NDArrayIter Inner(NDArray array, string name, int part) =>
            new(new Dictionary<string, NDArray> { [name] = array }, null, batchSize, shuffle: true, handle, seed, prefetch: 1 + part);
        DataIter Resize(int part) => new ResizeIter(Inner(data, "data", part), ((size.Get - 1) % 7) + 1);
        DataIter Prefetching(int part) => new PrefetchingIter(Inner(data, "data", part), Inner(other, "other", part));
        await CheckAsync(Resize, 24, c1.Get, c2.Get, startSecond: true);
        await CheckAsync(Prefetching, StepsFor(numData, batchSize, epochs: 3), c1.Get, c2.Get, startSecond: true);
    }

    private static int StepsFor(int numData, int batchSize, int epochs) => epochs * ((numData / batchSize) + 3);

    private static async Task CheckAsync(Func<int, DataIter> make, int steps, int c1, int c2, bool startSecond)
    {
        int cut1 = c1 % (steps + 1);
        int cut2 = cut1 + (c2 % (steps - cut1 + 1));
        List<string> expected;
        await using (DataIter whole = make(0)) expected = await ResumeDriver.UninterruptedAsync(whole, steps);
        List<string> resumed = await ResumeDriver.InterruptedAsync(make, steps, cut1, cut2, startSecond);
        Assert.True(expected.SequenceEqual(resumed), $"cuts {cut1}, {cut2} of {steps}:\nexpected {string.Join(" / ", expected)}\nresumed  {string.Join(" / ", resumed)}");
    }

    private static async IAsyncEnumerable<int> Numbers(int epoch, long first, int count)
    {
        // A pure function of (epoch, ordinal): a rotation that changes every epoch.
        for (long i = first; i < count; i++) yield return (int)((i + (epoch * 3)) % count) + 100;
        await Task.CompletedTask;
    }

    /// <summary>Writes <paramref name="count"/> random 8x8 PNG images (label = id = i) as a .rec with its .idx.</summary>
    internal static (string Rec, string Idx) WriteImages(TempDirectory temp, int count)
    {
        string rec = temp.File("images.rec");
        string idx = temp.File("images.idx");
        var random = new Random(count);
        using var writer = new IndexedRecordIOWriter(idx, rec);
        for (int i = 0; i < count; i++)
        {
            byte[] pixels = new byte[8 * 8 * 3];
            random.NextBytes(pixels);
            using NDArray image = NDArray.From(pixels, 8, 8, 3);
            writer.WriteIdx(i, ImageOps.PackImage(new ImageRecordHeader(0, i, (ulong)i, 0), image, 3, ".png"));
        }

        return (rec, idx);
    }
}
