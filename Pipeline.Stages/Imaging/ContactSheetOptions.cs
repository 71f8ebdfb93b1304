namespace Pipeline.Stages.Imaging;

/// <summary>How <see cref="ContactSheet"/> lays out and converts a batch.</summary>
/// <remarks>Defaults: 8 columns, layout inferred from the shape, labels drawn, no de-normalization (float data whose values are all
/// within [0, 1] is scaled by 255).</remarks>
public sealed record ContactSheetOptions
{
    /// <summary>Gets the default options.</summary>
    public static ContactSheetOptions Default { get; } = new();

    /// <summary>Gets the number of tiles per row.</summary>
    public int Columns { get; init; } = 8;

    /// <summary>Gets the data's layout, <c>NCHW</c> or <c>NHWC</c>; <see langword="null"/> infers it (channels of 1, 3 or 4 on axis 1 is NCHW, else on axis 3 NHWC).</summary>
    public string? Layout { get; init; }

    /// <summary>Gets the per-channel mean the iterator subtracted (<c>MeanR/G/B</c>), added back: pixel = value x std + mean.</summary>
    public float[]? Mean { get; init; }

    /// <summary>Gets the per-channel standard deviation the iterator divided by (<c>StdR/G/B</c>), multiplied back.</summary>
    public float[]? Std { get; init; }

    /// <summary>Gets whether each tile's first label is drawn above it.</summary>
    public bool Labels { get; init; } = true;

    /// <summary>Gets the detection label layout whose boxes and class ids are drawn on each tile (<see cref="BoxDrawing"/>); with boxes no caption is drawn.</summary>
    public DetectionBoxes Boxes { get; init; }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Columns, nameof(Columns));
        if (!Enum.IsDefined(Boxes)) throw new ArgumentOutOfRangeException(nameof(Boxes), Boxes, "Unknown DetectionBoxes.");
        if (Layout is not (null or "NCHW" or "NHWC")) throw new ArgumentException($"Layout must be NCHW or NHWC; got '{Layout}'.", nameof(Layout));
        if (Mean is { Length: not (1 or 3 or 4) }) throw new ArgumentException($"Mean has {Mean.Length} values; give 1 or one per channel.", nameof(Mean));
        if (Std is { Length: not (1 or 3 or 4) }) throw new ArgumentException($"Std has {Std.Length} values; give 1 or one per channel.", nameof(Std));
    }
}
