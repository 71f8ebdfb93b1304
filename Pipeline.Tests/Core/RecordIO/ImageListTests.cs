using Pipeline.Core;
using Pipeline.Core.RecordIO;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Core.RecordIO;

public sealed class ImageListTests
{
    [Fact]
    public void Read_TabSeparatedLines_AsIm2RecPyWritesThem()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("a.lst"), "0\t1\tcat/1.jpg\n\n7\t2.5\t3\tdog 2.jpg\r\n");
        IReadOnlyList<ImageListEntry> entries = ImageList.Read(temp.File("a.lst"));
        Assert.Equal(2, entries.Count);
        Assert.Equal((0L, "cat/1.jpg"), (entries[0].Index, entries[0].Path));
        Assert.Equal([1f], entries[0].Labels);
        Assert.Equal((7L, "dog 2.jpg"), (entries[1].Index, entries[1].Path));
        Assert.Equal([2.5f, 3f], entries[1].Labels);
    }

    [Fact]
    public void Read_SpaceSeparatedLine_AsMXNetsCppIteratorsAccept()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("a.lst"), "3 1 2 img.jpg\n");
        ImageListEntry entry = Assert.Single(ImageList.Read(temp.File("a.lst")));
        Assert.Equal((3L, "img.jpg"), (entry.Index, entry.Path));
        Assert.Equal([1f, 2f], entry.Labels);
    }

    [Fact]
    public void Read_WithLabelWidth_TakesThatManyLabels_AndRefusesFewer()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("a.lst"), "0\t1\t2\t3\ta.jpg\n");
        Assert.Equal([1f, 2f], Assert.Single(ImageList.Read(temp.File("a.lst"), labelWidth: 2)).Labels);
        var error = Assert.Throws<DataFormatException>(() => ImageList.Read(temp.File("a.lst"), labelWidth: 4));
        Assert.Equal(1, error.LineNumber);
    }

    [Theory]
    [InlineData("0\t1\ta.jpg\n-4\t1\tb.jpg\n", 2)]
    [InlineData("0\t1\ta.jpg\n1\t1\tb.jpg\nx\t1\tc.jpg\n", 3)]
    [InlineData("0\tcat\ta.jpg\n", 1)]
    [InlineData("0\ta.jpg\n", 1)]
    public void Read_MalformedLine_ThrowsDataFormatExceptionNamingFileAndLine(string text, int line)
    {
        using var temp = new TempDirectory();
        string path = temp.File("bad.lst");
        File.WriteAllText(path, text);
        var error = Assert.Throws<DataFormatException>(() => ImageList.Read(path));
        Assert.Equal(path, error.FilePath);
        Assert.Equal(line, error.LineNumber);
        Assert.Contains($"Line {line} of image list '{path}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteThenRead_RoundTrips_WithIntegralLabelsWithoutDecimalPoint()
    {
        using var temp = new TempDirectory();
        ImageListEntry[] entries = [new(0, [1f], "a.jpg"), new(5, [2.5f, -3f], "sub/b.png")];
        ImageList.Write(temp.File("o.lst"), entries);
        Assert.Equal("0\t1\ta.jpg\n5\t2.5\t-3\tsub/b.png\n", File.ReadAllText(temp.File("o.lst")));
        Assert.Equal(entries.Select(e => (e.Index, e.Labels[^1], e.Path)), ImageList.Read(temp.File("o.lst")).Select(e => (e.Index, e.Labels[^1], e.Path)));
        Assert.False(File.Exists(temp.File("o.lst.tmp")));
    }
}
