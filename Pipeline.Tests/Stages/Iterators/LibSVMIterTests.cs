using System.Globalization;
using System.Text;
using Pipeline.Core;
using Pipeline.Stages.Iterators;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Stages.Iterators;

public sealed class LibSVMIterTests
{
    private const string DataT = "1.0 0:0.5 2:1.2\n-2.0\n-3.0 0:0.6 1:2.4 2:1.2\n4 2:-1.2\n";
    private const string LabelT = "1.0\n-2.0 0:0.125\n-3.0 2:1.2\n4 1:1.0 2:-1.2\n";

    // MXNet's test_LibSVMIter (check_libSVMIter_synthetic) and the documented batches of LibSVMIter.
    [Fact]
    public async Task Synthetic_WithLabelFile_MatchesMXNetsBatches()
    {
        using var temp = new TempDirectory();
        string data = Write(temp, "data.t", DataT), label = Write(temp, "label.t", LabelT);
        await using var iter = new LibSVMIter(new LibSVMIterOptions { DataLibsvm = data, LabelLibsvm = label, DataShape = [3], LabelShape = [3], BatchSize = 3 });
        Assert.Equal(new DataDesc("data", [3, 3]), iter.ProvideData[0]);
        Assert.Equal(new DataDesc("softmax_label", [3, 3]), iter.ProvideLabel[0]);

        List<(float[] Data, float[] Label, int Pad)> batches = await DrainAsync(iter);
        Assert.Equal(2, batches.Count);
        Assert.Equal([0.5f, 0, 1.2f, 0, 0, 0, 0.6f, 2.4f, 1.2f], batches[0].Data);
        Assert.Equal([0f, 0, 0, 0.125f, 0, 0, 0, 0, 1.2f], batches[0].Label);
        Assert.Equal([0f, 0, -1.2f, 0.5f, 0, 1.2f, 0, 0, 0], batches[1].Data);
        Assert.Equal([0f, 1, -1.2f, 0, 0, 0, 0.125f, 0, 0], batches[1].Label);
        Assert.Equal([0, 2], batches.Select(b => b.Pad));
    }

    [Fact]
    public async Task Synthetic_LabelsFromTheDataFile_AreDenseAndWrap()
    {
        using var temp = new TempDirectory();
        string data = Write(temp, "data.t", DataT);
        await using var iter = new LibSVMIter(new LibSVMIterOptions { DataLibsvm = data, DataShape = [3], BatchSize = 3 });
        Assert.Equal(new DataDesc("softmax_label", [3]), iter.ProvideLabel[0]);
        using (DataBatch first = (await iter.NextAsync())!)
        {
            Assert.Empty(first.Data);
            CsrNDArray csr = Assert.Single(first.SparseData);
            Assert.Equal([0L, 2, 2, 5], csr.IndPtr.ToArray<long>());
            Assert.Equal([0L, 2, 0, 1, 2], csr.Indices.ToArray<long>());
            Assert.Equal([1f, -2, -3], first.Label[0].ToArray<float>());
            Assert.Equal("DataBatch: data shapes: [(3, 3)] label shapes: [(3,)]", first.ToString());
        }

        using (DataBatch second = (await iter.NextAsync())!)
        {
            Assert.Equal([4f, 1, -2], second.Label[0].ToArray<float>());
            Assert.Equal(2, second.Pad);
        }

        Assert.Null(await iter.NextAsync());

        // Unlike MXNet, the next epoch starts at the first row again.
        iter.Reset();
        using DataBatch again = (await iter.NextAsync())!;
        Assert.Equal([1f, -2, -3], again.Label[0].ToArray<float>());
    }

    // MXNet's check_libSVMIter_news_data, on a generated file of the same kind (20 classes, sparse rows).
    [Fact]
    public async Task NewsLike_TwoEpochs_LabelsInRange_BatchCountExact()
    {
        using var temp = new TempDirectory();
        var text = new StringBuilder();
        var rng = new Random(7);
        for (int i = 0; i < 33 * 5; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{rng.Next(1, 21)}");
            int column = -1;
            for (int k = rng.Next(0, 12); k > 0; k--)
            {
                column += rng.Next(1, 500);
                text.Append(CultureInfo.InvariantCulture, $" {column}:{rng.NextDouble():0.###}");
            }

            text.Append('\n');
        }

        string path = Write(temp, "news20.t", text.ToString());
        await using var iter = new LibSVMIter(new LibSVMIterOptions { DataLibsvm = path, DataShape = [62061], BatchSize = 33 });
        for (int epoch = 0; epoch < 2; epoch++)
        {
            int batches = 0;
            await foreach (DataBatch batch in iter)
            {
                using (batch)
                {
                    Assert.All(batch.Label[0].ToArray<float>(), l => Assert.InRange(l, 1, 20));
                    Assert.Equal([33, 62061], batch.SparseData[0].Shape);
                    batches++;
                }
            }

            Assert.Equal(5, batches);
            iter.Reset();
        }
    }

    [Theory]
    [InlineData("1 0:0.5\n2 -1:0.6 1:2.4\n", 2, "negative index")]
    [InlineData("1 0:0.5\n\n2 1:1 3:2\n", 3, "index 3, outside the 3 columns")]
    [InlineData("1 2:0.5 1:0.2\n", 1, "index 1 after index 2")]
    [InlineData("1 0:1\r\n2 1:0.5 1:0.7\r\n", 2, "index 1 after index 1")]
    [InlineData("1 0:x\n", 1, "value that is not a number")]
    [InlineData("one 0:1\n", 1, "not a valid label")]
    public async Task BadLine_IsADataFormatErrorNamingFileLineAndToken(string text, int line, string what)
    {
        using var temp = new TempDirectory();
        string path = Write(temp, "bad.t", text);
        await using var iter = new LibSVMIter(new LibSVMIterOptions { DataLibsvm = path, DataShape = [3], BatchSize = 1 });
        var error = await Assert.ThrowsAsync<DataFormatException>(async () =>
        {
            while (await iter.NextAsync() is { } batch) batch.Dispose();
        });
        Assert.Equal(path, error.FilePath);
        Assert.Equal(line, error.LineNumber);
        Assert.Contains($"Line {line}", error.Message, StringComparison.Ordinal);
        Assert.Contains(what, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LabelFileWithFewerOrMoreRows_IsAnError()
    {
        using var temp = new TempDirectory();
        string data = Write(temp, "data.t", DataT);
        string shortLabel = Write(temp, "short.t", "1\n2 0:1\n");
        string longLabel = Write(temp, "long.t", LabelT + "5 0:1\n");
        await using var fewer = new LibSVMIter(new LibSVMIterOptions { DataLibsvm = data, LabelLibsvm = shortLabel, DataShape = [3], LabelShape = [3], BatchSize = 2 });
        var error = await Assert.ThrowsAsync<DataFormatException>(() => DrainAsync(fewer));
        Assert.Contains("fewer than the data file", error.Message, StringComparison.Ordinal);
        await using var more = new LibSVMIter(new LibSVMIterOptions { DataLibsvm = data, LabelLibsvm = longLabel, DataShape = [3], LabelShape = [3], BatchSize = 2 });
        error = await Assert.ThrowsAsync<DataFormatException>(() => DrainAsync(more));
        Assert.Contains("more rows than the data file", error.Message, StringComparison.Ordinal);
        Assert.Equal(5, error.LineNumber);
    }

    [Fact]
    public async Task Parts_FollowDmlcLineSplit_AndCoverEveryRowOnce()
    {
        using var temp = new TempDirectory();

        // Four 6-byte lines, two parts: the cut at byte 12 is the start of line 3, which dmlc gives to part 0.
        string path = Write(temp, "p.t", "0 0:1\n1 0:1\n2 0:1\n3 0:1\n");
        Assert.Equal(new float[] { 0, 1, 2 }, await LabelsAsync(path, 0, 2));
        Assert.Equal(new float[] { 3 }, await LabelsAsync(path, 1, 2));

        var text = new StringBuilder();
        for (int i = 0; i < 200; i++) text.Append(CultureInfo.InvariantCulture, $"{i} {i % 7}:{i}\r\n{(i % 13 == 0 ? "\n" : string.Empty)}");
        string a = Write(temp, "a.t", text.ToString());
        string b = Write(temp, "b.t", text.ToString().Replace("\r\n", "\n", StringComparison.Ordinal));
        var all = new List<float>();
        for (int part = 0; part < 5; part++) all.AddRange(await LabelsAsync($"{a};{b}", part, 5));
        Assert.Equal(Enumerable.Range(0, 200).Concat(Enumerable.Range(0, 200)).Select(i => (float)i), all);

        Assert.Throws<ArgumentOutOfRangeException>(() => new LibSVMIter(new LibSVMIterOptions { DataLibsvm = path, DataShape = [3], BatchSize = 1, NumParts = 2, PartIndex = 2 }));
        Assert.Throws<ArgumentException>(() => new LibSVMIter(new LibSVMIterOptions { DataLibsvm = path, LabelLibsvm = path, DataShape = [3], LabelShape = [3], BatchSize = 1, NumParts = 2 }));
        Assert.Throws<ArgumentException>(() => new LibSVMIter(new LibSVMIterOptions { DataLibsvm = path, LabelLibsvm = path, DataShape = [3], BatchSize = 1 }));
        Assert.Throws<ArgumentException>(() => new LibSVMIter(new LibSVMIterOptions { DataLibsvm = path, DataShape = [3, 2], BatchSize = 1 }));
    }

    [Fact]
    public async Task RoundBatchFalse_PadsWithEmptyRows_WeightsAndQidAreIgnored()
    {
        using var temp = new TempDirectory();
        string path = Write(temp, "w.t", "1:0.5 qid:3 0:2 2\n  \n7 1:1\n");
        await using var iter = new LibSVMIter(new LibSVMIterOptions { DataLibsvm = path, DataShape = [3], BatchSize = 3, RoundBatch = false });
        List<(float[] Data, float[] Label, int Pad)> batches = await DrainAsync(iter);
        (float[] data, float[] label, int pad) = Assert.Single(batches);
        Assert.Equal([2f, 0, 1, 0, 1, 0, 0, 0, 0], data);
        Assert.Equal([1f, 7, 0], label);
        Assert.Equal(1, pad);
    }

    [Fact]
    public async Task SaveAndRestore_ResumesAfterTheLastBatchReturned()
    {
        using var temp = new TempDirectory();
        var text = new StringBuilder();
        for (int i = 0; i < 23; i++) text.Append(CultureInfo.InvariantCulture, $"{i} {i % 5}:{i}.5\n");
        string path = Write(temp, "r.t", text.ToString());
        var options = new LibSVMIterOptions { DataLibsvm = path, DataShape = [5], BatchSize = 4, PrefetchBuffer = 2 };
        List<(float[] Data, float[] Label, int Pad)> expected;
        await using (var whole = new LibSVMIter(options)) expected = await DrainAsync(whole);

        byte[] token;
        await using (var first = new LibSVMIter(options))
        {
            for (int i = 0; i < 2; i++) (await first.NextAsync())!.Dispose();
            token = first.SaveState().ToBytes();
        }

        await using var resumed = new LibSVMIter(options);
        resumed.RestoreState(IteratorState.FromBytes(token));
        List<(float[] Data, float[] Label, int Pad)> rest = await DrainAsync(resumed);
        Assert.Equal(expected.Skip(2).Select(b => b.Data), rest.Select(b => b.Data));
        Assert.Equal(expected.Skip(2).Select(b => b.Label), rest.Select(b => b.Label));
        Assert.Equal(expected.Skip(2).Select(b => b.Pad), rest.Select(b => b.Pad));
    }

    [Fact]
    public async Task PrefetchingIter_CarriesTheSparseArrays()
    {
        using var temp = new TempDirectory();
        string data = Write(temp, "data.t", DataT);
        await using var iter = new PrefetchingIter(new LibSVMIter(new LibSVMIterOptions { DataLibsvm = data, DataShape = [3], BatchSize = 3 }));
        using DataBatch batch = (await iter.NextAsync())!;
        using NDArray dense = batch.SparseData[0].ToDense();
        Assert.Equal([0.5f, 0, 1.2f, 0, 0, 0, 0.6f, 2.4f, 1.2f], dense.ToArray<float>());
        Assert.Equal([1f, -2, -3], batch.Label[0].ToArray<float>());
    }

    private static async Task<float[]> LabelsAsync(string path, int part, int parts)
    {
        await using var iter = new LibSVMIter(new LibSVMIterOptions { DataLibsvm = path, DataShape = [7], BatchSize = 1, NumParts = parts, PartIndex = part });
        return [.. (await DrainAsync(iter)).SelectMany(b => b.Label)];
    }

    private static string Write(TempDirectory temp, string name, string text)
    {
        string path = temp.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    private static async Task<List<(float[] Data, float[] Label, int Pad)>> DrainAsync(LibSVMIter iter)
    {
        var batches = new List<(float[], float[], int)>();
        while (await iter.NextAsync() is { } batch)
        {
            using (batch)
            {
                using NDArray data = batch.SparseData[0].ToDense();
                float[] label;
                if (batch.SparseLabel.Count > 0)
                {
                    using NDArray dense = batch.SparseLabel[0].ToDense();
                    label = dense.ToArray<float>();
                }
                else
                {
                    label = batch.Label[0].ToArray<float>();
                }

                batches.Add((data.ToArray<float>(), label, batch.Pad));
            }
        }

        return batches;
    }
}
