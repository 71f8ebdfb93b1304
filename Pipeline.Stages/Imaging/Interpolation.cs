namespace Pipeline.Stages.Imaging;

/// <summary>How a resize samples its source: MXNet's interpolation codes, which are OpenCV's for 0-4.</summary>
/// <remarks>
/// The values are MXNet's <c>interp</c> integers, so <c>(Interpolation)code</c> maps an MXNet code and <c>(int)value</c>
/// gives it back. Resizing itself takes <see cref="Nearest"/> to <see cref="Lanczos4"/>; <see cref="Auto"/> and
/// <see cref="Random"/> are resolved to one of those per image by <see cref="ImageOps.ResolveInterp"/>.
/// </remarks>
public enum Interpolation
{
    /// <summary>Nearest neighbour (0, OpenCV's <c>INTER_NEAREST</c>).</summary>
    Nearest = 0,

    /// <summary>Bilinear with half-pixel centres (1, <c>INTER_LINEAR</c>).</summary>
    Bilinear = 1,

    /// <summary>Bicubic, a = -0.75 (2, <c>INTER_CUBIC</c>).</summary>
    Bicubic = 2,

    /// <summary>Pixel-area averaging when shrinking, OpenCV's area-mode linear weights when enlarging (3, <c>INTER_AREA</c>).</summary>
    Area = 3,

    /// <summary>Lanczos over 8x8 neighbours (4, <c>INTER_LANCZOS4</c>).</summary>
    Lanczos4 = 4,

    /// <summary>MXNet's 9: picked from the sizes: <see cref="Bicubic"/> when enlarging both sides, <see cref="Area"/> when shrinking both, <see cref="Bilinear"/> otherwise, and <see cref="Bicubic"/> when the sizes are unknown.</summary>
    Auto = 9,

    /// <summary>MXNet's 10: one of <see cref="Nearest"/> to <see cref="Lanczos4"/>, drawn uniformly for each image.</summary>
    Random = 10,
}
