using Pipeline.Core;

namespace Pipeline.Tests.Core;

// Vectors written by hand from MXNet's NDArray::Save (src/ndarray/ndarray.cc), dmlc's vector/string serializers,
// mxnet::Tuple::Save (int32 rank, int64 axes) and Context::Save (int32 device type, int32 device id).
public sealed class NDArrayFileTests
{
    // mx.nd.save(f, {'mean_img': mx.nd.array([[1, 2]])}) outside numpy-shape mode.
    private const string MeanImgV2 =
        "1201000000000000" + "0000000000000000" + "0100000000000000" +
        "C9FA93F9" + "00000000" + "02000000" + "0100000000000000" + "0200000000000000" + "01000000" + "00000000" + "00000000" +
        "0000803F" + "00000040" +
        "0100000000000000" + "0800000000000000" + "6D65616E5F696D67";

    [Fact]
    public void Save_WritesMXNetsBytes()
    {
        using NDArray array = NDArray.From(new float[] { 1, 2 }, 1, 2);
        using var stream = new MemoryStream();
        NDArrayFile.Save(stream, [array], ["mean_img"]);
        Assert.Equal(MeanImgV2, Convert.ToHexString(stream.ToArray()));
    }

    [Fact]
    public void Parse_ReadsVersion2WithNames()
    {
        (IReadOnlyList<NDArray> arrays, IReadOnlyList<string> names) = NDArrayFile.Parse(Convert.FromHexString(MeanImgV2), "mean.bin");
        using NDArray array = Assert.Single(arrays);
        Assert.Equal(["mean_img"], names);
        Assert.Equal([1, 2], array.Shape);
        Assert.Equal([1f, 2], array.ToArray<float>());
    }

    [Fact]
    public void Parse_ReadsVersion3Version1AndUnversionedArrays_WithoutNames()
    {
        string v3 = "CAFA93F9" + "00000000" + "01000000" + "0100000000000000" + "01000000" + "00000000" + "06000000" + "2A00000000000000";
        string v1 = "C8FA93F9" + "01000000" + "0200000000000000" + "01000000" + "00000000" + "03000000" + "0709";
        string legacy = "02000000" + "01000000" + "01000000" + "01000000" + "00000000" + "05000000" + "FF";
        byte[] file = Convert.FromHexString("1201000000000000" + "0000000000000000" + "0300000000000000" + v3 + v1 + legacy + "0000000000000000");
        (IReadOnlyList<NDArray> arrays, IReadOnlyList<string> names) = NDArrayFile.Parse(file, "list.nd");
        Assert.Empty(names);
        Assert.Equal([42L], arrays[0].ToArray<long>());
        Assert.Equal(new byte[] { 7, 9 }, arrays[1].ToArray<byte>());
        Assert.Equal([1, 1], arrays[2].Shape);
        Assert.Equal(new sbyte[] { -1 }, arrays[2].ToArray<sbyte>());
        foreach (NDArray a in arrays) a.Dispose();
    }

    [Fact]
    public void Save_ThenLoad_RoundTripsEveryDType()
    {
        using var temp = new Pipeline.Tests.Infrastructure.TempDirectory();
        using NDArray f64 = NDArray.From(new double[] { 1.5, -2 }, 2);
        using NDArray i32 = NDArray.From(new int[] { 1, 2, 3, 4, 5, 6 }, 1, 2, 3);
        using NDArray u8 = NDArray.From(new byte[] { 200 }, 1);
        string path = temp.File("all.nd");
        NDArrayFile.Save(path, new Dictionary<string, NDArray> { ["a"] = f64, ["b"] = i32, ["c"] = u8 });
        (IReadOnlyList<NDArray> arrays, IReadOnlyList<string> names) = NDArrayFile.Load(path);
        Assert.Equal(["a", "b", "c"], names);
        Assert.Equal([1.5, -2], arrays[0].ToArray<double>());
        Assert.Equal([1, 2, 3], arrays[1].Shape);
        Assert.Equal([1, 2, 3, 4, 5, 6], arrays[1].ToArray<int>());
        Assert.Equal(new byte[] { 200 }, arrays[2].ToArray<byte>());
        foreach (NDArray a in arrays) a.Dispose();
    }

    [Fact]
    public void Parse_RawFloatsTruncationAndSparse_AreErrorsNamingFileAndOffset()
    {
        byte[] raw = new byte[3 * 4 * 4 * 4];
        BitConverter.GetBytes(123.68f).CopyTo(raw, 0);
        var error = Assert.Throws<DataFormatException>(() => NDArrayFile.Parse(raw, "mean.bin"));
        Assert.Contains("not an MXNet NDArray file", error.Message, StringComparison.Ordinal);
        Assert.Contains("0x112", error.Message, StringComparison.Ordinal);
        Assert.Contains("mx.nd.save", error.Message, StringComparison.Ordinal);
        Assert.Equal("mean.bin", error.FilePath);

        byte[] truncated = Convert.FromHexString(MeanImgV2)[..70];
        error = Assert.Throws<DataFormatException>(() => NDArrayFile.Parse(truncated, "cut.bin"));
        Assert.Equal(64, error.Offset);
        Assert.Contains("inside an array's elements", error.Message, StringComparison.Ordinal);

        string csr = "1201000000000000" + "0000000000000000" + "0100000000000000" + "C9FA93F9" + "02000000";
        error = Assert.Throws<DataFormatException>(() => NDArrayFile.Parse(Convert.FromHexString(csr), "csr.nd"));
        Assert.Contains("sparse", error.Message, StringComparison.Ordinal);
    }
}
