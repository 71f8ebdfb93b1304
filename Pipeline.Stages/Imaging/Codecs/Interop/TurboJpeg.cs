using System.Runtime.InteropServices;

namespace Pipeline.Stages.Imaging;

/// <summary>The TurboJPEG API v2 entry points of libjpeg-turbo (turbojpeg.h), resolved through <see cref="NativeLibraries"/>.</summary>
internal static unsafe partial class TurboJpeg
{
    public const int PixelFormatRgb = 0;
    public const int PixelFormatGray = 6;
    public const int PixelFormatRgba = 7;
    public const int PixelFormatCmyk = 11;

    public const int SubsamplingYuv420 = 2;
    public const int SubsamplingGray = 3;

    public const int ColorspaceYCbCr = 1;
    public const int ColorspaceGray = 2;

    public const int ColorspaceCmyk = 3;
    public const int ColorspaceYcck = 4;

    public const int ErrorWarning = 0;

    /// <summary>The accurate integer DCT: TurboJPEG compresses with the fast one unless asked, libjpeg (and so OpenCV) with this one.</summary>
    public const int FlagAccurateDct = 4096;

    /// <summary>Compress into the caller's buffer, which is at least <c>tjBufSize</c> long, instead of (re)allocating one.</summary>
    public const int FlagNoRealloc = 1024;

    /// <summary>Refuse a progressive JPEG with more than 500 scans (a few hundred bytes can otherwise cost minutes of CPU); no real image has that many.</summary>
    public const int FlagLimitScans = 32768;

    /// <summary>What the codec calls: a library without these is treated as missing.</summary>
    public static readonly string[] RequiredExports =
    [
        "tjInitDecompress", "tjInitCompress", "tjDecompressHeader3", "tjDecompress2", "tjCompress2", "tjFree", "tjDestroy", "tjGetErrorStr2", "tjGetErrorCode",
        "tjDecompressToYUVPlanes", "tjCompressFromYUVPlanes", "tjPlaneWidth", "tjPlaneHeight", "tjBufSize", "tjAlloc",
    ];

    [LibraryImport(NativeLibraries.TurboJpegName)]
    public static partial nint tjInitDecompress();

    [LibraryImport(NativeLibraries.TurboJpegName)]
    public static partial nint tjInitCompress();

    [LibraryImport(NativeLibraries.TurboJpegName)]
    public static partial int tjDecompressHeader3(nint handle, byte* jpegBuf, CULong jpegSize, int* width, int* height, int* jpegSubsamp, int* jpegColorspace);

    [LibraryImport(NativeLibraries.TurboJpegName)]
    public static partial int tjDecompress2(nint handle, byte* jpegBuf, CULong jpegSize, byte* dstBuf, int width, int pitch, int height, int pixelFormat, int flags);

    [LibraryImport(NativeLibraries.TurboJpegName)]
    public static partial int tjCompress2(nint handle, byte* srcBuf, int width, int pitch, int height, int pixelFormat, byte** jpegBuf, CULong* jpegSize, int jpegSubsamp, int jpegQual, int flags);

    [LibraryImport(NativeLibraries.TurboJpegName)]
    public static partial int tjDecompressToYUVPlanes(nint handle, byte* jpegBuf, CULong jpegSize, byte** dstPlanes, int width, int* strides, int height, int flags);

    [LibraryImport(NativeLibraries.TurboJpegName)]
    public static partial int tjCompressFromYUVPlanes(nint handle, byte** srcPlanes, int width, int* strides, int height, int subsamp, byte** jpegBuf, CULong* jpegSize, int jpegQual, int flags);

    [LibraryImport(NativeLibraries.TurboJpegName)]
    public static partial int tjPlaneWidth(int componentID, int width, int subsamp);

    [LibraryImport(NativeLibraries.TurboJpegName)]
    public static partial int tjPlaneHeight(int componentID, int height, int subsamp);

    [LibraryImport(NativeLibraries.TurboJpegName)]
    public static partial int tjDestroy(nint handle);

    [LibraryImport(NativeLibraries.TurboJpegName)]
    public static partial void tjFree(byte* buffer);

    [LibraryImport(NativeLibraries.TurboJpegName)]
    public static partial CULong tjBufSize(int width, int height, int jpegSubsamp);

    [LibraryImport(NativeLibraries.TurboJpegName)]
    public static partial byte* tjAlloc(int bytes);

    [LibraryImport(NativeLibraries.TurboJpegName)]
    public static partial byte* tjGetErrorStr2(nint handle);

    [LibraryImport(NativeLibraries.TurboJpegName)]
    public static partial int tjGetErrorCode(nint handle);

    /// <summary>The handle's last error message.</summary>
    public static string ErrorMessage(nint handle) => Marshal.PtrToStringUTF8((nint)tjGetErrorStr2(handle)) ?? "unknown TurboJPEG error";
}
