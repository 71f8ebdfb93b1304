using System.Runtime.InteropServices;

namespace Pipeline.Stages.Imaging;

/// <summary>libpng's simplified API (png.h, <c>png_image</c>), resolved through <see cref="NativeLibraries"/>.</summary>
internal static unsafe partial class LibPng
{
    public const uint ImageVersion = 1;

    public const uint FormatFlagAlpha = 0x01;
    public const uint FormatFlagColor = 0x02;

    public const uint FormatGray = 0;
    public const uint FormatGrayAlpha = FormatFlagAlpha;
    public const uint FormatRgb = FormatFlagColor;
    public const uint FormatRgba = FormatFlagColor | FormatFlagAlpha;

    /// <summary>On write: zlib level 3 and no filtering, rather than libpng's default (level 6, adaptive filters).</summary>
    public const uint ImageFlagFast = 0x02;

    /// <summary>On read: 16-bit samples without gAMA or sRGB are sRGB-encoded, not linear, so reducing them to 8 bits does not apply a gamma curve.</summary>
    public const uint ImageFlag16BitSrgb = 0x04;

    /// <summary>What the codec calls: a library without these is treated as missing.</summary>
    public static readonly string[] RequiredExports =
        ["png_image_begin_read_from_memory", "png_image_finish_read", "png_image_free", "png_image_write_to_memory", "png_access_version_number"];

    [LibraryImport(NativeLibraries.LibPngName)]
    public static partial int png_image_begin_read_from_memory(PngImage* image, byte* memory, nuint size);

    [LibraryImport(NativeLibraries.LibPngName)]
    public static partial int png_image_finish_read(PngImage* image, void* background, byte* buffer, int rowStride, void* colormap);

    [LibraryImport(NativeLibraries.LibPngName)]
    public static partial void png_image_free(PngImage* image);

    [LibraryImport(NativeLibraries.LibPngName)]
    public static partial int png_image_write_to_memory(PngImage* image, byte* memory, nuint* memoryBytes, int convertTo8Bit, byte* buffer, int rowStride, void* colormap);

    [LibraryImport(NativeLibraries.LibPngName)]
    public static partial uint png_access_version_number();

    /// <summary>The <c>png_image</c> control structure.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PngImage
    {
        public nint Opaque;
        public uint Version;
        public uint Width;
        public uint Height;
        public uint Format;
        public uint Flags;
        public uint ColormapEntries;
        public uint WarningOrError;
        public fixed byte Message[64];

        /// <summary>The message libpng left, as text.</summary>
        public readonly string Text()
        {
            fixed (byte* message = Message) return Marshal.PtrToStringUTF8((nint)message) ?? "unknown libpng error";
        }
    }
}
