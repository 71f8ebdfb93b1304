using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Pipeline.Core;
using Pipeline.Core.Batching;
using Pipeline.Stages.Iterators;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Stages.Iterators;

public sealed class CsvIterTests
{
    [Fact]
    public async Task Tutorial_100By3_BatchesOf30_Pads00020AndZeroLabels()
    {
        using var temp = new TempDirectory();
        string path = WriteRows(temp.File("data.csv"), 100, 3);
        using var iter = new CsvIter(new CsvIterOptions { DataCsv = path, DataShape = [3], BatchSize = 30 });
        Assert.Equal(new DataDesc("data", [30, 3]), iter.ProvideData[0]);
        Assert.Equal(new DataDesc("softmax_label", [30]), iter.ProvideLabel[0]);

        List<BatchCopy> epoch = await Batches.EpochAsync(iter);

        Assert.Equal([0, 0, 0, 20], epoch.Select(b => b.Pad));
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (float)i), epoch.SelectMany(b => b.Data[0]).Take(300));
        Assert.Equal(Enumerable.Range(0, 60).Select(i => (float)i), epoch[3].Data[0][30..]);
        Assert.All(epoch, b => Assert.All(b.Label[0], v => Assert.Equal(0f, v)));
        Assert.Equal("DataBatch: data shapes: [(30, 3)] label shapes: [(30,)]", epoch[0].Text);

        iter.Reset();
        List<BatchCopy> again = await Batches.EpochAsync(iter);
        Assert.Equal(epoch.SelectMany(b => b.Data[0]), again.SelectMany(b => b.Data[0]));
    }

    [Fact]
    public async Task RoundBatchFalse_FillsPadWithZerosNotStaleRows()
    {
        using var temp = new TempDirectory();
        string path = WriteRows(temp.File("data.csv"), 100, 3);
        using var iter = new CsvIter(new CsvIterOptions { DataCsv = path, DataShape = [3], BatchSize = 30, RoundBatch = false });
        List<BatchCopy> epoch = await Batches.EpochAsync(iter);
        Assert.Equal([0, 0, 0, 20], epoch.Select(b => b.Pad));
        Assert.All(epoch[3].Data[0][30..], v => Assert.Equal(0f, v));
        Assert.Equal(-1, epoch[3].Index![10]);
    }

    [Fact]
    public async Task LabelFile_IsReadInLockstepWithItsShape()
    {
        using var temp = new TempDirectory();
        string data = WriteRows(temp.File("data.csv"), 10, 4);
        File.WriteAllText(temp.File("label.csv"), string.Concat(Enumerable.Range(0, 10).Select(i => $"{i},{-i}\n")));
        using var iter = new CsvIter(new CsvIterOptions { DataCsv = data, DataShape = [2, 2], LabelCsv = temp.File("label.csv"), LabelShape = [2], BatchSize = 4, DType = DType.Int64 });
        Assert.Equal([4, 2, 2], iter.ProvideData[0].Shape);
        Assert.Equal([4, 2], iter.ProvideLabel[0].Shape);
        List<BatchCopy> epoch = await Batches.EpochAsync(iter);
        Assert.Equal(3, epoch.Count);
        Assert.Equal([8f, -8, 9, -9, 0, 0, 1, -1], epoch[2].Label[0]);
        Assert.Equal([0L, 1, 2, 3], epoch[0].Index!);
    }

    [Fact]
    public async Task Text_CrLfBomBlankLinesEdgeCommasAndNoFinalNewline_AreAccepted()
    {
        using var temp = new TempDirectory();
        string path = temp.File("data.csv");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. Encoding.ASCII.GetBytes("1, 2 ,3\r\n\r\n,4,5,6,\r\r7,8,9\n\n 1e1,-inf,2.5f")]);
        using var iter = new CsvIter(new CsvIterOptions { DataCsv = path, DataShape = [3], BatchSize = 4 });
        BatchCopy batch = Assert.Single(await Batches.EpochAsync(iter));
        Assert.Equal([1f, 2, 3, 4, 5, 6, 7, 8, 9, 10, float.NegativeInfinity, 2.5f], batch.Data[0]);
        Assert.Equal(0, batch.Pad);
    }

    [Fact]
    public async Task FolderAndList_ReadEveryFileInOrder()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.File("dir"));
        File.WriteAllText(temp.File("dir/b.csv"), "3\n4\n");
        File.WriteAllText(temp.File("dir/a.csv"), "1\n2\n");
        File.WriteAllText(temp.File("dir/empty.csv"), string.Empty);
        File.WriteAllText(temp.File("c.csv"), "5\n6");
        using var iter = new CsvIter(new CsvIterOptions { DataCsv = temp.File("dir") + ";" + temp.File("c.csv"), DataShape = [1], BatchSize = 6, DType = DType.Int32 });
        BatchCopy batch = Assert.Single(await Batches.EpochAsync(iter));
        Assert.Equal([1f, 2, 3, 4, 5, 6], batch.Data[0]);
    }

    [Fact]
    public async Task LargeFile_StreamsAcrossManyBuffers()
    {
        using var temp = new TempDirectory();
        string path = WriteRows(temp.File("big.csv"), 20000, 7);
        using var iter = new CsvIter(new CsvIterOptions { DataCsv = path, DataShape = [7], BatchSize = 256, PrefetchBuffer = 2 });
        List<BatchCopy> epoch = await Batches.EpochAsync(iter);
        Assert.Equal(BatchPlan.BatchCount(20000, 256, LastBatchHandle.Pad), epoch.Count);
        float[] all = epoch.SelectMany(b => b.Data[0]).Take(20000 * 7).ToArray();
        Assert.Equal(Enumerable.Range(0, 20000 * 7).Select(i => (float)i), all);
    }

    [Theory]
    [InlineData("1,2,3\n4,5\n", "Line 2 of", "has 2 values")]
    [InlineData("1,2,3\n4,5,6,7\n", "Line 2 of", "has 4 values")]
    [InlineData("1,2,3\n4,x,6\n", "Line 2, column 3 (field 2)", "'x'")]
    [InlineData("1,2,3\n4,,6\n", "Line 2, column 3 (field 2)", "empty field")]
    [InlineData("1,2,3\n\n\n4,5,6\n7,8,9e999x\n", "Line 5, column 5 (field 3)", "not a valid float32")]
    public async Task BadRow_ThrowsNamingFileLineAndColumn(string text, string where, string what)
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("bad.csv"), text);
        using var iter = new CsvIter(new CsvIterOptions { DataCsv = temp.File("bad.csv"), DataShape = [3], BatchSize = 1 });
        var error = await Assert.ThrowsAsync<DataFormatException>(() => Batches.EpochAsync(iter));
        Assert.Contains(where, error.Message, StringComparison.Ordinal);
        Assert.Contains(what, error.Message, StringComparison.Ordinal);
        Assert.Contains("bad.csv", error.Message, StringComparison.Ordinal);
        Assert.Equal(temp.File("bad.csv"), error.FilePath);
    }

    [Fact]
    public async Task IntegerDType_RejectsFractionsAndHex()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("i.csv"), "1\n1.5\n");
        using var iter = new CsvIter(new CsvIterOptions { DataCsv = temp.File("i.csv"), DataShape = [1], BatchSize = 1, DType = DType.Int32 });
        var error = await Assert.ThrowsAsync<DataFormatException>(() => Batches.EpochAsync(iter));
        Assert.Contains("not a valid int32", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3, "fewer")]
    [InlineData(6, "more rows")]
    public async Task LabelFileWithWrongRowCount_Throws(int labelRows, string expected)
    {
        using var temp = new TempDirectory();
        string data = WriteRows(temp.File("data.csv"), 5, 1);
        WriteRows(temp.File("label.csv"), labelRows, 1);
        using var iter = new CsvIter(new CsvIterOptions { DataCsv = data, DataShape = [1], LabelCsv = temp.File("label.csv"), BatchSize = 2 });
        var error = await Assert.ThrowsAsync<DataFormatException>(() => Batches.EpochAsync(iter));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("label.csv", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadOptions_FailAtConstruction()
    {
        using var temp = new TempDirectory();
        string data = WriteRows(temp.File("data.csv"), 5, 1);
        Assert.Throws<FileNotFoundException>(() => new CsvIter(new CsvIterOptions { DataCsv = temp.File("missing.csv"), DataShape = [1], BatchSize = 2 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CsvIter(new CsvIterOptions { DataCsv = data, DataShape = [1], BatchSize = 0 }));
        Assert.Throws<ArgumentException>(() => new CsvIter(new CsvIterOptions { DataCsv = data, DataShape = [0], BatchSize = 2 }));
        Assert.Contains("float64", Assert.Throws<ArgumentOutOfRangeException>(() => new CsvIter(new CsvIterOptions { DataCsv = data, DataShape = [1], BatchSize = 2, DType = DType.Float64 })).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CsvIter(new CsvIterOptions { DataCsv = data, DataShape = [1], BatchSize = 2, PrefetchBuffer = 0 }));
    }

    [Property(MaxTest = 40)]
    public async Task AnyRowCountAndBatchSize_MatchesBatchPlan(PositiveInt n, PositiveInt b, bool roundBatch)
    {
        int rows = ((n.Get - 1) % 50) + 1;
        int batchSize = ((b.Get - 1) % 16) + 1;
        using var temp = new TempDirectory();
        string path = WriteRows(temp.File("d.csv"), rows, 2);
        using var iter = new CsvIter(new CsvIterOptions { DataCsv = path, DataShape = [2], BatchSize = batchSize, RoundBatch = roundBatch });
        for (int epoch = 0; epoch < 2; epoch++)
        {
            List<BatchCopy> batches = await Batches.EpochAsync(iter);
            Assert.Equal(BatchPlan.BatchCount(rows, batchSize, LastBatchHandle.Pad), batches.Count);
            Assert.Equal(BatchPlan.LastPad(rows, batchSize, LastBatchHandle.Pad), batches[^1].Pad);
            float[] real = batches.SelectMany(x => x.Data[0].Take((batchSize - x.Pad) * 2)).ToArray();
            Assert.Equal(Enumerable.Range(0, rows * 2).Select(i => (float)i), real);
            float[] filler = batches[^1].Data[0][((batchSize - batches[^1].Pad) * 2)..];
            Assert.Equal(Enumerable.Range(0, filler.Length).Select(i => roundBatch ? (float)(i % (rows * 2)) : 0f), filler);
            iter.Reset();
        }
    }

    private static string WriteRows(string path, int rows, int columns)
    {
        var text = new StringBuilder();
        for (int r = 0; r < rows; r++)
        {
            text.AppendJoin(',', Enumerable.Range(r * columns, columns).Select(v => v.ToString(CultureInfo.InvariantCulture))).Append('\n');
        }

        File.WriteAllText(path, text.ToString());
        return path;
    }
}
