using System.Globalization;
using System.Text;
using Pipeline.Core;
using Pipeline.Core.RecordIO;
using Pipeline.Core.Storage;
using Pipeline.Stages.Im2Rec;
using Pipeline.Stages.ImagePipeline;
using Pipeline.Stages.Iterators;
using Pipeline.Tests.Infrastructure;
using Pipeline.Tests.Infrastructure.Servers;

namespace Pipeline.Tests.Stages.Storage;

/// <summary>The iterators and im2rec take URIs wherever they take paths, and give the same batches and bytes as with local files.</summary>
[Collection(StorageServersGroup.Name)]
public sealed class RemoteIteratorTests(StorageServers servers)
{
    [S3Fact]
    public async Task ImageRecordIter_FromS3_SameBatchesAsLocal_WithAndWithoutIndexShuffled()
    {
        string name = "im2rec-resize64-q90";
        servers.S3.Put("iter/a.rec", File.ReadAllBytes(TestFiles.Im2RecRec(name)));
        servers.S3.Put("iter/a.idx", File.ReadAllBytes(Path.Combine(TestFiles.Im2RecDir, name + ".idx")));
        foreach (bool indexed in new[] { false, true })
        {
            var local = new ImageRecordIterOptions
            {
                PathImgRec = TestFiles.Im2RecRec(name),
                PathImgIdx = indexed ? Path.Combine(TestFiles.Im2RecDir, name + ".idx") : null,
                DataShape = [3, 24, 24],
                BatchSize = 5,
                Resize = 24,
                RandCrop = true,
                RandMirror = true,
                Shuffle = indexed,
                Seed = 3,
                NumParts = 2,
                PartIndex = 1,
                PreprocessThreads = 2,
            };
            var remote = local with
            {
                PathImgRec = S3rverServer.Uri("iter/a.rec"),
                PathImgIdx = indexed ? S3rverServer.Uri("iter/a.idx") : null,
                Storage = servers.S3.Options,
            };
            await AssertSameBatches(new ImageRecordIter(local), new ImageRecordIter(remote));
        }
    }

    [S3Fact]
    public Task ImageRecordIter_FromS3_SkipsBrokenRecords_AndReadsOnAtTheNextHead()
    {
        using var temp = new TempDirectory();
        HostileRecordFile.Write(temp.File("hostile.rec"), idx: null);
        servers.S3.Put("skip/hostile.rec", File.ReadAllBytes(temp.File("hostile.rec")));
        return AssertSkipsBrokenRecords(S3rverServer.Uri("skip/hostile.rec"), servers.S3.Options);
    }

    [NginxFact]
    public Task ImageRecordIter_FromHttp_SkipsBrokenRecords_AndReadsOnAtTheNextHead()
    {
        using var temp = new TempDirectory();
        HostileRecordFile.Write(temp.File("hostile.rec"), idx: null);
        servers.Http.PublishFile("skip/hostile.rec", temp.File("hostile.rec"));
        return AssertSkipsBrokenRecords(servers.Http.Url("skip/hostile.rec"), StorageOptions.Default);
    }

    [NginxFact]
    public async Task ImageIter_FromHttpRecAndFromHttpImageList_SameBatchesAsLocal()
    {
        string name = "im2rec-resize64-q90";
        servers.Http.PublishFile("iter/b.rec", TestFiles.Im2RecRec(name));
        servers.Http.PublishFile("iter/b.idx", Path.Combine(TestFiles.Im2RecDir, name + ".idx"));
        var local = new ImageIterOptions { PathImgRec = TestFiles.Im2RecRec(name), PathImgIdx = Path.Combine(TestFiles.Im2RecDir, name + ".idx"), DataShape = [3, 32, 32], BatchSize = 4, Resize = 32, Shuffle = true, Seed = 5 };
        await AssertSameBatches(new ImageIter(local), new ImageIter(local with { PathImgRec = servers.Http.Url("iter/b.rec"), PathImgIdx = servers.Http.Url("iter/b.idx") }));

        // A list and an image root on the server: every image is a GET.
        string list = Path.Combine(TestFiles.Im2RecDir, "images.lst");
        servers.Http.PublishFile("iter/images.lst", list);
        foreach (string file in Directory.GetFiles(TestFiles.PhotosDir, "*", SearchOption.AllDirectories))
        {
            servers.Http.PublishFile("iter/photos/" + Path.GetRelativePath(TestFiles.PhotosDir, file).Replace('\\', '/'), file);
        }

        var fromList = new ImageIterOptions { PathImgList = list, PathRoot = TestFiles.PhotosDir, DataShape = [3, 32, 32], BatchSize = 4, Resize = 32 };
        await AssertSameBatches(new ImageIter(fromList), new ImageIter(fromList with { PathImgList = servers.Http.Url("iter/images.lst"), PathRoot = servers.Http.Url("iter/photos") }));
    }

    [S3Fact]
    public async Task CsvIter_AndMnistIter_FromS3_SameBatchesAsLocal()
    {
        using var temp = new TempDirectory();
        var csv = new StringBuilder();
        for (int i = 0; i < 97; i++) csv.Append(CultureInfo.InvariantCulture, $"{i},{i * 0.5},{-i}\n");
        File.WriteAllText(temp.File("data.csv"), csv.ToString());
        servers.S3.Put("iter/data.csv", Encoding.ASCII.GetBytes(csv.ToString()));
        var local = new CsvIterOptions { DataCsv = temp.File("data.csv"), DataShape = [3], BatchSize = 10 };
        await AssertSameBatches(new CsvIter(local), new CsvIter(local with { DataCsv = S3rverServer.Uri("iter/data.csv"), Storage = servers.S3.Options }));

        servers.S3.Put("iter/images.gz", File.ReadAllBytes(TestFiles.FashionTrainImages));
        servers.S3.Put("iter/labels.gz", File.ReadAllBytes(TestFiles.FashionTrainLabels));
        var mnist = new MnistIterOptions { Image = TestFiles.FashionTrainImages, Label = TestFiles.FashionTrainLabels, BatchSize = 100, Shuffle = true, Seed = 2 };
        await AssertSameBatches(new MnistIter(mnist), new MnistIter(mnist with { Image = S3rverServer.Uri("iter/images.gz"), Label = S3rverServer.Uri("iter/labels.gz"), Storage = servers.S3.Options }));
    }

    [S3Fact]
    public async Task Im2Rec_OutputToS3_SameBytesAsLocal_AndNothingOnFailure()
    {
        using var temp = new TempDirectory();
        File.Copy(Path.Combine(TestFiles.Im2RecDir, "images.lst"), temp.File("photos.lst"));
        var options = new Im2RecPackOptions { PassThrough = true, NumThreads = 2, Output = S3rverServer.Uri("im2rec/"), Storage = servers.S3.Options };
        IReadOnlyList<Im2RecSummary> summaries = await Im2RecPacker.PackPrefixAsync(temp.File("photos"), TestFiles.PhotosDir, options);
        Assert.Equal(S3rverServer.Uri("im2rec/photos.rec"), summaries[0].RecPath);
        byte[] expected = File.ReadAllBytes(Path.Combine(TestFiles.Im2RecDir, "im2rec-passthrough.rec"));
        Assert.Equal(expected.Length, summaries[0].Bytes);
        Assert.Equal(expected, servers.S3.Get("im2rec/photos.rec"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(TestFiles.Im2RecDir, "im2rec-passthrough.idx")), servers.S3.Get("im2rec/photos.idx"));

        // A strict pack that meets an unreadable image aborts both uploads: no object appears.
        File.WriteAllText(temp.File("broken.lst"), "0\t0.000000\tlandscape/missing.jpg\n");
        await Assert.ThrowsAnyAsync<Exception>(() => Im2RecPacker.PackAsync(temp.File("broken.lst"), TestFiles.PhotosDir, S3rverServer.Uri("im2rec/broken.rec"), S3rverServer.Uri("im2rec/broken.idx"), options with { Strict = true }));
        Assert.Null(servers.S3.Get("im2rec/broken.rec"));
        Assert.Null(servers.S3.Get("im2rec/broken.idx"));
    }

    [S3Fact]
    public async Task Im2RecCommand_OutputToS3_FromTheAwsEnvironment()
    {
        using var temp = new TempDirectory();
        File.Copy(Path.Combine(TestFiles.Im2RecDir, "images.lst"), temp.File("photos.lst"));
        string[] names = ["AWS_ENDPOINT_URL_S3", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"];
        string[] values = [servers.S3.Endpoint.ToString(), S3rverServer.AccessKey, S3rverServer.SecretKey, "us-east-1"];
        try
        {
            for (int i = 0; i < names.Length; i++) Environment.SetEnvironmentVariable(names[i], values[i]);
            (int code, string text) = await ToolRunner.RunAsync("im2rec", temp.File("photos"), TestFiles.PhotosDir, "--pass-through", "--output", S3rverServer.Uri("cli/"));
            Assert.True(code == 0, text);
            Assert.Contains("s3://pipeline/cli/photos.rec: 24 records", text, StringComparison.Ordinal);
            (code, text) = await ToolRunner.RunAsync("rec", "verify", S3rverServer.Uri("cli/photos.rec"));
            Assert.True(code == 0, text);
            Assert.Contains("OK, 24 records", text, StringComparison.Ordinal);
        }
        finally
        {
            foreach (string name in names) Environment.SetEnvironmentVariable(name, null);
        }

        Assert.Equal(File.ReadAllBytes(Path.Combine(TestFiles.Im2RecDir, "im2rec-passthrough.rec")), servers.S3.Get("cli/photos.rec"));
    }

    private static async Task AssertSameBatches(DataIter expected, DataIter actual)
    {
        using (expected)
        using (actual)
        {
            for (int epoch = 0; epoch < 2; epoch++)
            {
                List<BatchCopy> want = await Batches.EpochAsync(expected);
                List<BatchCopy> got = await Batches.EpochAsync(actual);
                Assert.NotEmpty(want);
                Assert.Equal(want.Count, got.Count);
                for (int i = 0; i < want.Count; i++)
                {
                    Assert.Equal(want[i].Data, got[i].Data);
                    Assert.Equal(want[i].Label, got[i].Label);
                    Assert.Equal(want[i].Pad, got[i].Pad);
                    Assert.Equal(want[i].Index, got[i].Index);
                }

                expected.Reset();
                actual.Reset();
            }
        }
    }

    /// <summary>A remote .rec with records broken in every way: under Skip the good ones arrive and each failure is counted
    /// by reason, framing ones included (the scan for the next head reads the remote object); under Throw the first
    /// broken record fails naming the URI.</summary>
    private static async Task AssertSkipsBrokenRecords(string uri, StorageOptions storage)
    {
        var options = new ImageRecordIterOptions { PathImgRec = uri, Storage = storage, DataShape = [3, 8, 8], BatchSize = 1, CorruptRecords = CorruptRecordPolicy.Skip };
        using (var iter = new ImageRecordIter(options))
        {
            for (int epoch = 0; epoch < 2; epoch++)
            {
                iter.Reset();
                List<BatchCopy> batches = await Batches.EpochAsync(iter);
                Assert.Equal(HostileRecordFile.GoodLabels, batches.Select(b => b.Label[0][0]));
            }

            Assert.Equal(4, iter.Metrics.SkippedFor(SkipReason.Framing));
            Assert.Equal(4, iter.Metrics.SkippedFor(SkipReason.Header));
            Assert.Equal(12, iter.Metrics.SkippedRecords);
        }

        using var strict = new ImageRecordIter(options with { CorruptRecords = CorruptRecordPolicy.Throw });
        RecordFormatException error = await Assert.ThrowsAsync<RecordFormatException>(() => Batches.EpochAsync(strict));
        Assert.Contains(uri, error.Message, StringComparison.Ordinal);
    }
}
