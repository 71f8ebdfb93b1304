using System.Globalization;
using System.Text;
using Pipeline.Core;
using Pipeline.Stages.Iterators;
using Pipeline.Tests.Infrastructure;
using Pipeline.Tests.Infrastructure.Servers;

namespace Pipeline.Tests.Stages.Storage;

/// <summary>Iterators over s3:// resume from a saved state as they do over local files: cut twice, the batches are an uninterrupted local run's.</summary>
[Collection(StorageServersGroup.Name)]
public sealed class RemoteResumeTests(StorageServers servers)
{
    [S3Fact]
    public async Task ImageRecordIter_FromS3_WithAndWithoutIndex_CutsEqualUninterruptedLocalRun()
    {
        string name = "im2rec-resize64-q90";
        servers.S3.Put("resume/a.rec", File.ReadAllBytes(TestFiles.Im2RecRec(name)));
        servers.S3.Put("resume/a.idx", File.ReadAllBytes(Path.Combine(TestFiles.Im2RecDir, name + ".idx")));
        foreach (bool indexed in new[] { false, true })
        {
            var local = new ImageRecordIterOptions
            {
                PathImgRec = TestFiles.Im2RecRec(name),
                PathImgIdx = indexed ? Path.Combine(TestFiles.Im2RecDir, name + ".idx") : null,
                DataShape = [3, 24, 24], BatchSize = 3, Resize = 24, RandCrop = true, RandMirror = true, Shuffle = true, Seed = 3, NumParts = 2, PartIndex = 1,
            };
            ImageRecordIterOptions remote = local with { PathImgRec = S3rverServer.Uri("resume/a.rec"), PathImgIdx = indexed ? S3rverServer.Uri("resume/a.idx") : null, Storage = servers.S3.Options };
            List<string> expected;
            await using (var whole = new ImageRecordIter(local)) expected = await ResumeDriver.UninterruptedAsync(whole, 16);
            List<string> resumed = await ResumeDriver.InterruptedAsync(part => new ImageRecordIter(remote with { PreprocessThreads = 1 + part }), 16, 3, 9, startSecond: true);
            Assert.Equal(expected, resumed);
        }
    }

    [S3Fact]
    public async Task CsvIter_FromS3_CutsEqualUninterruptedLocalRun()
    {
        using var temp = new TempDirectory();
        var csv = new StringBuilder();
        for (int i = 0; i < 37; i++) csv.Append(CultureInfo.InvariantCulture, $"{i},{i * 0.5},{-i}\n");
        File.WriteAllText(temp.File("data.csv"), csv.ToString());
        servers.S3.Put("resume/data.csv", Encoding.ASCII.GetBytes(csv.ToString()));
        var local = new CsvIterOptions { DataCsv = temp.File("data.csv"), DataShape = [3], BatchSize = 5 };
        List<string> expected;
        await using (var whole = new CsvIter(local)) expected = await ResumeDriver.UninterruptedAsync(whole, 22);
        CsvIterOptions remote = local with { DataCsv = S3rverServer.Uri("resume/data.csv"), Storage = servers.S3.Options };
        Assert.Equal(expected, await ResumeDriver.InterruptedAsync(part => new CsvIter(remote with { PrefetchBuffer = 1 + part }), 22, 4, 13, startSecond: true));
    }
}
