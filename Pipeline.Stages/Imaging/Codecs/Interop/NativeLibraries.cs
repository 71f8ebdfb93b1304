using System.Reflection;
using System.Runtime.InteropServices;

namespace Pipeline.Stages.Imaging;

/// <summary>
/// Finds the system's libjpeg-turbo (TurboJPEG API) and libpng for the <c>[LibraryImport]</c> declarations: a
/// <see cref="DllImportResolver"/> maps the logical names <see cref="TurboJpegName"/> and <see cref="LibPngName"/> to the
/// first file of each platform's list that loads, so a missing library is found out once, by <see cref="TryLoad"/>, and
/// never as a <see cref="DllNotFoundException"/> in the middle of a decode.
/// </summary>
internal static class NativeLibraries
{
    public const string TurboJpegName = "pipeline-turbojpeg";
    public const string LibPngName = "pipeline-libpng16";

    private static readonly Lock s_lock = new();
    private static readonly Dictionary<string, (nint Handle, string? File, string? Error)> s_loaded = new(StringComparer.Ordinal);
    private static bool s_registered;

    /// <summary>Loads the library behind a logical name (once) and checks that it exports <paramref name="requiredExports"/>.</summary>
    /// <param name="logicalName"><see cref="TurboJpegName"/> or <see cref="LibPngName"/>.</param>
    /// <param name="requiredExports">Entry points the codec calls; a library without them (an older version) counts as missing.</param>
    /// <param name="file">The file that loaded.</param>
    /// <param name="error">Why nothing loaded: the files tried.</param>
    /// <returns>Whether the library is usable.</returns>
    public static bool TryLoad(string logicalName, ReadOnlySpan<string> requiredExports, out string? file, out string? error)
    {
        lock (s_lock)
        {
            if (!s_registered)
            {
                NativeLibrary.SetDllImportResolver(typeof(NativeLibraries).Assembly, Resolve);
                s_registered = true;
            }

            if (!s_loaded.TryGetValue(logicalName, out var entry))
            {
                entry = Load(logicalName, requiredExports);
                s_loaded[logicalName] = entry;
            }

            (file, error) = (entry.File, entry.Error);
            return entry.Handle != 0;
        }
    }

    /// <summary>The file names tried, in order, on this platform.</summary>
    public static string[] Candidates(string logicalName)
    {
        bool jpeg = logicalName == TurboJpegName;
        if (OperatingSystem.IsWindows()) return jpeg ? ["turbojpeg.dll", "libturbojpeg.dll"] : ["libpng16.dll", "libpng16-16.dll", "png16.dll"];
        if (OperatingSystem.IsMacOS())
        {
            // Homebrew's prefixes are not on the loader's default path.
            return jpeg
                ? ["libturbojpeg.0.dylib", "libturbojpeg.dylib", "/opt/homebrew/opt/jpeg-turbo/lib/libturbojpeg.0.dylib", "/usr/local/opt/jpeg-turbo/lib/libturbojpeg.0.dylib"]
                : ["libpng16.16.dylib", "libpng16.dylib", "/opt/homebrew/opt/libpng/lib/libpng16.16.dylib", "/usr/local/opt/libpng/lib/libpng16.16.dylib"];
        }

        return jpeg ? ["libturbojpeg.so.0", "libturbojpeg.so"] : ["libpng16.so.16", "libpng16.so"];
    }

    private static (nint Handle, string? File, string? Error) Load(string logicalName, ReadOnlySpan<string> requiredExports)
    {
        string[] candidates = Candidates(logicalName);
        foreach (string candidate in candidates)
        {
            if (!NativeLibrary.TryLoad(candidate, typeof(NativeLibraries).Assembly, DllImportSearchPath.SafeDirectories | DllImportSearchPath.AssemblyDirectory, out nint handle)) continue;
            foreach (string export in requiredExports)
            {
                if (!NativeLibrary.TryGetExport(handle, export, out _)) return (0, null, $"{candidate} loaded but does not export {export} (too old)");
            }

            return (handle, candidate, null);
        }

        return (0, null, $"none of {string.Join(", ", candidates)} could be loaded");
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        lock (s_lock)
        {
            // Only names TryLoad resolved; the codecs are never built without it, and other imports keep the default probing.
            return s_loaded.TryGetValue(libraryName, out var entry) ? entry.Handle : 0;
        }
    }
}
