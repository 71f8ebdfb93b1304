using System.Buffers.Binary;
using System.IO.Compression;
using System.Reflection;
using Pipeline.Core;
using Pipeline.Core.RecordIO;
using Pipeline.Core.Storage;
using Pipeline.Stages.Im2Rec;
using Pipeline.Stages.ImagePipeline;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Iterators;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Stages.Iterators;

/// <summary>Files that lie (MNIST headers, gzip bombs), unbounded lines in messages, the wrong file for an option, and options checked before anything is built.</summary>
public sealed class HostileInputTests
{
    [Fact]
    public void Mnist_CountsThatMultiplyPastInt_AreRefusedNotWrapped()
    {
        using var temp = new TempDirectory();

        // 16 images of 2^30 x 2^30: the product is 2^64, which wraps to 0 in 64-bit arithmetic.
        byte[] images = Idx(MnistMagic.Images, [16, 1 << 30, 1 << 30], []);
        File.WriteAllBytes(temp.File("images"), images);
        File.WriteAllBytes(temp.File("labels"), Idx(MnistMagic.Labels, [16], new byte[16]));
        DataFormatException error = Assert.Throws<DataFormatException>(() => new MnistIter(new MnistIterOptions { Image = temp.File("images"), Label = temp.File("labels"), BatchSize = 4, Flat = true }));
        Assert.Contains("dimension 1073741824", error.Message, StringComparison.Ordinal);
        Assert.Equal(temp.File("images"), error.FilePath);
    }

    [Fact]
    public void Mnist_GzipWithAQuarterGibibyteOfZerosAfterTheData_StopsAtTheDeclaredSize()
    {
        using var temp = new TempDirectory();
        byte[] valid = Idx(MnistMagic.Images, [2, 4, 4], new byte[32]);
        using (FileStream file = File.Create(temp.File("images.gz")))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        {
            gzip.Write(valid);
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 256; i++) gzip.Write(zeros);
        }

        File.WriteAllBytes(temp.File("labels"), Idx(MnistMagic.Labels, [2], [0, 1]));
        Assert.True(new FileInfo(temp.File("images.gz")).Length < 8 << 20);
        long before = GC.GetAllocatedBytesForCurrentThread();
        DataFormatException error = Assert.Throws<DataFormatException>(() => new MnistIter(new MnistIterOptions { Image = temp.File("images.gz"), Label = temp.File("labels"), BatchSize = 2 }));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("has data after the 32 item bytes", error.Message, StringComparison.Ordinal);
        Assert.True(allocated < 16 << 20, $"allocated {allocated} bytes to refuse a 256 MiB tail");

        // The same file without the tail is fine.
        using (FileStream file = File.Create(temp.File("images.gz")))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest)) gzip.Write(valid);
        using var iter = new MnistIter(new MnistIterOptions { Image = temp.File("images.gz"), Label = temp.File("labels"), BatchSize = 2 });
        Assert.Equal([2, 1, 4, 4], iter.ProvideData[0].Shape);
    }

    [Fact]
    public void Mnist_HeaderAnnouncingMoreThanTheFileHolds_NamesBoth()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.File("images"), Idx(MnistMagic.Images, [3, 4, 4], new byte[40]));
        File.WriteAllBytes(temp.File("labels"), Idx(MnistMagic.Labels, [3], [0, 1, 2]));
        DataFormatException error = Assert.Throws<DataFormatException>(() => new MnistIter(new MnistIterOptions { Image = temp.File("images"), Label = temp.File("labels"), BatchSize = 1 }));
        Assert.Contains("announces 3 items of 4x4 bytes but holds only 40 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IndexLine_OfFiveMegabytes_IsQuotedInAHundredCharacters()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.File("a.rec"), RecordFiles.Write([new byte[8]]));
        File.WriteAllText(temp.File("a.idx"), "0\t0\n" + new string('x', 5 << 20) + "\n");
        RecordFormatException error = Assert.Throws<RecordFormatException>(() => new IndexedRecordIOReader(temp.File("a.idx"), temp.File("a.rec")));
        Assert.Contains("Malformed line 2", error.Message, StringComparison.Ordinal);
        Assert.Contains($"({5 << 20} characters)", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Length < 600, $"a message of {error.Message.Length} characters");
        Assert.True(error.RecordKey!.Length < 200);
    }

    [Fact]
    public async Task CsvField_OfFiveMegabytes_IsQuotedInAHundredCharacters()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("data.csv"), "1,2\n3," + new string('z', 5 << 20) + "\n");
        using var iter = new CsvIter(new CsvIterOptions { DataCsv = temp.File("data.csv"), DataShape = [2], BatchSize = 1 });
        DataFormatException error = await Assert.ThrowsAsync<DataFormatException>(async () =>
        {
            while (await iter.NextAsync() is { } batch) batch.Dispose();
        });
        Assert.Contains("Line 2", error.Message, StringComparison.Ordinal);
        Assert.Contains($"({5 << 20} bytes)", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Length < 600, $"a message of {error.Message.Length} characters");
    }

    [Fact]
    public void ImageListLine_OfFiveMegabytes_IsQuotedInAHundredCharacters()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("a.lst"), "0\t1\ta.jpg\n" + new string('y', 5 << 20) + "\n");
        DataFormatException error = Assert.Throws<DataFormatException>(() => ImageList.Read(temp.File("a.lst")));
        Assert.Contains("Line 2", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Length < 600, $"a message of {error.Message.Length} characters");
    }

    [Fact]
    public async Task JpegPassedAsPathImgRec_SaysItIsNotARecordIOFile_EverywhereItIsRead()
    {
        string jpeg = Path.Combine(TestFiles.PhotosDir, "objects", "kite.jpg");
        using var iter = new ImageRecordIter(new ImageRecordIterOptions { PathImgRec = jpeg, DataShape = [3, 8, 8], BatchSize = 2 });
        RecordFormatException error = await Assert.ThrowsAsync<RecordFormatException>(async () => await iter.NextAsync());
        Assert.Contains("is not a RecordIO file (it looks like a JPEG image)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("multiple of 4", error.Message, StringComparison.Ordinal);

        (_, _, RecordFormatException? verify) = RecordFileTools.Verify(jpeg);
        Assert.Contains("is not a RecordIO file", verify!.Message, StringComparison.Ordinal);
        using var reader = new RecordIOReader(jpeg);
        Assert.Contains("is not a RecordIO file", Assert.Throws<RecordFormatException>(() => reader.Read()).Message, StringComparison.Ordinal);
        (int code, string text) = await ToolRunner.RunAsync("rec", "verify", jpeg);
        Assert.Equal(1, code);
        Assert.Contains("is not a RecordIO file", text, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFiles_NameTheirOption()
    {
        string missing = Path.Combine(Path.GetTempPath(), "pipeline-no-such-file.rec");
        FileNotFoundException rec = Assert.Throws<FileNotFoundException>(() => new ImageRecordIter(new ImageRecordIterOptions { PathImgRec = missing, DataShape = [3, 8, 8], BatchSize = 2 }));
        Assert.StartsWith("PathImgRec: ", rec.Message, StringComparison.Ordinal);
        FileNotFoundException idx = Assert.Throws<FileNotFoundException>(() => new ImageRecordIter(new ImageRecordIterOptions { PathImgRec = TestFiles.Rec("basic"), PathImgIdx = missing, DataShape = [3, 8, 8], BatchSize = 2 }));
        Assert.StartsWith("PathImgIdx: ", idx.Message, StringComparison.Ordinal);
        FileNotFoundException image = Assert.Throws<FileNotFoundException>(() => new ImageIter(new ImageIterOptions { PathImgRec = missing, DataShape = [3, 8, 8], BatchSize = 2 }));
        Assert.StartsWith("PathImgRec: ", image.Message, StringComparison.Ordinal);
        FileNotFoundException mnist = Assert.Throws<FileNotFoundException>(() => new MnistIter(new MnistIterOptions { Image = missing, Label = missing }));
        Assert.StartsWith("Image: ", mnist.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryOptionsRecord_HasAPublicValidate()
    {
        Type[] options = [.. new[] { typeof(DataIter).Assembly, typeof(ImageRecordIter).Assembly }
            .SelectMany(a => a.GetExportedTypes())
            .Where(t => t.Name.EndsWith("Options", StringComparison.Ordinal) && t.GetMethod("<Clone>$") is not null)];
        Assert.Contains(typeof(StorageOptions), options);
        Assert.Contains(typeof(ImageRecordIterOptions), options);
        Assert.True(options.Length >= 9, $"found {options.Length} options records");
        Assert.All(options, t => Assert.NotNull(t.GetMethod("Validate", BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes)));
    }

    [Fact]
    public void Validate_ChecksAConfigurationBeforeAnythingIsBuilt()
    {
        var record = new ImageRecordIterOptions { PathImgRec = "never-opened.rec", DataShape = [3, 8, 8], BatchSize = 2 };
        record.Validate();
        Assert.Equal("BatchSize", Assert.Throws<ArgumentOutOfRangeException>(() => (record with { BatchSize = 0 }).Validate()).ParamName);
        Assert.Equal("DataShape", Assert.Throws<ArgumentException>(() => (record with { DataShape = [5, 8, 8] }).Validate()).ParamName);
        Assert.Equal("MaxPixels", Assert.Throws<ArgumentOutOfRangeException>(() => new ImageDecodeOptions { MaxPixels = 0 }.Validate()).ParamName);
        Assert.Equal("Chunks", Assert.Throws<ArgumentOutOfRangeException>(() => new Im2RecListOptions { Chunks = 0 }.Validate()).ParamName);
        Assert.Equal("NumThreads", Assert.Throws<ArgumentOutOfRangeException>(() => new Im2RecPackOptions { NumThreads = 0 }.Validate()).ParamName);
        Assert.Equal("BatchSize", Assert.Throws<ArgumentOutOfRangeException>(() => new MnistIterOptions { BatchSize = 0 }.Validate()).ParamName);
        Assert.Equal("BatchSize", Assert.Throws<ArgumentOutOfRangeException>(() => new CsvIterOptions { DataCsv = "x.csv", DataShape = [1], BatchSize = 0 }.Validate()).ParamName);
        Assert.Equal("BatchSize", Assert.Throws<ArgumentOutOfRangeException>(() => new ImageIterOptions { PathImgList = "x.lst", PathRoot = ".", DataShape = [3, 8, 8], BatchSize = 0 }.Validate()).ParamName);
        Assert.Throws<ArgumentNullException>(() => new ImagePipelineOptions { Source = null!, Layout = new SampleLayout { Channels = 3, Height = 8, Width = 8 }, BatchSize = 1 }.Validate());
    }

    private static class MnistMagic
    {
        public const int Images = 0x00000803;
        public const int Labels = 0x00000801;
    }

    private static byte[] Idx(int magic, int[] header, byte[] items)
    {
        byte[] bytes = new byte[4 + (4 * header.Length) + items.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (int i = 0; i < header.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + (4 * i)), header[i]);
        items.CopyTo(bytes.AsSpan(4 + (4 * header.Length)));
        return bytes;
    }
}
