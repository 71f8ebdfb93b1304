using Pipeline.Core;
using Pipeline.Core.RecordIO;
using Pipeline.Stages.Im2Rec;
using Pipeline.Stages.Imaging;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Stages.Im2Rec;

/// <summary>Operator mistakes with im2rec: a wrong image folder, an image that cannot be re-encoded, a skip tolerance. Nothing good is ever replaced by nothing.</summary>
public sealed class Im2RecHostileTests
{
    [Fact]
    public async Task WrongRoot_EveryImageSkipped_FailsAndKeepsTheGoodPair()
    {
        using var temp = new TempDirectory();
        string images = Directory.CreateDirectory(temp.File("images")).FullName;
        File.Copy(Path.Combine(TestFiles.PhotosDir, "objects", "kite.jpg"), Path.Combine(images, "a.jpg"));
        File.Copy(Path.Combine(TestFiles.PhotosDir, "objects", "kite.jpg"), Path.Combine(images, "b.jpg"));
        File.WriteAllText(temp.File("x.lst"), "0\t0\ta.jpg\n1\t1\tb.jpg\n");
        Im2RecSummary good = await Im2RecPacker.PackAsync(temp.File("x.lst"), images, temp.File("x.rec"), temp.File("x.idx"), new Im2RecPackOptions { PassThrough = true });
        Assert.Equal(2, good.Written);
        byte[] rec = File.ReadAllBytes(temp.File("x.rec"));
        byte[] idx = File.ReadAllBytes(temp.File("x.idx"));

        PipelineException error = await Assert.ThrowsAsync<PipelineException>(() => Im2RecPacker.PackAsync(temp.File("x.lst"), temp.File("wrong-root"), temp.File("x.rec"), temp.File("x.idx"), new Im2RecPackOptions { PassThrough = true }));
        Assert.Contains("all 2 images were skipped", error.Message, StringComparison.Ordinal);
        Assert.Contains("wrong-root", error.Message, StringComparison.Ordinal);
        Assert.Equal(rec, File.ReadAllBytes(temp.File("x.rec")));
        Assert.Equal(idx, File.ReadAllBytes(temp.File("x.idx")));
        Assert.False(File.Exists(temp.File("x.rec.tmp")));
        Assert.False(File.Exists(temp.File("x.idx.tmp")));

        // Allowing skips never allows packing nothing.
        await Assert.ThrowsAsync<PipelineException>(() => Im2RecPacker.PackAsync(temp.File("x.lst"), temp.File("wrong-root"), temp.File("x.rec"), temp.File("x.idx"), new Im2RecPackOptions { PassThrough = true, MaxSkipped = 10 }));
        Assert.Equal(rec, File.ReadAllBytes(temp.File("x.rec")));
    }

    [Fact]
    public async Task MaxSkipped_IsTheToleranceForOneList()
    {
        using var temp = new TempDirectory();
        File.Copy(Path.Combine(TestFiles.PhotosDir, "objects", "kite.jpg"), temp.File("a.jpg"));
        File.WriteAllText(temp.File("x.lst"), "0\t0\ta.jpg\n1\t1\tmissing1.jpg\n2\t1\tmissing2.jpg\n");
        var options = new Im2RecPackOptions { PassThrough = true };

        // The default tolerates any skips short of all of them.
        Assert.Equal(2, (await Im2RecPacker.PackAsync(temp.File("x.lst"), temp.Path, temp.File("x.rec"), temp.File("x.idx"), options)).Skipped.Count);
        Assert.Equal(1, (await Im2RecPacker.PackAsync(temp.File("x.lst"), temp.Path, temp.File("y.rec"), temp.File("y.idx"), options with { MaxSkipped = 2 })).Written);
        PipelineException error = await Assert.ThrowsAsync<PipelineException>(() => Im2RecPacker.PackAsync(temp.File("x.lst"), temp.Path, temp.File("z.rec"), temp.File("z.idx"), options with { MaxSkipped = 1 }));
        Assert.Contains("more than MaxSkipped (1)", error.Message, StringComparison.Ordinal);
        Assert.Contains("missing1.jpg", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(temp.File("z.rec")));
        Assert.Throws<ArgumentOutOfRangeException>(() => (options with { MaxSkipped = -1 }).Validate());
    }

    [Fact]
    public async Task ImageWhoseResizedSizeCannotBeEncoded_IsSkippedAndCounted()
    {
        using var temp = new TempDirectory();

        // 1x4000 with a shorter side of 64 asks for 64x256000: more than a JPEG can hold (65535 per side).
        using (NDArray thin = NDArray.Zeros(DType.UInt8, 4000, 1, 3)) File.WriteAllBytes(temp.File("thin.png"), ImageOps.Encode(thin, ImageFormat.Png));
        File.Copy(Path.Combine(TestFiles.PhotosDir, "objects", "kite.jpg"), temp.File("good.jpg"));
        File.WriteAllText(temp.File("x.lst"), "0\t0\tgood.jpg\n1\t1\tthin.png\n2\t0\tgood.jpg\n");
        Im2RecSummary summary = await Im2RecPacker.PackAsync(temp.File("x.lst"), temp.Path, temp.File("x.rec"), temp.File("x.idx"), new Im2RecPackOptions { Resize = 64, NumThreads = 2 }).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(2, summary.Written);
        (string path, string reason) = Assert.Single(summary.Skipped);
        Assert.EndsWith("thin.png", path, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(reason));
        using var reader = new IndexedRecordIOReader(temp.File("x.idx"), temp.File("x.rec"));
        Assert.Equal([0L, 2L], reader.Keys);
    }
}
