using System.Text.Json;
using Pipeline.Core;
using Pipeline.Stages.Imaging;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Stages.Imaging.Codecs;

/// <summary>Decodes and encodes against OpenCV 4.6 (libjpeg-turbo 2.1, libpng 1.6): hashes made by tools/make_codec_references.py.</summary>
public sealed class OpenCvReferenceTests
{
    private static readonly Lazy<JsonDocument> s_references = new(() => TestFiles.Json(TestFiles.CodecReferences));

    /// <summary>Every (file, mode) of every JPEG and PNG under data/photos and Pipeline.Tests/TestData.</summary>
    public static TheoryData<string, string> JpegAndPngDecodes => Cases(file => !IsManagedOnly(file));

    /// <summary>The colour decodes of 8-bit PNGs, which ImageSharp also gets exactly right.</summary>
    public static TheoryData<string, string> PngColorDecodes => Cases(file => file.EndsWith(".png", StringComparison.Ordinal), mode => mode is "color" or "unchanged", exactOnly: true);

    public static TheoryData<string, string> BmpAndGifDecodes => Cases(IsManagedOnly);

    [NativeTheory]
    [MemberData(nameof(JpegAndPngDecodes))]
    public void NativeDecode_EqualsOpenCv(string file, string mode)
    {
        NativeCodecs.Require();
        using NDArray actual = Decode(file, mode, CodecPreference.Native);
        AssertMatches(file, mode, actual);
    }

    [Theory]
    [MemberData(nameof(PngColorDecodes))]
    public void ManagedDecode_PngColor_EqualsOpenCv(string file, string mode)
    {
        using NDArray actual = Decode(file, mode, CodecPreference.Managed);
        AssertMatches(file, mode, actual);
    }

    [Theory]
    [MemberData(nameof(BmpAndGifDecodes))]
    public void DefaultDecode_BmpAndFirstGifFrame_EqualReference(string file, string mode)
    {
        using NDArray actual = Decode(file, mode, CodecPreference.Auto);
        AssertMatches(file, mode, actual);
    }

    [NativeTheory]
    [InlineData("color", 95)]
    [InlineData("color", 50)]
    [InlineData("gray", 95)]
    [InlineData("gray", 50)]
    public void NativeEncodeJpeg_IsByteIdenticalToImencode(string kind, int quality)
    {
        ImageCodec native = NativeCodecs.Require();
        byte[] png = File.ReadAllBytes(TestFiles.FromRepository(s_references.Value.RootElement.GetProperty("jpeg-encode-source").GetString()!));

        // The same pixels as cv2.imread(IMREAD_COLOR or IMREAD_GRAYSCALE): the native PNG decode equals OpenCV's (above).
        using NDArray cups = ImageOps.Decode(png, new ImageDecodeOptions { Color = kind == "color", Codec = CodecPreference.Native });
        byte[] jpeg = native.Encode(cups.AsBytes(), cups.GetLength(1), cups.GetLength(0), cups.GetLength(2), ImageFormat.Jpeg, quality);
        Assert.Equal(s_references.Value.RootElement.GetProperty("jpeg-encode").GetProperty($"{kind}-q{quality}").GetString(), TestFiles.Sha256(jpeg));
    }

    /// <summary>Decodes as the reference's mode names it: color, gray, unchanged, oriented (EXIF applied) or reduced2/4/8 (DCT scaling into a caller's buffer).</summary>
    internal static NDArray Decode(string file, string mode, CodecPreference codec)
    {
        byte[] bytes = File.ReadAllBytes(TestFiles.FromRepository(file));
        var options = new ImageDecodeOptions { Codec = codec };
        switch (mode)
        {
            case "color":
                return ImageOps.Decode(bytes, options);
            case "gray":
                return ImageOps.Decode(bytes, options with { Color = false });
            case "oriented":
                return ImageOps.Decode(bytes, options with { AutoOrient = true });
            case "unchanged":
                return ImageOps.DecodeUnchanged(bytes, options);
            default:
                int scale = int.Parse(mode["reduced".Length..], System.Globalization.CultureInfo.InvariantCulture);
                ImageCodec chosen = ImageCodecs.Get(codec);
                ImageHeader header = chosen.ReadHeader(bytes);
                (int width, int height) = ImageCodec.ScaledSize(header, scale);
                NDArray image = NDArray.Empty(DType.UInt8, height, width, 3);
                chosen.Decode(bytes, 3, scale, image.AsBytes());
                return image;
        }
    }

    private static void AssertMatches(string file, string mode, NDArray actual)
    {
        JsonElement expected = s_references.Value.RootElement.GetProperty("decodes").GetProperty(file).GetProperty(mode);
        if (expected.TryGetProperty("sha256", out JsonElement sha))
        {
            Assert.Equal(expected.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray(), actual.Shape);
            Assert.True(sha.GetString() == TestFiles.Sha256(actual.AsBytes()), $"{file} ({mode}): the pixels differ from OpenCV's");
            return;
        }

        // 16-bit sources: OpenCV keeps the high byte, libpng rounds.
        using NDArray reference = ImageOps.DecodeUnchanged(File.ReadAllBytes(TestFiles.FromRepository(expected.GetProperty("expected").GetString()!)));
        Assert.Equal(reference.Shape, actual.Shape);
        int tolerance = expected.GetProperty("tolerance").GetInt32();
        int max = reference.ToArray<byte>().Zip(actual.ToArray<byte>(), (a, b) => Math.Abs(a - b)).Max();
        Assert.True(max <= tolerance, $"{file} ({mode}): max difference {max}");
    }

    private static bool IsManagedOnly(string file) => file.EndsWith(".bmp", StringComparison.Ordinal) || file.EndsWith(".gif", StringComparison.Ordinal);

    private static TheoryData<string, string> Cases(Func<string, bool> files, Func<string, bool>? modes = null, bool exactOnly = false)
    {
        var data = new TheoryData<string, string>();
        foreach (JsonProperty file in s_references.Value.RootElement.GetProperty("decodes").EnumerateObject())
        {
            if (!files(file.Name)) continue;
            foreach (JsonProperty mode in file.Value.EnumerateObject())
            {
                if ((modes is null || modes(mode.Name)) && (!exactOnly || mode.Value.TryGetProperty("sha256", out _))) data.Add(file.Name, mode.Name);
            }
        }

        return data;
    }
}
