using System.Security.Cryptography;
using System.Text.Json;

namespace Pipeline.Tests.Infrastructure;

/// <summary>Paths of the golden files made by the real dmlc-core / MXNet tools (see TestData/mxnet-golden/README.md).</summary>
internal static class TestFiles
{
    public static readonly string GoldenRoot = Path.Combine(AppContext.BaseDirectory, "TestData", "mxnet-golden");
    public static readonly string RecordIODir = Path.Combine(GoldenRoot, "recordio");
    public static readonly string Im2RecDir = Path.Combine(GoldenRoot, "im2rec");
    public static readonly string PackVectors = Path.Combine(GoldenRoot, "pack-vectors.json");
    public static readonly string SplitParts = Path.Combine(RecordIODir, "split-parts.json");

    public static readonly string FashionMnistDir = Path.Combine(AppContext.BaseDirectory, "TestData", "data", "fashion-mnist");
    public static readonly string FashionTrainImages = Path.Combine(FashionMnistDir, "train-images-idx3-ubyte.gz");
    public static readonly string FashionTrainLabels = Path.Combine(FashionMnistDir, "train-labels-idx1-ubyte.gz");

    public static readonly string OpenCvDir = Path.Combine(AppContext.BaseDirectory, "TestData", "opencv");
    public static readonly string PhotosDir = Path.Combine(Im2RecDir, "photos");

    /// <summary>Codec fixtures and OpenCV's decodes of them (tools/make_codec_references.py).</summary>
    public static readonly string CodecsDir = Path.Combine(AppContext.BaseDirectory, "TestData", "codecs");
    public static readonly string CodecReferences = Path.Combine(CodecsDir, "decode-references.json");

    /// <summary>Where a file named by its path in the repository (<c>data/...</c>, <c>Pipeline.Tests/TestData/...</c>) is copied next to the tests.</summary>
    public static string FromRepository(string path) => path.StartsWith("data/", StringComparison.Ordinal)
        ? Path.Combine(AppContext.BaseDirectory, "TestData", "data", path["data/".Length..])
        : Path.Combine(AppContext.BaseDirectory, "TestData", path["Pipeline.Tests/TestData/".Length..]);

    public static string Rec(string name) => Path.Combine(RecordIODir, name + ".rec");

    public static string Idx(string name) => Path.Combine(RecordIODir, name + ".idx");

    public static JsonDocument Json(string path) => JsonDocument.Parse(File.ReadAllBytes(path));

    public static string Sha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    public static IEnumerable<string> Im2RecNames() =>
        Directory.EnumerateFiles(Im2RecDir, "*.json").Select(Path.GetFileNameWithoutExtension).Where(n => n!.StartsWith("im2rec-", StringComparison.Ordinal)).Order(StringComparer.Ordinal)!;

    public static string Im2RecRec(string name) =>
        name.Contains(".part", StringComparison.Ordinal)
            ? Path.Combine(Im2RecDir, name.Replace(".part", ".rec.part", StringComparison.Ordinal))
            : Path.Combine(Im2RecDir, name + ".rec");
}
