using Pipeline.Core;
using Pipeline.Stages.Imaging;
using Pipeline.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Pipeline.Tests.Stages.Imaging.Codecs;

/// <summary>The codec surface: headers, decoding into a caller's buffer (with DCT scaling), encode round trips on both codecs, the choice of codec.</summary>
public sealed class ImageCodecTests(ITestOutputHelper output)
{
    private static readonly string s_oddJpeg = Path.Combine(TestFiles.CodecsDir, "jpeg_odd_203x136.jpg");

    public static TheoryData<string> Codecs => NativeCodecs.Available || NativeCodecs.OnCi ? new TheoryData<string> { "managed", "native" } : new TheoryData<string> { "managed" };

    [Fact]
    public void ScaledSize_IsTurboJpegsRoundingUp_AndFullSizeForOtherFormats()
    {
        var jpeg = new ImageHeader(ImageFormat.Jpeg, 203, 136, 3);
        Assert.Equal((203, 136), ImageCodec.ScaledSize(jpeg, 1));
        Assert.Equal((102, 68), ImageCodec.ScaledSize(jpeg, 2));
        Assert.Equal((51, 34), ImageCodec.ScaledSize(jpeg, 4));
        Assert.Equal((26, 17), ImageCodec.ScaledSize(jpeg, 8));
        Assert.Equal((203, 136), ImageCodec.ScaledSize(jpeg with { Format = ImageFormat.Png }, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageCodec.ScaledSize(jpeg, 3));
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void ReadHeader_JpegAndPng_SizeAndStoredChannels(string name)
    {
        ImageCodec codec = Codec(name);
        Assert.Equal(new ImageHeader(ImageFormat.Jpeg, 203, 136, 3), codec.ReadHeader(File.ReadAllBytes(s_oddJpeg)));
        Assert.Equal(new ImageHeader(ImageFormat.Jpeg, 67, 45, 3), codec.ReadHeader(File.ReadAllBytes(Path.Combine(TestFiles.CodecsDir, "jpeg_cmyk.jpg"))));
        Assert.Equal(1, codec.ReadHeader(File.ReadAllBytes(Path.Combine(TestFiles.PhotosDir, "landscape", "coldripple_gray.jpg"))).Channels);
        Assert.Equal(new ImageHeader(ImageFormat.Png, 128, 128, 4), codec.ReadHeader(File.ReadAllBytes(Path.Combine(TestFiles.PhotosDir, "objects", "kite_rgba.png"))));
        Assert.Equal(4, codec.ReadHeader(File.ReadAllBytes(Path.Combine(TestFiles.CodecsDir, "png_palette_trns.png"))).Channels);
        Assert.Equal(3, codec.ReadHeader(File.ReadAllBytes(Path.Combine(TestFiles.CodecsDir, "png_palette.png"))).Channels);
        Assert.Equal(4, codec.ReadHeader(File.ReadAllBytes(Path.Combine(TestFiles.CodecsDir, "png_gray_alpha.png"))).Channels);
        Assert.Equal(1, codec.ReadHeader(File.ReadAllBytes(Path.Combine(TestFiles.CodecsDir, "png_gray_trns.png"))).Channels);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Decode_IntoCallersBuffer_ScaledByOneHalfQuarterEighth_HasTurboJpegsSizes(string name)
    {
        ImageCodec codec = Codec(name);
        byte[] jpeg = File.ReadAllBytes(s_oddJpeg);
        ImageHeader header = codec.ReadHeader(jpeg);
        foreach ((int scale, int width, int height) in new[] { (1, 203, 136), (2, 102, 68), (4, 51, 34), (8, 26, 17) })
        {
            Assert.Equal((width, height), ImageCodec.ScaledSize(header, scale));
            foreach (int channels in new[] { 1, 3, 4 })
            {
                // A larger buffer is fine: only the image's bytes are written, the rest is untouched.
                byte[] buffer = new byte[(width * height * channels) + 7];
                buffer.AsSpan(width * height * channels).Fill(0xEE);
                codec.Decode(jpeg, channels, scale, buffer);
                Assert.All(buffer[(width * height * channels)..], b => Assert.Equal(0xEE, b));
                if (channels == 4) Assert.All(Enumerable.Range(0, width * height), i => Assert.Equal(255, buffer[(4 * i) + 3]));
                Assert.Throws<ArgumentException>(() => codec.Decode(jpeg, channels, scale, new byte[(width * height * channels) - 1]));
            }
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => codec.Decode(jpeg, 2, 1, new byte[1 << 20]));
        Assert.Throws<ArgumentOutOfRangeException>(() => codec.Decode(jpeg, 3, 16, new byte[1 << 20]));
    }

    [NativeFact]
    public void ManagedScaledDecode_IsCloseToTurboJpegs()
    {
        ImageCodec native = NativeCodecs.Require();
        byte[] jpeg = File.ReadAllBytes(s_oddJpeg);
        foreach (int scale in new[] { 2, 4, 8 })
        {
            (int width, int height) = ImageCodec.ScaledSize(native.ReadHeader(jpeg), scale);
            byte[] expected = new byte[width * height * 3];
            byte[] actual = new byte[width * height * 3];
            native.Decode(jpeg, 3, scale, expected);
            ImageCodecs.Managed.Decode(jpeg, 3, scale, actual);
            double mean = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Average();
            output.WriteLine($"1/{scale}: mean difference {mean:F3}");
            Assert.True(mean < 4, $"1/{scale}: mean difference {mean:F3}");
        }
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void EncodePng_AnyLevelAndChannels_RoundTripsExactlyThroughBothDecoders(string name)
    {
        ImageCodec codec = Codec(name);
        using NDArray kite = ImageOps.DecodeUnchanged(File.ReadAllBytes(Path.Combine(TestFiles.PhotosDir, "objects", "kite_rgba.png")));
        byte[] rgba = kite.ToArray<byte>();
        byte[] rgb = [.. Enumerable.Range(0, rgba.Length / 4).SelectMany(i => rgba.AsSpan(4 * i, 3).ToArray())];
        byte[] gray = [.. Enumerable.Range(0, rgba.Length / 4).Select(i => rgba[4 * i])];
        var sizes = new List<int>();
        foreach ((byte[] pixels, int channels) in new[] { (gray, 1), (rgb, 3), (rgba, 4) })
        {
            foreach (int level in new[] { 0, 3, 6, 9 })
            {
                byte[] png = codec.Encode(pixels, 128, 128, channels, ImageFormat.Png, level);
                sizes.Add(png.Length);
                Assert.Equal(new ImageHeader(ImageFormat.Png, 128, 128, channels), codec.ReadHeader(png));
                foreach (ImageCodec decoder in Decoders())
                {
                    byte[] back = new byte[pixels.Length];
                    decoder.Decode(png, channels, 1, back);
                    Assert.Equal(pixels, back);
                }
            }
        }

        output.WriteLine($"{name}: {string.Join(", ", sizes)} bytes");
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void EncodeJpeg_QualityTradesSizeForError(string name)
    {
        ImageCodec codec = Codec(name);
        using NDArray cups = ImageOps.Read(Path.Combine(TestFiles.PhotosDir, "objects", "cups_rgb.png"));
        byte[] pixels = cups.ToArray<byte>();
        (int width, int height) = (cups.GetLength(1), cups.GetLength(0));
        var results = new List<(int Size, double Error)>();
        foreach (int quality in new[] { 20, 60, 95 })
        {
            byte[] jpeg = codec.Encode(pixels, width, height, 3, ImageFormat.Jpeg, quality);
            Assert.Equal(new ImageHeader(ImageFormat.Jpeg, width, height, 3), codec.ReadHeader(jpeg));
            byte[] back = new byte[pixels.Length];
            codec.Decode(jpeg, 3, 1, back);
            results.Add((jpeg.Length, pixels.Zip(back, (a, b) => Math.Abs(a - b)).Average()));
        }

        output.WriteLine(string.Join("; ", results.Select(r => $"{r.Size} bytes, mean error {r.Error:F2}")));
        Assert.True(results[0].Size < results[1].Size && results[1].Size < results[2].Size);
        Assert.True(results[0].Error > results[1].Error && results[1].Error > results[2].Error && results[2].Error < 2.5);

        byte[] gray = codec.Encode(pixels.Where((_, i) => i % 3 == 1).ToArray(), width, height, 1, ImageFormat.Jpeg, 90);
        Assert.Equal(1, codec.ReadHeader(gray).Channels);
    }

    [Fact]
    public void Encode_Refusals()
    {
        byte[] pixels = new byte[4 * 4 * 3];
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageCodecs.Default.Encode(pixels, 4, 4, 3, ImageFormat.Gif, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageCodecs.Managed.Encode(pixels, 4, 4, 3, (ImageFormat)9, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageCodecs.Managed.Encode(pixels, 0, 4, 3, ImageFormat.Png, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageCodecs.Managed.Encode(pixels, 4, 4, 2, ImageFormat.Png, 0));
        Assert.Throws<ArgumentException>(() => ImageCodecs.Managed.Encode(pixels, 5, 4, 3, ImageFormat.Png, 0));
        if (ImageCodecs.Native is { } native) Assert.Throws<NotSupportedException>(() => native.Encode(pixels, 4, 4, 3, ImageFormat.Bmp, 0));
        byte[] bmp = ImageCodecs.Default.Encode(pixels, 4, 4, 3, ImageFormat.Bmp, 0);
        Assert.Equal(new ImageHeader(ImageFormat.Bmp, 4, 4, 3), ImageCodecs.Default.ReadHeader(bmp));
        Assert.False(ImageCodecs.Managed.CanEncode(ImageFormat.Gif));
        Assert.True(ImageCodecs.Managed.CanDecode(ImageFormat.Gif));
    }

    [NativeFact]
    public void Default_IsNativeForJpegAndPng_AndTheDescriptionSaysSo()
    {
        ImageCodec native = NativeCodecs.Require();
        Assert.Contains("TurboJPEG", native.Name, StringComparison.Ordinal);
        Assert.Contains("libpng 1.6", ImageCodecs.Description, StringComparison.Ordinal);
        Assert.StartsWith("JPEG: TurboJPEG (", ImageCodecs.Description, StringComparison.Ordinal);
        Assert.Contains("BMP, GIF: ImageSharp", ImageCodecs.Description, StringComparison.Ordinal);
        Assert.False(native.CanDecode(ImageFormat.Bmp));
        Assert.Same(ImageCodecs.Default, ImageCodecs.Get(CodecPreference.Auto));
        Assert.Same(ImageCodecs.Managed, ImageCodecs.Get(CodecPreference.Managed));
        Assert.Contains("does not decode", Assert.Throws<ImageDecodeException>(() => native.ReadHeader(File.ReadAllBytes(Path.Combine(TestFiles.CodecsDir, "bmp_rgb.bmp")))).Message, StringComparison.Ordinal);

        // The preference reaches the codec: ImageSharp's pixels differ from libjpeg-turbo's at colour edges.
        byte[] jpeg = File.ReadAllBytes(Path.Combine(TestFiles.PhotosDir, "landscape", "bythewater.jpg"));
        using NDArray auto = ImageOps.Decode(jpeg);
        using NDArray forcedNative = ImageOps.Decode(jpeg, new ImageDecodeOptions { Codec = CodecPreference.Native });
        using NDArray managed = ImageOps.Decode(jpeg, new ImageDecodeOptions { Codec = CodecPreference.Managed });
        Assert.Equal(forcedNative.ToArray<byte>(), auto.ToArray<byte>());
        Assert.NotEqual(forcedNative.ToArray<byte>(), managed.ToArray<byte>());
    }

    [Fact]
    public void NativePreference_WithoutTheLibraries_IsDllNotFoundNamingThePackages()
    {
        var error = Assert.Throws<DllNotFoundException>(() => ImageCodecs.Resolve(CodecPreference.Native, ImageCodecs.Default, null, "libturbojpeg: none of libturbojpeg.so.0 could be loaded"));
        Assert.Contains("CodecPreference.Native", error.Message, StringComparison.Ordinal);
        Assert.Contains("libturbojpeg0 and libpng16-16", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageCodecs.Get((CodecPreference)7));

        // A machine without the libraries: Auto falls back to ImageSharp; Native fails for JPEG and PNG but not BMP.
        byte[] jpeg = File.ReadAllBytes(Path.Combine(TestFiles.PhotosDir, "objects", "kite.jpg"));
        var fallback = new DefaultCodec(null, requireNative: false, "libturbojpeg: missing; libpng: missing");
        Assert.Equal(ImageFormat.Jpeg, fallback.ReadHeader(jpeg).Format);
        Assert.StartsWith("JPEG: ImageSharp (managed); PNG: ImageSharp (managed)", fallback.Name, StringComparison.Ordinal);
        var strict = new DefaultCodec(null, requireNative: true, "libturbojpeg: missing; libpng: missing");
        Assert.Contains("libturbojpeg: missing", Assert.Throws<DllNotFoundException>(() => strict.ReadHeader(jpeg)).Message, StringComparison.Ordinal);
        Assert.Equal(ImageFormat.Bmp, strict.ReadHeader(File.ReadAllBytes(Path.Combine(TestFiles.CodecsDir, "bmp_rgb.bmp"))).Format);
    }

    [Fact]
    public void AutoOrient_GivesTheSameUprightImageOnBothCodecs()
    {
        for (int orientation = 1; orientation <= 8; orientation++)
        {
            byte[] jpeg = File.ReadAllBytes(Path.Combine(TestFiles.CodecsDir, $"jpeg_orientation{orientation}.jpg"));
            using NDArray managed = ImageOps.Decode(jpeg, new ImageDecodeOptions { AutoOrient = true, Codec = CodecPreference.Managed });
            using NDArray stored = ImageOps.Decode(jpeg, new ImageDecodeOptions { Codec = CodecPreference.Managed });
            Assert.Equal(orientation >= 5 ? [67, 45, 3] : [45, 67, 3], managed.Shape);
            if (orientation == 1) Assert.Equal(stored.ToArray<byte>(), managed.ToArray<byte>());
        }
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void DecodeRgb_PipelineFastPath_EqualsDecode_UprightOrAsStored(string name)
    {
        var options = new ImageDecodeOptions { Codec = name == "native" ? CodecPreference.Native : CodecPreference.Managed };
        if (name == "native") NativeCodecs.Require();
        foreach (int orientation in new[] { 1, 2, 3, 5, 6, 8 })
        {
            byte[] jpeg = File.ReadAllBytes(Path.Combine(TestFiles.CodecsDir, $"jpeg_orientation{orientation}.jpg"));
            foreach (bool orient in new[] { false, true })
            {
                ImageDecodeOptions o = options with { AutoOrient = orient };
                using NDArray expected = ImageOps.Decode(jpeg, o);
                (byte[] pixels, int height, int width) = ImageOps.DecodeRgb(jpeg, o, (p, h, w) => (p.ToArray(), h, w));
                Assert.Equal(expected.Shape, new[] { height, width, 3 });
                Assert.Equal(expected.ToArray<byte>(), pixels);
            }
        }
    }

    private static ImageCodec Codec(string name) => name == "native" ? NativeCodecs.Require() : ImageCodecs.Managed;

    private static IEnumerable<ImageCodec> Decoders() => ImageCodecs.Native is { } native ? [ImageCodecs.Managed, native] : [ImageCodecs.Managed];
}
