using System.Globalization;
using System.Runtime.InteropServices;

namespace Pipeline.Stages.Imaging;

/// <summary>JPEG through libjpeg-turbo's TurboJPEG API: the decoder MXNet uses (through OpenCV), with its defaults (accurate integer IDCT, fancy upsampling), so pixels equal <c>cv2.imdecode</c>'s.</summary>
/// <remarks>
/// Each thread keeps its own decompressor and compressor handle, created on first use and never freed before the
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
        byte* jpeg = null;
        CULong size = default;
        try
        {
            fixed (byte* source = pixels)
            {
                if (TurboJpeg.tjCompress2(handle, source, width, width * channels, height, pixelFormat, &jpeg, &size, subsampling, Math.Clamp(quality, 1, 100), TurboJpeg.FlagAccurateDct) != 0) FailUnlessWarning(ref s_compressor);
            }

            return new ReadOnlySpan<byte>(jpeg, checked((int)size.Value)).ToArray();
        }
        finally
        {
            if (jpeg != null) TurboJpeg.tjFree(jpeg);
        }
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
