using System.Buffers.Binary;
using Pipeline.Core;
using Pipeline.Stages.Imaging;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Stages.Imaging.Codecs;

/// <summary>Bytes made to hurt a decoder: every failure is an <see cref="ImageDecodeException"/>, text chunks are never inflated, unsupported formats are named, and sizes are checked before pixels exist.</summary>
public sealed class HostileImageTests
{
    public static TheoryData<CodecPreference> Codecs => NativeCodecs.Available || NativeCodecs.OnCi
        ? new TheoryData<CodecPreference> { CodecPreference.Managed, CodecPreference.Native }
        : new TheoryData<CodecPreference> { CodecPreference.Managed };

    public static TheoryData<string, string> UnsupportedFiles => new()
    {
        { "unsupported.tiff", "TIFF" },
        { "unsupported.webp", "WebP" },
        { "unsupported.ppm", "Netpbm" },
        { "unsupported.pgm", "Netpbm" },
        { "unsupported.tga", "TGA" },
    };

    [Fact]
    public void ManagedDecode_TruncatedJpegThatCrashesImageSharp_IsImageDecodeException()
    {
        byte[] jpeg = TruncatedJpeg();

        // ImageSharp 2.1 throws NullReferenceException on these bytes; it must arrive wrapped, with the cause kept.
        var error = Assert.Throws<ImageDecodeException>(() => ImageOps.Decode(jpeg, new ImageDecodeOptions { Codec = CodecPreference.Managed }));
        Assert.IsType<NullReferenceException>(error.InnerException);
        Assert.Throws<ImageDecodeException>(() => ImageCodecs.Managed.Decode(jpeg, 3, 1, new byte[8 * 8 * 3]));
    }

    [NativeFact]
    public void NativeDecode_TruncatedJpeg_DecodesOrIsImageDecodeException()
    {
        NativeCodecs.Require();
        byte[] jpeg = TruncatedJpeg();
        try
        {
            ImageOps.Decode(jpeg, new ImageDecodeOptions { Codec = CodecPreference.Native }).Dispose();
        }
        catch (ImageDecodeException)
        {
        }

        // The handle that failed is replaced: the next image decodes normally on the same thread.
        using NDArray kite = ImageOps.Decode(File.ReadAllBytes(Path.Combine(TestFiles.PhotosDir, "objects", "kite.jpg")), new ImageDecodeOptions { Codec = CodecPreference.Native });
        Assert.Equal(3, kite.GetLength(2));
    }

    [NativeFact]
    public void NativeDecode_ProgressiveJpegWithThousandsOfScans_IsRefused()
    {
        NativeCodecs.Require();
        byte[] jpeg = File.ReadAllBytes(Path.Combine(TestFiles.CodecsDir, "jpeg_progressive.jpg"));

        // Repeat the last scan (SOS to EOI) 2,000 times: each repeat is legal enough to be decoded again.
        int lastScan = jpeg.Length - 2;
        while (!(jpeg[lastScan] == 0xFF && jpeg[lastScan + 1] == 0xDA)) lastScan--;
        byte[] scan = jpeg[lastScan..^2];
        byte[] bomb = [.. jpeg[..lastScan], .. Enumerable.Repeat(scan, 2000).SelectMany(s => s), 0xFF, 0xD9];
        var error = Assert.Throws<ImageDecodeException>(() => ImageOps.Decode(bomb, new ImageDecodeOptions { Codec = CodecPreference.Native }));
        Assert.Contains("500 scans", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Decode_TruncatedOrGarbage_IsImageDecodeExceptionOnEitherCodec(CodecPreference codec)
    {
        if (codec == CodecPreference.Native) NativeCodecs.Require();
        var options = new ImageDecodeOptions { Codec = codec };
        byte[] jpeg = File.ReadAllBytes(Path.Combine(TestFiles.PhotosDir, "objects", "kite.jpg"));
        byte[] png = File.ReadAllBytes(Path.Combine(TestFiles.PhotosDir, "objects", "cups_rgb.png"));
        Assert.Throws<ImageDecodeException>(() => ImageOps.Decode([], options));
        Assert.Throws<ImageDecodeException>(() => ImageOps.Decode("clearly not image content"u8, options));
        Assert.Throws<ImageDecodeException>(() => ImageOps.Decode(jpeg.AsSpan(0, 200), options));
        Assert.Throws<ImageDecodeException>(() => ImageOps.Decode(png.AsSpan(0, png.Length / 2), options));
        Assert.Throws<ImageDecodeException>(() => ImageOps.Decode(jpeg.AsSpan(0, 4), options));

        byte[] corrupt = (byte[])png.Clone();
        corrupt.AsSpan(60, 200).Fill(0x5A);
        Assert.Throws<ImageDecodeException>(() => ImageOps.Decode(corrupt, options));
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Decode_PngWithTextBombs_NeverInflatesThem(CodecPreference codec)
    {
        if (codec == CodecPreference.Native) NativeCodecs.Require();
        byte[] ztxt = PngBuilder.Chunk("zTXt", [.. "Comment"u8, 0, 0, .. PngBuilder.SixtyFourMiBOfZeros]);
        byte[] itxt = PngBuilder.Chunk("iTXt", [.. "Comment"u8, 0, 1, 0, .. "en"u8, 0, 0, .. PngBuilder.SixtyFourMiBOfZeros]);
        foreach (byte[] png in new[] { PngBuilder.OnePixel(10, 20, 30, ztxt), PngBuilder.OnePixel(10, 20, 30, itxt), PngBuilder.OnePixel(10, 20, 30, ztxt, itxt) })
        {
            var options = new ImageDecodeOptions { Codec = codec };
            ImageOps.Decode(png, options).Dispose();
            long before = GC.GetAllocatedBytesForCurrentThread();
            using NDArray pixel = ImageOps.Decode(png, options);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(new byte[] { 10, 20, 30 }, pixel.ToArray<byte>());

            // Inflating either chunk would allocate 64 MiB or more; the chunk itself is 65 KB.
            Assert.True(allocated < 2 << 20, $"{codec}: {allocated} bytes allocated decoding a {png.Length}-byte 1x1 PNG");
        }
    }

    [Fact]
    public void PngChunks_TextAndGammaBeforeTheImageData_AreNotHandedToLibpng()
    {
        byte[] ztxt = PngBuilder.Chunk("zTXt", [.. "Comment"u8, 0, 0, .. PngBuilder.Zlib(new byte[1000])]);
        byte[] gamma = PngBuilder.Chunk("gAMA", [0, 1, 0x86, 0xA0]);
        byte[] trns = PngBuilder.Chunk("tRNS", [0, 1, 0, 2, 0, 3]);
        byte[] png = PngBuilder.OnePixel(1, 2, 3, gamma, ztxt, trns, PngBuilder.Chunk("iTXt", [.. "a"u8, 0, 1, 0, 0, 0, .. PngBuilder.Zlib(new byte[9])]));
        Assert.True(PngChunks.NeedsStripping(png));
        byte[] stripped = new byte[png.Length];
        int length = PngChunks.Strip(png, stripped);
        Assert.Equal(["IHDR", "tRNS", "IDAT", "IEND"], PngChunks.ChunkTypes(stripped.AsSpan(0, length)));
        Assert.False(PngChunks.NeedsStripping(stripped.AsSpan(0, length)));
        Assert.False(PngChunks.NeedsStripping(PngBuilder.OnePixel(1, 2, 3)));
    }

    [Theory]
    [MemberData(nameof(UnsupportedFiles))]
    public void Decode_UnsupportedFormat_IsRefusedNamingItOnEveryCodec(string file, string format)
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(TestFiles.CodecsDir, file));
        var codecs = new List<ImageCodec> { ImageCodecs.Default, ImageCodecs.Managed };
        if (ImageCodecs.Native is { } native) codecs.Add(native);
        foreach (ImageCodec codec in codecs)
        {
            var error = Assert.Throws<ImageDecodeException>(() => codec.ReadHeader(bytes));
            Assert.Contains(format, error.Message, StringComparison.Ordinal);
            Assert.Contains("JPEG, PNG, BMP and GIF", error.Message, StringComparison.Ordinal);
        }

        var managed = Assert.Throws<ImageDecodeException>(() => ImageOps.Decode(bytes, new ImageDecodeOptions { Codec = CodecPreference.Managed }));
        Assert.Contains(format, managed.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A }, "JPEG 2000")]
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x18, 0x66, 0x74, 0x79, 0x70, 0x68, 0x65, 0x69, 0x63, 0, 0, 0, 0 }, "HEIF")]
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x1C, 0x66, 0x74, 0x79, 0x70, 0x61, 0x76, 0x69, 0x66, 0, 0, 0, 0 }, "AVIF")]
    [InlineData(new byte[] { 0x38, 0x42, 0x50, 0x53, 0, 1, 0, 0 }, "PSD")]
    [InlineData(new byte[] { 0x71, 0x6F, 0x69, 0x66, 0, 0, 0, 1, 0, 0, 0, 1, 3, 0 }, "QOI")]
    [InlineData(new byte[] { 0x4D, 0x4D, 0x00, 0x2A, 0, 0, 0, 8 }, "TIFF")]
    public void Decode_UnsupportedSignature_IsRefusedNamingIt(byte[] header, string format)
    {
        byte[] bytes = [.. header, .. new byte[64]];
        var error = Assert.Throws<ImageDecodeException>(() => ImageOps.Decode(bytes));
        Assert.Contains($"is a {format} image", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Decode_OverThePixelLimit_IsRefusedBeforeAllocating(CodecPreference codec)
    {
        if (codec == CodecPreference.Native) NativeCodecs.Require();
        var options = new ImageDecodeOptions { Codec = codec };
        byte[] png = File.ReadAllBytes(Path.Combine(TestFiles.PhotosDir, "objects", "cups_rgb.png"));
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 100_000);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 100_000);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), PngBuilder.Crc32(png.AsSpan(12, 17)));
        byte[] gif = File.ReadAllBytes(Path.Combine(TestFiles.CodecsDir, "gif_two_frames.gif"));
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Contains("100000x100000", Assert.Throws<ImageDecodeException>(() => ImageOps.Decode(png, options)).Message, StringComparison.Ordinal);
        Assert.Contains("67x45", Assert.Throws<ImageDecodeException>(() => ImageOps.Decode(gif, options with { MaxPixels = 1000 })).Message, StringComparison.Ordinal);
        Assert.Throws<ImageDecodeException>(() => ImageOps.DecodeUnchanged(png));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4 << 20);
    }

    [Fact]
    public void Decode_AnimatedGif_IsItsFirstFrame()
    {
        byte[] gif = File.ReadAllBytes(Path.Combine(TestFiles.CodecsDir, "gif_two_frames.gif"));
        ImageHeader header = ImageCodecs.Default.ReadHeader(gif);
        Assert.Equal(new ImageHeader(ImageFormat.Gif, 67, 45, header.Channels), header);
        using NDArray first = ImageOps.Decode(gif);
        Assert.Equal([45, 67, 3], first.Shape);
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageOps.Encode(first, ImageFormat.Gif));
    }

    /// <summary>A small JPEG (8x8, ImageSharp's encoder, quality 50: about 690 bytes) with everything from offset 548 zeroed.</summary>
    private static byte[] TruncatedJpeg()
    {
        var random = new Random(1);
        byte[] pixels = new byte[8 * 8 * 3];
        random.NextBytes(pixels);
        byte[] jpeg = ImageCodecs.Managed.Encode(pixels, 8, 8, 3, ImageFormat.Jpeg, 50);
        Assert.True(jpeg.Length > 600, $"{jpeg.Length} bytes");
        jpeg.AsSpan(548).Clear();
        return jpeg;
    }
}
