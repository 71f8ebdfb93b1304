using Pipeline.Core;
using Pipeline.Core.RecordIO;
using Pipeline.Stages.Imaging;

namespace Pipeline.Tests.Stages.Imaging;

/// <summary>MXNet's integer-code and extension-string overloads of <see cref="ImageOps"/> against the enum ones: same pixels, same rectangles, same draws.</summary>
public sealed class ImageOpsOverloadTests
{
    /// <summary>Gets MXNet's interpolation codes that name a method (0-4).</summary>
    public static TheoryData<int> MethodCodes => [0, 1, 2, 3, 4];

    /// <summary>Gets the codes 0-4 and 9 (auto), whose result needs no generator.</summary>
    public static TheoryData<int> DeterministicCodes => [0, 1, 2, 3, 4, 9];

    /// <summary>Gets every code MXNet accepts: 0-4, 9 (auto) and 10 (random).</summary>
    public static TheoryData<int> AllCodes => [0, 1, 2, 3, 4, 9, 10];

    [Theory]
    [MemberData(nameof(MethodCodes))]
    public void Resize_IntCodeAndEnum_GiveIdenticalPixels(int code)
    {
        using NDArray bytes = Texture(13, 17, 3, seed: code);
        using NDArray floats = ImageOps.ToFloat32(bytes);
        foreach ((int w, int h) in new[] { (29, 23), (7, 5), (17, 40) })
        {
            using NDArray byInt = ImageOps.Resize(bytes, w, h, code);
            using NDArray byEnum = ImageOps.Resize(bytes, w, h, (Interpolation)code);
            Assert.Equal([h, w, 3], byEnum.Shape);
            Assert.Equal(byInt.ToArray<byte>(), byEnum.ToArray<byte>());
            using NDArray floatByInt = ImageOps.Resize(floats, w, h, code);
            using NDArray floatByEnum = ImageOps.Resize(floats, w, h, (Interpolation)code);
            Assert.Equal(floatByInt.ToArray<float>(), floatByEnum.ToArray<float>());
        }
    }

    [Fact]
    public void Resize_EachInterpolation_IsADifferentMethod()
    {
        // Guards the code-to-enum mapping: were two codes to land on one method, two results would match.
        using NDArray image = Texture(13, 17, 3, seed: 1);
        var results = new HashSet<string>(StringComparer.Ordinal);
        foreach (Interpolation interp in new[] { Interpolation.Nearest, Interpolation.Bilinear, Interpolation.Bicubic, Interpolation.Area, Interpolation.Lanczos4 })
        {
            using NDArray resized = ImageOps.Resize(image, 29, 23, interp);
            Assert.True(results.Add(Convert.ToHexString(resized.ToArray<byte>())), $"{interp} repeats another method's pixels.");
        }
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(5)]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(11)]
    public void Resize_CodeOutside0To4_ThrowsForBothOverloads(int code)
    {
        using NDArray image = Texture(4, 4, 3, seed: 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageOps.Resize(image, 8, 8, code));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageOps.Resize(image, 8, 8, (Interpolation)code));
    }

    [Theory]
    [MemberData(nameof(AllCodes))]
    public void ResizeShort_IntCodeAndEnum_GiveIdenticalPixelsAndDraws(int code)
    {
        using NDArray image = Texture(21, 34, 3, seed: code);
        var intRng = new Random(7);
        var enumRng = new Random(7);
        using NDArray byInt = ImageOps.ResizeShort(image, 12, code, intRng);
        using NDArray byEnum = ImageOps.ResizeShort(image, 12, (Interpolation)code, enumRng);
        Assert.Equal([12, 19, 3], byEnum.Shape);
        Assert.Equal(byInt.ToArray<byte>(), byEnum.ToArray<byte>());
        Assert.Equal(intRng.Next(), enumRng.Next());
    }

    [Theory]
    [MemberData(nameof(DeterministicCodes))]
    public void FixedCrop_IntCodeAndEnum_GiveIdenticalPixels(int code)
    {
        using NDArray image = Texture(20, 30, 3, seed: code);
        using NDArray byInt = ImageOps.FixedCrop(image, 3, 4, 10, 9, (25, 14), code);
        using NDArray byEnum = ImageOps.FixedCrop(image, 3, 4, 10, 9, (25, 14), (Interpolation)code);
        Assert.Equal([14, 25, 3], byEnum.Shape);
        Assert.Equal(byInt.ToArray<byte>(), byEnum.ToArray<byte>());
    }

    [Fact]
    public void FixedCrop_RandomWithoutGenerator_ThrowsForBothOverloads()
    {
        using NDArray image = Texture(20, 30, 3, seed: 3);
        Assert.Throws<ArgumentNullException>(() => ImageOps.FixedCrop(image, 3, 4, 10, 9, (25, 14), 10));
        Assert.Throws<ArgumentNullException>(() => ImageOps.FixedCrop(image, 3, 4, 10, 9, (25, 14), Interpolation.Random));
        using NDArray drawn = ImageOps.FixedCrop(image, 3, 4, 10, 9, (25, 14), Interpolation.Random, new Random(1));
        Assert.Equal([14, 25, 3], drawn.Shape);
    }

    [Theory]
    [MemberData(nameof(AllCodes))]
    public void RandomCrop_IntCodeAndEnum_GiveIdenticalPixelsRectanglesAndDraws(int code)
    {
        using NDArray image = Texture(20, 30, 3, seed: code);
        var intRng = new Random(11);
        var enumRng = new Random(11);
        AssertSameCrop(ImageOps.RandomCrop(image, (16, 24), intRng, code), ImageOps.RandomCrop(image, (16, 24), enumRng, (Interpolation)code));
        Assert.Equal(intRng.Next(), enumRng.Next());
    }

    [Theory]
    [MemberData(nameof(DeterministicCodes))]
    public void CenterCrop_IntCodeAndEnum_GiveIdenticalPixelsAndRectangles(int code)
    {
        using NDArray image = Texture(20, 30, 3, seed: code);
        AssertSameCrop(ImageOps.CenterCrop(image, (16, 24), code), ImageOps.CenterCrop(image, (16, 24), (Interpolation)code));
    }

    [Theory]
    [MemberData(nameof(AllCodes))]
    public void RandomSizeCrop_IntCodeAndEnum_GiveIdenticalPixelsRectanglesAndDraws(int code)
    {
        using NDArray image = Texture(40, 50, 3, seed: code);
        for (int seed = 0; seed < 5; seed++)
        {
            var intRng = new Random(seed);
            var enumRng = new Random(seed);
            AssertSameCrop(
                ImageOps.RandomSizeCrop(image, (16, 16), 0.3, (0.75, 1.33), intRng, code),
                ImageOps.RandomSizeCrop(image, (16, 16), 0.3, (0.75, 1.33), enumRng, (Interpolation)code));
            Assert.Equal(intRng.Next(), enumRng.Next());
        }
    }

    [Theory]
    [MemberData(nameof(MethodCodes))]
    public void CopyMakeBorder_IntTypeAndEnum_GiveIdenticalPixels(int type)
    {
        using NDArray bytes = Texture(5, 4, 3, seed: type);
        using NDArray byInt = ImageOps.CopyMakeBorder(bytes, 2, 3, 4, 1, type, 9);
        using NDArray byEnum = ImageOps.CopyMakeBorder(bytes, 2, 3, 4, 1, (BorderType)type, 9);
        Assert.Equal([10, 9, 3], byEnum.Shape);
        Assert.Equal(byInt.ToArray<byte>(), byEnum.ToArray<byte>());
        using NDArray floats = ImageOps.ToFloat32(bytes);
        using NDArray floatByInt = ImageOps.CopyMakeBorder(floats, 2, 3, 4, 1, type, 9.5f);
        using NDArray floatByEnum = ImageOps.CopyMakeBorder(floats, 2, 3, 4, 1, (BorderType)type, 9.5f);
        Assert.Equal(floatByInt.ToArray<float>(), floatByEnum.ToArray<float>());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(5)]
    public void CopyMakeBorder_UnknownType_ThrowsForBothOverloads(int type)
    {
        using NDArray image = Texture(3, 3, 1, seed: 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageOps.CopyMakeBorder(image, 1, 1, 1, 1, type));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageOps.CopyMakeBorder(image, 1, 1, 1, 1, (BorderType)type));
    }

    [Theory]
    [InlineData(".jpg", ImageFormat.Jpeg)]
    [InlineData(".JPEG", ImageFormat.Jpeg)]
    [InlineData(".png", ImageFormat.Png)]
    [InlineData(".Bmp", ImageFormat.Bmp)]
    public void PackImage_ExtensionAndEnum_GiveIdenticalRecords(string extension, ImageFormat format)
    {
        using NDArray image = Texture(9, 11, 3, seed: 5);
        var header = new ImageRecordHeader(0, 2f, 3, 0);
        byte[] byExtension = ImageOps.PackImage(header, image, 90, extension);
        byte[] byEnum = ImageOps.PackImage(header, image, format, 90);
        Assert.Equal(byExtension, byEnum);
        Assert.Equal(ImageOps.Encode(image, format, 90), ImageRecord.Unpack(byEnum).Payload.ToArray());
    }

    [Theory]
    [InlineData(ImageFormat.Jpeg, new byte[] { 0xFF, 0xD8, 0xFF })]
    [InlineData(ImageFormat.Png, new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' })]
    [InlineData(ImageFormat.Bmp, new byte[] { (byte)'B', (byte)'M' })]
    public void Encode_Format_WritesThatFormatsSignature(ImageFormat format, byte[] signature)
    {
        using NDArray image = Texture(9, 11, 3, seed: 6);
        byte[] encoded = ImageOps.Encode(image, format);
        Assert.Equal(signature, encoded[..signature.Length]);
        using NDArray decoded = ImageOps.Decode(encoded);
        Assert.Equal(image.Shape, decoded.Shape);
    }

    [Fact]
    public void Encode_UndefinedFormat_Throws()
    {
        using NDArray image = Texture(2, 2, 3, seed: 7);
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageOps.Encode(image, (ImageFormat)3));
        Assert.Throws<ArgumentException>(() => ImageOps.PackImage(default, image, format: ".gif"));
    }

    /// <summary>The int overload's crop and the enum overload's crop are the same rectangle and the same pixels; disposes both.</summary>
    private static void AssertSameCrop((NDArray Image, (int X, int Y, int Width, int Height) Rect) byInt, (NDArray Image, ImageRect Rect) byEnum)
    {
        using (byInt.Image)
        using (byEnum.Image)
        {
            Assert.Equal((ImageRect)byInt.Rect, byEnum.Rect);
            Assert.Equal(byInt.Image.ToArray<byte>(), byEnum.Image.ToArray<byte>());
        }
    }

    private static NDArray Texture(int height, int width, int channels, int seed)
    {
        byte[] pixels = new byte[height * width * channels];
        new Random(seed).NextBytes(pixels);
        return NDArray.From(pixels, height, width, channels);
    }
}
