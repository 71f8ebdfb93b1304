namespace Pipeline.Stages.Imaging;

/// <summary>The parameters of MXNet's C++ <c>det_aug_default</c> that <c>ImageDetRecordIter</c> passes to <see cref="DefaultDetRecordAugmenter"/>.</summary>
internal sealed record DetRecordAugmenterSettings
{
    public required int OutputHeight { get; init; }

    public required int OutputWidth { get; init; }

    public int Resize { get; init; } = -1;

    public Interpolation InterMethod { get; init; } = Interpolation.Bilinear;

    public int MaxRandomHue { get; init; }

    public float RandomHueProb { get; init; }

    public int MaxRandomSaturation { get; init; }

    public float RandomSaturationProb { get; init; }

    public int MaxRandomIllumination { get; init; }

    public float RandomIlluminationProb { get; init; }

    public float MaxRandomContrast { get; init; }

    public float RandomContrastProb { get; init; }

    public float RandMirrorProb { get; init; }

    public float RandPadProb { get; init; }

    public float MaxPadScale { get; init; } = 1;

    public int FillValue { get; init; } = 127;

    public float RandCropProb { get; init; }

    public DetCropSampler[] Samplers { get; init; } = [];

    public CropEmitMode CropEmitMode { get; init; }

    public float EmitOverlapThresh { get; init; } = 0.3f;

    public DetResizeMode ResizeMode { get; init; }

    public override string ToString() =>
        string.Join(',', OutputHeight, OutputWidth, Resize, InterMethod, MaxRandomHue, RandomHueProb, MaxRandomSaturation, RandomSaturationProb, MaxRandomIllumination, RandomIlluminationProb,
            MaxRandomContrast, RandomContrastProb, RandMirrorProb, RandPadProb, MaxPadScale, FillValue, RandCropProb, string.Join(';', Samplers), CropEmitMode, EmitOverlapThresh, ResizeMode);
}
