using System.Globalization;
using System.Runtime.InteropServices;
using Pipeline.Stages.Imaging.Internal;

namespace Pipeline.Stages.Imaging;

/// <summary>JPEG through libjpeg-turbo's TurboJPEG API: the decoder MXNet uses (through OpenCV), with its defaults (accurate integer IDCT, fancy upsampling), so pixels equal <c>cv2.imdecode</c>'s.</summary>
/// <remarks>
/// Each thread keeps its own decompressor and compressor handle (and output buffer), created on first use and never freed before the
/// thread exits (pool threads live as long as the process). Warnings (a truncated scan, extraneous bytes) keep the
/// decoded pixels, as libjpeg and OpenCV do; fatal errors carry TurboJPEG's message. A progressive JPEG with more than
/// 500 scans is refused (<c>TJFLAG_LIMITSCANS</c>), which OpenCV does not do: such files exist only to exhaust decoders.
/// </remarks>
internal sealed unsafe class TurboJpegCodec(string file)
{
    [ThreadStatic]
    private static nint s_decompressor;

    [ThreadStatic]
    private static nint s_compressor;

    // This thread's output buffer for compressing, kept across images (like the handles) so that no encode allocates.
    [ThreadStatic]
    private static byte* s_output;

    [ThreadStatic]
    private static long s_outputSize;

    /// <summary>Gets the library file that loaded.</summary>
    public string File { get; } = file;

    public static TurboJpegCodec? TryCreate(out string? error) =>
        NativeLibraries.TryLoad(NativeLibraries.TurboJpegName, TurboJpeg.RequiredExports, out string? file, out error) ? new TurboJpegCodec(file!) : null;

    public void Decode(ReadOnlySpan<byte> encoded, ImageHeader header, int channels, int scaleDenominator, Span<byte> destination)
    {
        nint handle = Decompressor();
        var size = new CULong((nuint)encoded.Length);
        fixed (byte* source = encoded)
        {
            (_, int colorspace) = ReadHeader(handle, source, size, header);

            (int scaledWidth, int scaledHeight) = ImageCodec.ScaledSize(header, scaleDenominator);
            if (colorspace is TurboJpeg.ColorspaceCmyk or TurboJpeg.ColorspaceYcck)
            {
                DecodeCmyk(handle, source, size, scaledWidth, scaledHeight, channels, destination);
                return;
            }

            int pixelFormat = channels switch
            {
                1 => TurboJpeg.PixelFormatGray,
                3 => TurboJpeg.PixelFormatRgb,
                _ => TurboJpeg.PixelFormatRgba,
            };
            fixed (byte* target = destination)
            {
                if (TurboJpeg.tjDecompress2(handle, source, size, target, scaledWidth, scaledWidth * channels, scaledHeight, pixelFormat, TurboJpeg.FlagLimitScans) != 0) FailUnlessWarning(ref s_decompressor);
            }
        }
    }

    public byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, int channels, int quality)
    {
        nint handle = Compressor();
        int pixelFormat = channels switch
        {
            1 => TurboJpeg.PixelFormatGray,
            3 => TurboJpeg.PixelFormatRgb,
            _ => TurboJpeg.PixelFormatRgba,
        };

        // OpenCV's imencode settings (libjpeg's defaults): 4:2:0 for colour, the accurate DCT; the bytes are cv2.imencode's.
        int subsampling = channels == 1 ? TurboJpeg.SubsamplingGray : TurboJpeg.SubsamplingYuv420;
        byte* jpeg = OutputBuffer(width, height, subsampling);
        var size = new CULong((nuint)s_outputSize);
        fixed (byte* source = pixels)
        {
            if (TurboJpeg.tjCompress2(handle, source, width, width * channels, height, pixelFormat, &jpeg, &size, subsampling, Math.Clamp(quality, 1, 100), TurboJpeg.FlagAccurateDct | TurboJpeg.FlagNoRealloc) != 0)
            {
                FailUnlessWarning(ref s_compressor);
            }
        }

        return new ReadOnlySpan<byte>(jpeg, checked((int)size.Value)).ToArray();
    }

    /// <summary>This thread's compression buffer, grown to TurboJPEG's worst case for the image.</summary>
    private static byte* OutputBuffer(int width, int height, int subsampling)
    {
        long needed = (long)TurboJpeg.tjBufSize(width, height, subsampling).Value;
        if (needed <= 0 || needed > int.MaxValue) throw new ImagingException(string.Create(CultureInfo.InvariantCulture, $"A {width}x{height} JPEG is too large to encode."));
        if (s_outputSize < needed)
        {
            if (s_output != null) TurboJpeg.tjFree(s_output);
            s_output = null;
            s_outputSize = 0;
            s_output = TurboJpeg.tjAlloc((int)needed);
            if (s_output == null) throw new ImagingException(string.Create(CultureInfo.InvariantCulture, $"TurboJPEG could not allocate a {needed}-byte output buffer."));
            s_outputSize = needed;
        }

        return s_output;
    }

    /// <summary>Re-encodes a YCbCr or gray JPEG at another size by resizing its planes: no colour conversion, no chroma up- or down-sampling.</summary>
    /// <remarks>
    /// Each of Y, Cb and Cr is resized from its stored size straight to its size in a 4:2:0 image of the new size (what
    /// <see cref="Encode"/> writes); a gray JPEG gets neutral chroma (128), which is what converting its RGB would give.
    /// </remarks>
    /// <returns>The new JPEG, or <see langword="null"/> when the JPEG is not YCbCr or gray, or its subsampling is not one TurboJPEG names.</returns>
    public byte[]? ResizePlanes(ReadOnlySpan<byte> encoded, ImageHeader header, int width, int height, Interpolation interp, int quality)
    {
        nint handle = Decompressor();
        var size = new CULong((nuint)encoded.Length);
        fixed (byte* source = encoded)
        {
            (int subsampling, int colorspace) = ReadHeader(handle, source, size, header);
            (int jpegWidth, int jpegHeight) = (header.Width, header.Height);

            int stored = colorspace == TurboJpeg.ColorspaceGray ? 1 : 3;
            if ((colorspace != TurboJpeg.ColorspaceYCbCr && stored == 3) || subsampling < 0) return null;

            Span<int> sourceWidths = stackalloc int[3];
            Span<int> sourceHeights = stackalloc int[3];
            Span<int> targetWidths = stackalloc int[3];
            Span<int> targetHeights = stackalloc int[3];
            long sourceBytes = 0, targetBytes = 0;
            for (int plane = 0; plane < 3; plane++)
            {
                if (plane < stored)
                {
                    sourceWidths[plane] = TurboJpeg.tjPlaneWidth(plane, jpegWidth, subsampling);
                    sourceHeights[plane] = TurboJpeg.tjPlaneHeight(plane, jpegHeight, subsampling);
                    if (sourceWidths[plane] <= 0 || sourceHeights[plane] <= 0) return null;
                    sourceBytes += (long)sourceWidths[plane] * sourceHeights[plane];
                }

                targetWidths[plane] = TurboJpeg.tjPlaneWidth(plane, width, TurboJpeg.SubsamplingYuv420);
                targetHeights[plane] = TurboJpeg.tjPlaneHeight(plane, height, TurboJpeg.SubsamplingYuv420);
                targetBytes += (long)targetWidths[plane] * targetHeights[plane];
            }

            using var decoded = new PixelBuffer(sourceBytes);
            using var resized = new PixelBuffer(targetBytes);
            byte** sourcePlanes = stackalloc byte*[3];
            byte** targetPlanes = stackalloc byte*[3];
            fixed (byte* decodedStart = decoded.Span)
            fixed (byte* resizedStart = resized.Span)
            {
                byte* next = decodedStart;
                byte* nextTarget = resizedStart;
                for (int plane = 0; plane < 3; plane++)
                {
                    sourcePlanes[plane] = next;
                    next += plane < stored ? sourceWidths[plane] * sourceHeights[plane] : 0;
                    targetPlanes[plane] = nextTarget;
                    nextTarget += targetWidths[plane] * targetHeights[plane];
                }

                if (TurboJpeg.tjDecompressToYUVPlanes(handle, source, size, sourcePlanes, jpegWidth, null, jpegHeight, TurboJpeg.FlagLimitScans) != 0)
                {
                    FailUnlessWarning(ref s_decompressor);
                }

                for (int plane = 0; plane < 3; plane++)
                {
                    var target = new Span<byte>(targetPlanes[plane], targetWidths[plane] * targetHeights[plane]);
                    if (plane >= stored)
                    {
                        target.Fill(128);
                        continue;
                    }

                    var planeSource = new ReadOnlySpan<byte>(sourcePlanes[plane], sourceWidths[plane] * sourceHeights[plane]);
                    if (plane == 0)
                    {
                        // Luma planes are padded to whole chroma samples: resize the image's own pixels, then pad as the encoder expects.
                        ResizeLuma(planeSource, sourceWidths[0], jpegWidth, jpegHeight, target, targetWidths[0], targetHeights[0], width, height, interp);
                    }
                    else
                    {
                        Resampler.Resize<byte, byte>(planeSource, sourceWidths[plane], sourceHeights[plane], 1, target, targetWidths[plane], targetHeights[plane], interp);
                    }
                }

                return EncodePlanes(targetPlanes, width, height, quality);
            }
        }
    }

    /// <summary>Resizes the (width x height) image inside a luma plane of row length <paramref name="stride"/> into a padded target plane, replicating its last column and row into the padding.</summary>
    private static void ResizeLuma(ReadOnlySpan<byte> plane, int stride, int width, int height, Span<byte> target, int targetStride, int targetRows, int targetWidth, int targetHeight, Interpolation interp)
    {
        using var compact = new PixelBuffer(stride == width ? 0 : (long)width * height);
        ReadOnlySpan<byte> source = plane;
        if (stride != width)
        {
            for (int y = 0; y < height; y++) plane.Slice(y * stride, width).CopyTo(compact.Span.Slice(y * width, width));
            source = compact.Span;
        }

        if (targetStride == targetWidth)
        {
            Resampler.Resize<byte, byte>(source, width, height, 1, target, targetWidth, targetHeight, interp);
        }
        else
        {
            using var resized = new PixelBuffer((long)targetWidth * targetHeight);
            Resampler.Resize<byte, byte>(source, width, height, 1, resized.Span, targetWidth, targetHeight, interp);
            for (int y = 0; y < targetHeight; y++)
            {
                Span<byte> row = target.Slice(y * targetStride, targetStride);
                resized.Span.Slice(y * targetWidth, targetWidth).CopyTo(row);
                row[targetWidth..].Fill(row[targetWidth - 1]);
            }
        }

        for (int y = targetHeight; y < targetRows; y++) target.Slice((targetHeight - 1) * targetStride, targetStride).CopyTo(target.Slice(y * targetStride, targetStride));
    }

    /// <summary>Reads the JPEG's header with the decompressor, which must agree on the size with the header already read.</summary>
    /// <returns>TurboJPEG's subsampling (-1 when 2.1 does not name it) and colour space.</returns>
    private static (int Subsampling, int Colorspace) ReadHeader(nint handle, byte* source, CULong size, ImageHeader header)
    {
        // A warning, or TurboJPEG 2.1 refusing an unusual subsampling, still fills in the size; without it the header failed.
        int width = 0, height = 0, subsampling = 0, colorspace = 0;
        if (TurboJpeg.tjDecompressHeader3(handle, source, size, &width, &height, &subsampling, &colorspace) != 0 && (width <= 0 || height <= 0))
        {
            Fail(ref s_decompressor);
        }

        if (width != header.Width || height != header.Height)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"TurboJPEG reads {width}x{height} where the header says {header.Width}x{header.Height}"));
        }

        return (subsampling, colorspace);
    }

    /// <summary>Compresses 4:2:0 planes with the settings of <see cref="Encode"/>.</summary>
    private static byte[] EncodePlanes(byte** planes, int width, int height, int quality)
    {
        nint handle = Compressor();
        byte* jpeg = OutputBuffer(width, height, TurboJpeg.SubsamplingYuv420);
        var size = new CULong((nuint)s_outputSize);
        if (TurboJpeg.tjCompressFromYUVPlanes(handle, planes, width, null, height, TurboJpeg.SubsamplingYuv420, &jpeg, &size, Math.Clamp(quality, 1, 100), TurboJpeg.FlagAccurateDct | TurboJpeg.FlagNoRealloc) != 0)
        {
            FailUnlessWarning(ref s_compressor);
        }

        return new ReadOnlySpan<byte>(jpeg, checked((int)size.Value)).ToArray();
    }

    /// <summary>CMYK and YCCK JPEGs (Adobe's inverted CMYK) decode to CMYK and convert as OpenCV's <c>icvCvt_CMYK2BGR_8u_C4C3R</c> and <c>icvCvt_CMYK2Gray_8u_C4C1R</c>.</summary>
    private static void DecodeCmyk(nint handle, byte* source, CULong size, int width, int height, int channels, Span<byte> destination)
    {
        int pixels = width * height;
        using var buffer = new PixelBuffer((long)pixels * 4);
        Span<byte> cmyk = buffer.Span;
        fixed (byte* target = cmyk)
        {
            if (TurboJpeg.tjDecompress2(handle, source, size, target, width, width * 4, height, TurboJpeg.PixelFormatCmyk, TurboJpeg.FlagLimitScans) != 0) FailUnlessWarning(ref s_decompressor);
        }

        for (int i = 0; i < pixels; i++)
        {
            int k = cmyk[(4 * i) + 3];
            int r = k - (((255 - cmyk[4 * i]) * k) >> 8);
            int g = k - (((255 - cmyk[(4 * i) + 1]) * k) >> 8);
            int b = k - (((255 - cmyk[(4 * i) + 2]) * k) >> 8);
            switch (channels)
            {
                case 1:
                    destination[i] = (byte)(((r * 4899) + (g * 9617) + (b * 1868) + 8192) >> 14);
                    break;
                case 3:
                    destination[3 * i] = (byte)r;
                    destination[(3 * i) + 1] = (byte)g;
                    destination[(3 * i) + 2] = (byte)b;
                    break;
                default:
                    destination[4 * i] = (byte)r;
                    destination[(4 * i) + 1] = (byte)g;
                    destination[(4 * i) + 2] = (byte)b;
                    destination[(4 * i) + 3] = 255;
                    break;
            }
        }
    }

    /// <summary>A warning leaves usable pixels (libjpeg fills what is missing, and OpenCV keeps the image); anything else is an error.</summary>
    private static void FailUnlessWarning(ref nint handle)
    {
        if (TurboJpeg.tjGetErrorCode(handle) != TurboJpeg.ErrorWarning) Fail(ref handle);
    }

    /// <summary>Throws the handle's error and retires the handle: after a fatal error TurboJPEG 2.1 can leave it mid-header (tjDecompressHeader3 does not abort), and the next image would be read from that state.</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void Fail(ref nint handle)
    {
        string message = TurboJpeg.ErrorMessage(handle);
        _ = TurboJpeg.tjDestroy(handle); // Nothing to do if even this fails; the handle is dropped either way.
        handle = 0;
        throw new InvalidDataException(message);
    }

    private static nint Decompressor() => Handle(ref s_decompressor, compress: false);

    private static nint Compressor() => Handle(ref s_compressor, compress: true);

    /// <summary>This thread's handle of one kind, created on first use.</summary>
    private static nint Handle(ref nint slot, bool compress)
    {
        if (slot != 0) return slot;
        nint handle = compress ? TurboJpeg.tjInitCompress() : TurboJpeg.tjInitDecompress();
        if (handle == 0) throw new ImagingException($"TurboJPEG could not create a {(compress ? "compressor" : "decompressor")}: {TurboJpeg.ErrorMessage(0)}");
        slot = handle;
        return handle;
    }
}
