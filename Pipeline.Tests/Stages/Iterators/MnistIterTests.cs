using System.IO.Compression;
using Pipeline.Core;
using Pipeline.Stages.Iterators;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Stages.Iterators;

/// <summary>MnistIter on the shipped Fashion-MNIST subset (8,000 training images).</summary>
public sealed class MnistIterTests
{
    private static readonly Lazy<byte[]> s_rawImages = new(() => Gunzip(TestFiles.FashionTrainImages));
    private static readonly Lazy<byte[]> s_rawLabels = new(() => Gunzip(TestFiles.FashionTrainLabels));

    [Fact]
    public async Task Unshuffled_BatchesHoldPixelsOver256AndLabelsInFileOrder()
    {
        using var iter = new MnistIter(new MnistIterOptions { Image = TestFiles.FashionTrainImages, Label = TestFiles.FashionTrainLabels, BatchSize = 100, Shuffle = false });
        Assert.Equal(new DataDesc("data", [100, 1, 28, 28]), iter.ProvideData[0]);
        Assert.Equal(new DataDesc("softmax_label", [100]), iter.ProvideLabel[0]);
        List<BatchCopy> epoch = await Batches.EpochAsync(iter);
        Assert.Equal(80, epoch.Count);
        Assert.All(epoch, b => Assert.Equal(0, b.Pad));
        BatchCopy second = epoch[1];
        for (int i = 0; i < 784; i++) Assert.Equal(s_rawImages.Value[16 + (100 * 784) + i] / 256f, second.Data[0][i]);
        for (int i = 0; i < 100; i++) Assert.Equal(s_rawLabels.Value[8 + 100 + i], second.Label[0][i]);
        Assert.True(epoch.SelectMany(b => b.Data[0]).Max() <= 255f / 256f);
    }

    [Fact]
    public async Task PartialBatch_IsDropped_AndFlatGivesRows()
    {
        using var iter = new MnistIter(new MnistIterOptions { Image = TestFiles.FashionTrainImages, Label = TestFiles.FashionTrainLabels, BatchSize = 128, Flat = true });
        Assert.Equal([128, 784], iter.ProvideData[0].Shape);
        Assert.Equal(62, (await Batches.EpochAsync(iter)).Count);
    }

    [Fact]
    public async Task Shuffle_IsSeededPerEpochAndKeepsImagesWithLabels()
    {
        var options = new MnistIterOptions { Image = TestFiles.FashionTrainImages, Label = TestFiles.FashionTrainLabels, BatchSize = 500, Seed = 9 };
        using var a = new MnistIter(options);
        using var b = new MnistIter(options);
        List<BatchCopy> first = await Batches.EpochAsync(a);
        Assert.Equal(first.SelectMany(x => x.Label[0]), (await Batches.EpochAsync(b)).SelectMany(x => x.Label[0]));
        foreach (BatchCopy batch in first.Take(2))
        {
            for (int i = 0; i < 500; i++)
            {
                long row = batch.Index![i];
                Assert.Equal(s_rawLabels.Value[8 + row], batch.Label[0][i]);
                Assert.Equal(s_rawImages.Value[16 + (row * 784) + 400] / 256f, batch.Data[0][(i * 784) + 400]);
            }
        }

        a.Reset();
        List<BatchCopy> second = await Batches.EpochAsync(a);
        Assert.NotEqual(first.SelectMany(x => x.Index!), second.SelectMany(x => x.Index!));
    }

    [Fact]
    public void Parts_SplitLikeMXNet()
    {
        int[] counts = Enumerable.Range(0, 3).Select(p =>
        {
            using var iter = new MnistIter(new MnistIterOptions { Image = TestFiles.FashionTrainImages, Label = TestFiles.FashionTrainLabels, NumParts = 3, PartIndex = p });
            return iter.NumImages;
        }).ToArray();
        Assert.Equal([2666, 2667, 2667], counts);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MnistIter(new MnistIterOptions { Image = TestFiles.FashionTrainImages, Label = TestFiles.FashionTrainLabels, NumParts = 3, PartIndex = 3 }));
    }

    [Fact]
    public void BadFiles_ThrowNamingTheFile()
    {
        using var temp = new TempDirectory();
        var swapped = Assert.Throws<DataFormatException>(() => new MnistIter(new MnistIterOptions { Image = TestFiles.FashionTrainLabels, Label = TestFiles.FashionTrainImages }));
        Assert.Contains("magic", swapped.Message, StringComparison.Ordinal);

        File.WriteAllBytes(temp.File("short-images"), s_rawImages.Value[..5000]);
        var truncated = Assert.Throws<DataFormatException>(() => new MnistIter(new MnistIterOptions { Image = temp.File("short-images"), Label = TestFiles.FashionTrainLabels }));
        Assert.Contains("short-images", truncated.Message, StringComparison.Ordinal);

        byte[] fewerLabels = s_rawLabels.Value[..108];
        fewerLabels[7] = 100;
        fewerLabels[6] = 0;
        File.WriteAllBytes(temp.File("labels"), fewerLabels);
        var mismatch = Assert.Throws<DataFormatException>(() => new MnistIter(new MnistIterOptions { Image = TestFiles.FashionTrainImages, Label = temp.File("labels") }));
        Assert.Contains("100 labels", mismatch.Message, StringComparison.Ordinal);

        Assert.Throws<FileNotFoundException>(() => new MnistIter(new MnistIterOptions { Image = temp.File("nope"), Label = TestFiles.FashionTrainLabels }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MnistIter(new MnistIterOptions { Image = TestFiles.FashionTrainImages, Label = TestFiles.FashionTrainLabels, BatchSize = 0 }));
    }

    private static byte[] Gunzip(string path)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gzip.CopyTo(memory);
        return memory.ToArray();
    }
}
