namespace Pipeline.Stages.Imaging;

/// <summary>What <see cref="DefaultRecordAugmenter"/> reads: the values of MXNet's <c>aug_default</c> parameters, with the derived ones already computed.</summary>
/// <remarks>The augmenter's own settings, so that it does not depend on an iterator's options type; the record iterator builds them from its options.</remarks>
internal sealed record DefaultAugmenterSettings
{
    /// <summary>Gets the output height (the crop's).</summary>
    public required int OutputHeight { get; init; }

    /// <summary>Gets the output width (the crop's).</summary>
    public required int OutputWidth { get; init; }

    /// <summary>Gets the shorter-side resize applied first, or -1 for none.</summary>
    public int Resize { get; init; } = -1;

    /// <summary>Gets the colour of padding and rotation corners, 0-255.</summary>
    public int FillValue { get; init; } = 255;

    /// <summary>Gets the interpolation; <see cref="Interpolation.Auto"/> and <see cref="Interpolation.Random"/> are resolved at every resize.</summary>
    public Interpolation InterMethod { get; init; } = Interpolation.Bilinear;

    /// <summary>Gets whether the crop position is random (else centred).</summary>
    public bool RandCrop { get; init; }

    /// <summary>Gets the border padding in pixels added before cropping.</summary>
    public int Pad { get; init; }

    /// <summary>Gets whether the affine step runs (rotation, shear, scale, aspect or canvas limits in effect).</summary>
    public bool AffineActive { get; init; }

    /// <summary>Gets the largest random rotation in degrees.</summary>
    public int MaxRotateAngle { get; init; }

    /// <summary>Gets a fixed rotation in degrees, or -1 for none.</summary>
    public int Rotate { get; init; } = -1;

    /// <summary>Gets angles to pick one of at random, or <see langword="null"/>.</summary>
    public int[]? RotateList { get; init; }

    /// <summary>Gets the largest shear ratio.</summary>
    public float MaxShearRatio { get; init; }

    /// <summary>Gets the largest random scale of the affine step.</summary>
    public float MaxRandomScale { get; init; } = 1;

    /// <summary>Gets the smallest random scale of the affine step.</summary>
    public float MinRandomScale { get; init; } = 1;

    /// <summary>Gets the largest canvas side of the affine step.</summary>
    public float MaxImgSize { get; init; } = 1e10f;

    /// <summary>Gets the smallest canvas side of the affine step.</summary>
    public float MinImgSize { get; init; }

    /// <summary>Gets the aspect-ratio range in effect (for the affine step, or the random-resized crop).</summary>
    public (float Min, float Max) AspectRange { get; init; } = (1, 1);

    /// <summary>Gets whether to crop a random area and aspect ratio and resize it (Inception-style).</summary>
    public bool RandomResizedCrop { get; init; }

    /// <summary>Gets the largest area fraction for <see cref="RandomResizedCrop"/>.</summary>
    public float MaxRandomArea { get; init; } = 1;

    /// <summary>Gets the smallest area fraction for <see cref="RandomResizedCrop"/>.</summary>
    public float MinRandomArea { get; init; } = 1;

    /// <summary>Gets the largest square crop side, or -1.</summary>
    public int MaxCropSize { get; init; } = -1;

    /// <summary>Gets the smallest square crop side, or -1.</summary>
    public int MinCropSize { get; init; } = -1;

    /// <summary>Gets the brightness jitter strength.</summary>
    public float Brightness { get; init; }

    /// <summary>Gets the contrast jitter strength.</summary>
    public float Contrast { get; init; }

    /// <summary>Gets the saturation jitter strength.</summary>
    public float Saturation { get; init; }

    /// <summary>Gets the hue jitter in HLS units (0-180).</summary>
    public int RandomH { get; init; }

    /// <summary>Gets the saturation jitter in HLS units (0-255).</summary>
    public int RandomS { get; init; }

    /// <summary>Gets the lightness jitter in HLS units (0-255).</summary>
    public int RandomL { get; init; }

    /// <summary>Gets the PCA lighting noise standard deviation.</summary>
    public float PcaNoise { get; init; }
}
