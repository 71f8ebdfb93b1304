using Pipeline.Core;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Iterators;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Stages.Iterators;

/// <summary><see cref="DataIter.BatchesPerEpoch"/> of every iterator equals the number of batches an epoch yields (null only where the length is found by reading).</summary>
public sealed class BatchesPerEpochTests
{
    public static TheoryData<string, LastBatchHandle> Cases()
    {
        var data = new TheoryData<string, LastBatchHandle>();
        foreach (string kind in (string[])["NDArrayIter", "MnistIter", "ImageIter", "ImageRecordIter", "PrefetchingIter", "ResizeIter", "SampleIter"])
        {
            foreach (LastBatchHandle handle in Enum.GetValues<LastBatchHandle>()) data.Add(kind, handle);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BatchesPerEpoch_EqualsTheBatchesOfEachEpoch(string kind, LastBatchHandle handle)
    {
        using DataIter iter = Make(kind, handle);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            int? expected = iter.BatchesPerEpoch;
            Assert.NotNull(expected);
            Assert.Equal(expected, (await Batches.EpochAsync(iter)).Count);
            iter.Reset();
        }
    }

    [Fact]
    public async Task CsvIter_StreamsItsFiles_IsNull()
    {
        using var dir = new TempDirectory();
        string path = dir.File("data.csv");
        await File.WriteAllLinesAsync(path, Enumerable.Range(0, 25).Select(i => $"{i},{i},{i}"));
        using var iter = new CsvIter(new CsvIterOptions { DataCsv = path, DataShape = [3], BatchSize = 10 });
        Assert.Null(iter.BatchesPerEpoch);
        Assert.Equal(3, (await Batches.EpochAsync(iter)).Count);
    }

    [Fact]
    public async Task BucketSentenceIter_CountsItsBucketsBatches_AndLibSVMIter_StreamsItsFile_IsNull()
    {
        // 70 sentences of lengths 3 and 5 in batches of 8: buckets of 35 and 35 give 4 + 4 full batches.
        int[][] sentences = [.. Enumerable.Range(0, 70).Select(i => Enumerable.Range(1, i % 2 == 0 ? 3 : 5).ToArray())];
        using var text = new BucketSentenceIter(sentences, batchSize: 8, seed: 3);
        for (int epoch = 0; epoch < 2; epoch++)
        {
            Assert.Equal(8, text.BatchesPerEpoch);
            Assert.Equal(8, (await Batches.EpochAsync(text)).Count);
            text.Reset();
        }

        using var dir = new TempDirectory();
        string path = dir.File("data.libsvm");
        await File.WriteAllLinesAsync(path, Enumerable.Range(0, 25).Select(i => $"{i % 2} {i % 5}:1"));
        using var svm = new LibSVMIter(new LibSVMIterOptions { DataLibsvm = path, DataShape = [5], BatchSize = 10 });
        Assert.Null(svm.BatchesPerEpoch);
        Assert.Equal(3, (await Batches.EpochAsync(svm)).Count);
    }

    [Fact]
    public void SampleIter_WithoutSamplesPerEpoch_IsNull()
    {
        using SampleIter<int> iter = Samples(LastBatchHandle.Pad, count: null);
        Assert.Null(iter.BatchesPerEpoch);
    }

    private static DataIter Make(string kind, LastBatchHandle handle) => kind switch
    {
        // 23 examples in batches of 5: pad 5 batches, discard 4, roll-over 4, 5, 5 (the carry grows).
        "NDArrayIter" => Arrays(handle),
        "MnistIter" when handle == LastBatchHandle.Discard => new MnistIter(new MnistIterOptions { Image = TestFiles.FashionTrainImages, Label = TestFiles.FashionTrainLabels, BatchSize = 3000 }),
        "MnistIter" => Arrays(handle), // MNISTIter always discards (MXNet's behaviour); the other handles are NDArrayIter's.
        "ImageIter" => Images(handle),
        "ImageRecordIter" => new ImageRecordIter(new ImageRecordIterOptions
        {
            PathImgRec = TestFiles.Im2RecRec("im2rec-resize48-png"), PathImgIdx = Path.Combine(TestFiles.Im2RecDir, "im2rec-resize48-png.idx"),
            DataShape = [3, 8, 8], Resize = 8, BatchSize = 5, PreprocessThreads = 1, RoundBatch = handle != LastBatchHandle.Discard,
        }),
        "PrefetchingIter" => new PrefetchingIter(Arrays(handle), Arrays(handle)),
        "ResizeIter" => new ResizeIter(Arrays(handle), size: 7),
        "SampleIter" => Samples(handle, count: 23),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static NDArrayIter Arrays(LastBatchHandle handle) =>
        new(NDArray.From(Enumerable.Range(0, 23).Select(i => (float)i).ToArray(), 23, 1), batchSize: 5, lastBatchHandle: handle);

    private static ImageIter Images(LastBatchHandle handle) => new(new ImageIterOptions
    {
        BatchSize = 5, DataShape = [3, 8, 8], PreprocessThreads = 1, LastBatchHandle = handle,
        ImgList = [.. Directory.GetFiles(TestFiles.PhotosDir, "*.jpg", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(12).Select(p => (new[] { 1f }, p))],
        PathRoot = string.Empty, AugList = [new ForceResizeAug((8, 8))],
    });

    private static SampleIter<int> Samples(LastBatchHandle handle, int? count) => new(
        (epoch, ct) => Enumerable.Range(0, 23).ToAsyncEnumerable(),
        [new DataDesc("data", [5, 1], DType.Int32)],
        [],
        (sample, slot) => slot.Data<int>()[0] = sample,
        handle) { SamplesPerEpoch = count };
}
