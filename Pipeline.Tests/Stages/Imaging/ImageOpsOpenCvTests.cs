using System.Text.RegularExpressions;
using Pipeline.Core;
using Pipeline.Stages.Imaging;
using Pipeline.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Pipeline.Tests.Stages.Imaging;

/// <summary>Our resize, border and decode against OpenCV 4.6's outputs (made by tools/make_opencv_references.py).</summary>
public sealed partial class ImageOpsOpenCvTests(ITestOutputHelper output)
{
    public static TheoryData<string> ResizeReferences => Files("resize_*.png");

    public static TheoryData<string> BorderReferences => Files("border_*.png");

    [Theory]
    [MemberData(nameof(ResizeReferences))]
    public void Resize_MatchesOpenCvWithinThreeLevelsAndBilinearExactly(string file)
    {
        Match match = ResizeName().Match(file);
        using NDArray input = Input(match.Groups["input"].Value);
        using NDArray expected = ImageOps.Read(Path.Combine(TestFiles.OpenCvDir, file));
        using NDArray actual = ImageOps.Resize(input, Number(match.Groups["w"].Value), Number(match.Groups["h"].Value), Number(match.Groups["i"].Value));
        (int max, double mean) = Compare(expected, actual);
        output.WriteLine($"{file}: max {max}, mean {mean:F4}");

        // Bilinear is OpenCV's own fixed-point arithmetic (Internal/FixedPointBilinear): the same bytes.
        int tolerance = Number(match.Groups["i"].Value) == (int)Interpolation.Bilinear ? 0 : 3;
        Assert.True(max <= tolerance, $"{file}: max difference {max} (mean {mean:F4})");
    }

    [Theory]
    [InlineData("cups")]
    [InlineData("kite")]
    public void ResizeShort_MatchesOpenCvWithinThreeLevels(string input)
    {
        using NDArray source = Input(input);
        using NDArray expected = ImageOps.Read(Path.Combine(TestFiles.OpenCvDir, $"resizeshort_{input}_256.png"));
        using NDArray actual = ImageOps.ResizeShort(source, 256);
        (int max, double mean) = Compare(expected, actual);
        output.WriteLine($"{input}: max {max}, mean {mean:F4}");
        Assert.True(max <= 3, $"max difference {max}");
    }

    [Theory]
    [MemberData(nameof(BorderReferences))]
    public void CopyMakeBorder_MatchesOpenCvExactly(string file)
    {
        Match match = BorderName().Match(file);
        using NDArray input = Input(match.Groups["input"].Value);
        using NDArray expected = ImageOps.Read(Path.Combine(TestFiles.OpenCvDir, file));
        using NDArray actual = ImageOps.CopyMakeBorder(input, 3, 5, 7, 2, Number(match.Groups["t"].Value), 17);
        Assert.Equal(expected.Shape, actual.Shape);
        Assert.Equal(expected.ToArray<byte>(), actual.ToArray<byte>());
    }

    [Theory]
    [InlineData("objects/kite_closeup.jpg")]
    [InlineData("landscape/bythewater.jpg")]
    [InlineData("plants/path_narrow.jpg")]
    [InlineData("objects/grey_portrait.jpg")]
    public void DecodeJpeg_IsCloseToLibjpegTurbo(string photo)
    {
        string stem = Path.GetFileNameWithoutExtension(photo);
        // ImageSharp's tolerance: the native codec is bit-identical (Codecs/OpenCvReferenceTests).
        var managed = new ImageDecodeOptions { Codec = CodecPreference.Managed };
        using NDArray color = ImageOps.Decode(File.ReadAllBytes(Path.Combine(TestFiles.PhotosDir, photo)), managed);
        using NDArray expectedColor = ImageOps.Read(Path.Combine(TestFiles.OpenCvDir, $"decode_{stem}.png"));
        (int maxColor, double meanColor) = Compare(expectedColor, color);
        double withinEight = ShareWithin(expectedColor, color, 8);
        using NDArray gray = ImageOps.Decode(File.ReadAllBytes(Path.Combine(TestFiles.PhotosDir, photo)), managed with { Color = false });
        using NDArray expectedGray = ImageOps.Read(Path.Combine(TestFiles.OpenCvDir, $"gray_{stem}.png"), color: false);
        (int maxGray, double meanGray) = Compare(expectedGray, gray);
        output.WriteLine($"{photo}: colour max {maxColor} mean {meanColor:F4} within8 {withinEight:P2}; gray max {maxGray} mean {meanGray:F4}");

        // Documented tolerance (README, BENCHMARKS): luma matches libjpeg-turbo closely; colour differs at sharp
        // chroma edges because ImageSharp upsamples 4:2:0 chroma differently from libjpeg's "fancy" triangle filter.
        Assert.True(meanGray <= 0.25 && maxGray <= 16, $"gray: max {maxGray}, mean {meanGray:F4}");
        Assert.True(meanColor <= 3 && withinEight >= 0.90, $"colour: mean {meanColor:F4}, within 8 levels {withinEight:P2}");
    }

    private static NDArray Input(string name) => name == "cups"
        ? ImageOps.Read(Path.Combine(TestFiles.PhotosDir, "objects", "cups_rgb.png"))
        : ImageOps.Read(Path.Combine(TestFiles.OpenCvDir, "decode_kite_closeup.png"));

    private static (int Max, double Mean) Compare(NDArray expected, NDArray actual)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        ReadOnlySpan<byte> e = expected.AsSpan<byte>();
        ReadOnlySpan<byte> a = actual.AsSpan<byte>();
        int max = 0;
        long sum = 0;
        for (int i = 0; i < e.Length; i++)
        {
            int d = Math.Abs(e[i] - a[i]);
            max = Math.Max(max, d);
            sum += d;
        }

        return (max, (double)sum / e.Length);
    }

    private static double ShareWithin(NDArray expected, NDArray actual, int levels)
    {
        ReadOnlySpan<byte> e = expected.AsSpan<byte>();
        ReadOnlySpan<byte> a = actual.AsSpan<byte>();
        int within = 0;
        for (int i = 0; i < e.Length; i++) within += Math.Abs(e[i] - a[i]) <= levels ? 1 : 0;
        return (double)within / e.Length;
    }

    private static int Number(string text) => int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    private static TheoryData<string> Files(string pattern)
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.GetFiles(TestFiles.OpenCvDir, pattern).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)) data.Add(file);
        return data;
    }

    [GeneratedRegex(@"^resize_(?<input>\w+?)_(?<w>\d+)x(?<h>\d+)_i(?<i>\d)\.png$")]
    private static partial Regex ResizeName();

    [GeneratedRegex(@"^border_(?<input>\w+?)_t(?<t>\d)\.png$")]
    private static partial Regex BorderName();
}
