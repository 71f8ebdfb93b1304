namespace Pipeline.Stages.Imaging;

/// <summary>How <see cref="ImageOps.CopyMakeBorder(Core.NDArray, int, int, int, int, BorderType, float)"/> fills a border: OpenCV's <c>BorderTypes</c> codes, which MXNet passes through.</summary>
/// <remarks>The patterns show a row <c>abc</c> padded on both sides.</remarks>
public enum BorderType
{
    /// <summary>A constant value, <c>vvv|abc|vvv</c> (0, <c>BORDER_CONSTANT</c>).</summary>
    Constant = 0,

    /// <summary>The edge pixel repeated, <c>aaa|abc|ccc</c> (1, <c>BORDER_REPLICATE</c>).</summary>
    Replicate = 1,

    /// <summary>Mirrored including the edge, <c>cba|abc|cba</c> (2, <c>BORDER_REFLECT</c>).</summary>
    Reflect = 2,

    /// <summary>Wrapped around, <c>abc|abc|abc</c> (3, <c>BORDER_WRAP</c>).</summary>
    Wrap = 3,

    /// <summary>Mirrored about the edge pixel, <c>cb|abc|ba</c> (4, <c>BORDER_REFLECT_101</c>).</summary>
    Reflect101 = 4,
}
