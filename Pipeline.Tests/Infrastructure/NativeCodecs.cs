using Pipeline.Stages.Imaging;

namespace Pipeline.Tests.Infrastructure;

/// <summary>
/// The one gate for tests that need the system's libjpeg-turbo and libpng: <see cref="NativeFactAttribute"/> and
/// <see cref="NativeTheoryAttribute"/> skip them on a developer machine without the libraries, but never on CI
/// (<c>CI=true</c>), where <see cref="Require"/> then fails them with what did not load.
/// </summary>
internal static class NativeCodecs
{
    public static bool OnCi => Environment.GetEnvironmentVariable("CI") is { } ci && (ci.Equals("true", StringComparison.OrdinalIgnoreCase) || ci == "1");

    public static bool Available => ImageCodecs.Native is { } native && native.CanDecode(ImageFormat.Jpeg) && native.CanDecode(ImageFormat.Png);

    /// <summary>Why a native test is skipped here, or null to run it (libraries present, or on CI).</summary>
    public static string? SkipReason => Available || OnCi
        ? null
        : $"libturbojpeg/libpng16 are not installed ({ImageCodecs.Description}); on CI (CI=true) this test fails instead.";

    /// <summary>The native codec; fails the test, naming what is missing, when it did not load.</summary>
    public static ImageCodec Require()
    {
        Assert.True(Available, $"The native codecs are required (apt-get install libturbojpeg0 libpng16-16): {ImageCodecs.Description}");
        return ImageCodecs.Native!;
    }
}

/// <summary>A fact that needs the native codecs (see <see cref="NativeCodecs"/>).</summary>
public sealed class NativeFactAttribute : FactAttribute
{
    public NativeFactAttribute() => Skip = NativeCodecs.SkipReason;
}

/// <summary>A theory that needs the native codecs (see <see cref="NativeCodecs"/>).</summary>
public sealed class NativeTheoryAttribute : TheoryAttribute
{
    public NativeTheoryAttribute() => Skip = NativeCodecs.SkipReason;
}
