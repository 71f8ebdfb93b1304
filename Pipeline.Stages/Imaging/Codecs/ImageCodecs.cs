using System.Runtime.CompilerServices;

namespace Pipeline.Stages.Imaging;

/// <summary>The codecs: <see cref="Default"/> (what <see cref="ImageOps"/> uses), <see cref="Native"/> (libjpeg-turbo's TurboJPEG and libpng, when installed) and <see cref="Managed"/> (ImageSharp).</summary>
/// <remarks>
/// <para>
/// The native codecs are the system's libraries, loaded once, on first use, through <see cref="System.Runtime.InteropServices.NativeLibrary"/>:
/// <c>libturbojpeg.so.0</c> and <c>libpng16.so.16</c> on Linux (Debian/Ubuntu: <c>apt-get install libturbojpeg0 libpng16-16</c>),
/// <c>turbojpeg.dll</c> and <c>libpng16.dll</c> on Windows, <c>libturbojpeg.dylib</c> and <c>libpng16.16.dylib</c> on macOS.
/// They are what MXNet decodes with (through OpenCV): their pixels equal <c>cv2.imdecode</c>'s, and JPEG decodes faster.
/// Without them ImageSharp decodes JPEG and PNG, within a few levels of OpenCV at sharp colour edges.
/// </para>
/// <para>
/// On the native path no ImageSharp type is ever loaded, so an application that references a newer ImageSharp than
/// this library's can still decode, augment and pack JPEG and PNG. BMP and GIF always go through ImageSharp.
/// </para>
/// </remarks>
public static class ImageCodecs
{
    private static readonly NativeCodec? s_native;
    private static readonly string s_nativeError;
    private static readonly DefaultCodec s_default;
    private static readonly DefaultCodec? s_nativeRequired;
    private static ImageCodec? s_managed;

#pragma warning disable CA1810 // One load decides four fields; the order matters.
    static ImageCodecs()
#pragma warning restore CA1810
    {
        s_native = NativeCodec.TryCreate(out string? jpegError, out string? pngError);
        s_nativeError = string.Join("; ", new[] { jpegError is null ? null : $"libturbojpeg: {jpegError}", pngError is null ? null : $"libpng: {pngError}" }.OfType<string>());
        s_default = new DefaultCodec(s_native, requireNative: false, s_nativeError);
        s_nativeRequired = s_native is null ? null : new DefaultCodec(s_native, requireNative: true, s_nativeError);
    }

    /// <summary>Gets the codec <see cref="ImageOps"/> uses by default (<see cref="CodecPreference.Auto"/>): native for JPEG and PNG when the libraries load, ImageSharp otherwise and for BMP and GIF.</summary>
    public static ImageCodec Default => s_default;

    /// <summary>Gets the managed codec (ImageSharp): JPEG, PNG, BMP, GIF (first frame); encodes JPEG, PNG and BMP.</summary>
    public static ImageCodec Managed => s_managed ?? CreateManaged();

    /// <summary>Gets the native codec (TurboJPEG for JPEG, libpng for PNG, whichever loaded), or <see langword="null"/> when neither library loads.</summary>
    public static ImageCodec? Native => s_native;

    /// <summary>Gets one line saying what serves JPEG and PNG (and, when a native library is missing, why), for logs.</summary>
    public static string Description => s_default.Name;

    /// <summary>Gets the codec for a preference.</summary>
    /// <param name="preference">Auto, Native or Managed.</param>
    /// <returns><see cref="Default"/>, <see cref="Managed"/>, or for <see cref="CodecPreference.Native"/> a codec that decodes JPEG and PNG only natively (BMP and GIF with ImageSharp).</returns>
    /// <exception cref="DllNotFoundException"><see cref="CodecPreference.Native"/> and neither native library loads (a JPEG or PNG whose own library is missing fails the same way when decoded).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="preference"/> is undefined.</exception>
    public static ImageCodec Get(CodecPreference preference) => Resolve(preference, s_default, s_nativeRequired, s_nativeError);

    /// <summary>The choice itself, with the codecs passed in so that tests can play a machine without the libraries.</summary>
    internal static ImageCodec Resolve(CodecPreference preference, ImageCodec automatic, ImageCodec? nativeRequired, string nativeError) => preference switch
    {
        CodecPreference.Auto => automatic,
        CodecPreference.Managed => Managed,
        CodecPreference.Native => nativeRequired ?? throw new DllNotFoundException($"ImageDecodeOptions.Codec is CodecPreference.Native but no native codec loaded ({nativeError}); install libturbojpeg0 and libpng16-16 (Debian/Ubuntu) or use CodecPreference.Auto."),
        _ => throw new ArgumentOutOfRangeException(nameof(preference), preference, "Unknown CodecPreference; use Auto, Native or Managed."),
    };

    /// <summary>The only place that names the ImageSharp codec: kept out of line so that compiling the callers never loads ImageSharp.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ImageCodec CreateManaged()
    {
        ImageCodec created = new ImageSharpCodec();
        return Interlocked.CompareExchange(ref s_managed, created, null) ?? created;
    }
}
