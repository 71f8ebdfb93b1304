using Microsoft.Extensions.Logging;
using Pipeline.Core;
using Pipeline.Core.Storage;
using Pipeline.Stages.ImagePipeline;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Iterators.Internal;

namespace Pipeline.Stages.Iterators;

/// <summary>The options of <see cref="ImageDetRecordIter"/>: MXNet's <c>ImageDetRecordIter</c> parameters (the record parser's, <c>det_aug_default</c>'s and the normalizer's) in PascalCase, with MXNet's defaults.</summary>
/// <remarks>
/// <para>Defaults as MXNet: <see cref="LabelWidth"/> -1 (any), <see cref="LabelPadWidth"/> 0 (estimated), <see cref="LabelPadValue"/> -1,
/// <see cref="Resize"/> -1, <see cref="InterMethod"/> bilinear (1), <see cref="FillValue"/> 127, <see cref="ResizeMode"/> force,
/// <see cref="CropEmitMode"/> center, <see cref="EmitOverlapThresh"/> 0.3, one crop sampler with scales [0, 1], aspect ratio 1,
/// no overlap or coverage constraint and 25 trials; every probability 0.</para>
/// <para>A crop-sampler parameter holds one value per sampler, or one value for all (<see cref="NumCropSampler"/>).
/// Output is float32 (MXNet's <c>real_t</c>); MXNet's <c>mean_img</c> and <c>aug_seq</c> are not offered (only <c>det_aug_default</c> exists).</para>
/// </remarks>
public sealed record ImageDetRecordIterOptions
{
    /// <summary>Gets the <c>.rec</c> file (<c>path_imgrec</c>): a path or a URI.</summary>
    public required string PathImgRec { get; init; }

    /// <summary>Gets the <c>.idx</c> file: indexed reads, a global shuffle, count-based sharding (not in MXNet's <c>ImageDetRecordIter</c>; as <see cref="ImageRecordIterOptions.PathImgIdx"/>).</summary>
    public string? PathImgIdx { get; init; }

    /// <summary>Gets an image list whose labels (any width) override the records' (<c>path_imglist</c>), looked up by record id.</summary>
    public string? PathImgList { get; init; }

    /// <summary>Gets how remote paths are read; <see langword="null"/> for <see cref="StorageOptions.Default"/>.</summary>
    public StorageOptions? Storage { get; init; }

    /// <summary>Gets the output (channels, height, width); channels 1, 3 or 4 (<c>data_shape</c>).</summary>
    public required int[] DataShape { get; init; }

    /// <summary>Gets the examples per batch.</summary>
    public required int BatchSize { get; init; }

    /// <summary>Gets the raw label length every record must have, or -1 for any (<c>label_width</c>).</summary>
    public int LabelWidth { get; init; } = -1;

    /// <summary>Gets the raw label length the label rows hold (<c>label_pad_width</c>); 0 or -1 estimates it: the longest raw label of the list, or of the records (one pass over the record headers at construction, as MXNet).</summary>
    public int LabelPadWidth { get; init; }

    /// <summary>Gets the value that pads label rows (<c>label_pad_value</c>).</summary>
    public float LabelPadValue { get; init; } = -1;

    /// <summary>Gets the number of decode/augment threads (<c>preprocess_threads</c>).</summary>
    public int PreprocessThreads { get; init; } = 4;

    /// <summary>Gets how many batches are prepared ahead (<c>prefetch_buffer</c>).</summary>
    public int PrefetchBuffer { get; init; } = 4;

    /// <summary>Gets whether the last batch wraps to the start of the epoch (true) or is zero-filled; pad counts the filler either way.</summary>
    public bool RoundBatch { get; init; } = true;

    /// <summary>Gets whether to shuffle: globally every epoch with an index, else within chunks of records.</summary>
    public bool Shuffle { get; init; }

    /// <summary>Gets the size in MB of the chunks shuffled without an index (<c>shuffle_chunk_size</c>).</summary>
    public int ShuffleChunkSize { get; init; }

    /// <summary>Gets the shuffle seed.</summary>
    public int Seed { get; init; }

    /// <summary>Gets the augmentation seed; randomness derives from (it, epoch, ordinal). Defaults to <see cref="Seed"/>.</summary>
    public int? SeedAug { get; init; }

    /// <summary>Gets the number of parts (workers).</summary>
    public int NumParts { get; init; } = 1;

    /// <summary>Gets the part this iterator reads.</summary>
    public int PartIndex { get; init; }

    /// <summary>Gets the shorter-side resize applied first, or -1 for none.</summary>
    public int Resize { get; init; } = -1;

    /// <summary>Gets the probability of a random crop (<c>rand_crop_prob</c>).</summary>
    public float RandCropProb { get; init; }

    /// <summary>Gets the number of crop samplers (<c>num_crop_sampler</c>); 0 disables cropping.</summary>
    public int NumCropSampler { get; init; } = 1;

    /// <summary>Gets each sampler's smallest crop scale (the crop's area is scale² of the image).</summary>
    public float[] MinCropScales { get; init; } = [0f];

    /// <summary>Gets each sampler's largest crop scale.</summary>
    public float[] MaxCropScales { get; init; } = [1f];

    /// <summary>Gets each sampler's smallest crop aspect ratio (width / height).</summary>
    public float[] MinCropAspectRatios { get; init; } = [1f];

    /// <summary>Gets each sampler's largest crop aspect ratio.</summary>
    public float[] MaxCropAspectRatios { get; init; } = [1f];

    /// <summary>Gets each sampler's smallest IoU of crop and some object.</summary>
    public float[] MinCropOverlaps { get; init; } = [0f];

    /// <summary>Gets each sampler's largest IoU.</summary>
    public float[] MaxCropOverlaps { get; init; } = [1f];

    /// <summary>Gets each sampler's smallest intersection over the crop's area.</summary>
    public float[] MinCropSampleCoverages { get; init; } = [0f];

    /// <summary>Gets each sampler's largest intersection over the crop's area.</summary>
    public float[] MaxCropSampleCoverages { get; init; } = [1f];

    /// <summary>Gets each sampler's smallest intersection over the object's area.</summary>
    public float[] MinCropObjectCoverages { get; init; } = [0f];

    /// <summary>Gets each sampler's largest intersection over the object's area.</summary>
    public float[] MaxCropObjectCoverages { get; init; } = [1f];

    /// <summary>Gets each sampler's number of trials before the next sampler is tried.</summary>
    public int[] MaxCropTrials { get; init; } = [25];

    /// <summary>Gets which objects a crop keeps (<c>crop_emit_mode</c>).</summary>
    public CropEmitMode CropEmitMode { get; init; } = CropEmitMode.Center;

    /// <summary>Gets the least fraction of an object inside the crop that keeps it, in <see cref="CropEmitMode.Overlap"/> mode.</summary>
    public float EmitOverlapThresh { get; init; } = 0.3f;

    /// <summary>Gets the probability of a random pad (<c>rand_pad_prob</c>).</summary>
    public float RandPadProb { get; init; }

    /// <summary>Gets the largest pad scale (the canvas side as a multiple of the image's); pads below 1.05 are skipped, as MXNet.</summary>
    public float MaxPadScale { get; init; } = 1;

    /// <summary>Gets the largest hue shift in HLS units (0-180).</summary>
    public int MaxRandomHue { get; init; }

    /// <summary>Gets the probability of the hue shift.</summary>
    public float RandomHueProb { get; init; }

    /// <summary>Gets the largest saturation shift in HLS units (0-255).</summary>
    public int MaxRandomSaturation { get; init; }

    /// <summary>Gets the probability of the saturation shift.</summary>
    public float RandomSaturationProb { get; init; }

    /// <summary>Gets the largest lightness shift in HLS units (0-255).</summary>
    public int MaxRandomIllumination { get; init; }

    /// <summary>Gets the probability of the lightness shift.</summary>
    public float RandomIlluminationProb { get; init; }

    /// <summary>Gets the largest contrast change (pixels times 1 + c).</summary>
    public float MaxRandomContrast { get; init; }

    /// <summary>Gets the probability of the contrast change.</summary>
    public float RandomContrastProb { get; init; }

    /// <summary>Gets the probability of mirroring image and boxes.</summary>
    public float RandMirrorProb { get; init; }

    /// <summary>Gets the colour of padding.</summary>
    public int FillValue { get; init; } = 127;

    /// <summary>Gets the interpolation of every resize; <see cref="Interpolation.Auto"/> and <see cref="Interpolation.Random"/> are resolved per resize.</summary>
    public Interpolation InterMethod { get; init; } = Interpolation.Bilinear;

    /// <summary>Gets how the augmented image fits the data shape (<c>resize_mode</c>); shrink and fit leave the rest of the slot 0 and record the real size in the label row.</summary>
    public DetResizeMode ResizeMode { get; init; } = DetResizeMode.Force;

    /// <summary>Gets the red mean subtracted (with the others, when any is above 0).</summary>
    public float MeanR { get; init; }

    /// <summary>Gets the green mean.</summary>
    public float MeanG { get; init; }

    /// <summary>Gets the blue mean.</summary>
    public float MeanB { get; init; }

    /// <summary>Gets the alpha mean.</summary>
    public float MeanA { get; init; }

    /// <summary>Gets the red standard deviation divided by.</summary>
    public float StdR { get; init; } = 1;

    /// <summary>Gets the green standard deviation.</summary>
    public float StdG { get; init; } = 1;

    /// <summary>Gets the blue standard deviation.</summary>
    public float StdB { get; init; } = 1;

    /// <summary>Gets the alpha standard deviation.</summary>
    public float StdA { get; init; } = 1;

    /// <summary>Gets the factor applied last.</summary>
    public float Scale { get; init; } = 1;

    /// <summary>Gets what happens to a record whose image cannot be decoded or whose label does not parse: throw (default) or skip and count.</summary>
    public CorruptRecordPolicy CorruptRecords { get; init; } = CorruptRecordPolicy.Throw;

    /// <summary>Gets the name of the data input.</summary>
    public string DataName { get; init; } = "data";

    /// <summary>Gets the name of the label input.</summary>
    public string LabelName { get; init; } = "softmax_label";

    /// <summary>Gets where the iterator writes warnings: each record skipped under <c>CorruptRecordPolicy.Skip</c>, and once, a batch dropped without <c>Dispose()</c>.</summary>
    /// <remarks>Default <see langword="null"/>: silent. Not part of the options a saved state compares.</remarks>
    public ILogger? Logger { get; init; }

    /// <summary>Checks the options, as the constructor does.</summary>
    /// <exception cref="ArgumentException">An option is invalid or options contradict each other; the message names them.</exception>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(PathImgRec, nameof(PathImgRec));
        Storage?.Validate();
        OptionChecks.ImageShape(DataShape);
        OptionChecks.Positive(BatchSize, nameof(BatchSize));
        OptionChecks.Positive(PreprocessThreads, nameof(PreprocessThreads));
        OptionChecks.Positive(PrefetchBuffer, nameof(PrefetchBuffer));
        OptionChecks.Part(PartIndex, NumParts);
        if (ShuffleChunkSize < 0) throw new ArgumentOutOfRangeException(nameof(ShuffleChunkSize), ShuffleChunkSize, "ShuffleChunkSize must not be negative.");
        if (LabelWidth is 0 or < -1) throw new ArgumentOutOfRangeException(nameof(LabelWidth), LabelWidth, "LabelWidth is -1 (any) or a positive length.");
        if (LabelWidth is > 0 and < 2) throw new ArgumentOutOfRangeException(nameof(LabelWidth), LabelWidth, "A detection label holds at least its 2-value header.");
        if (LabelPadWidth < -1) throw new ArgumentOutOfRangeException(nameof(LabelPadWidth), LabelPadWidth, "LabelPadWidth is -1 or 0 (estimate) or a positive length.");
        if (LabelPadWidth > 0 && LabelWidth > LabelPadWidth) throw new ArgumentException($"LabelPadWidth ({LabelPadWidth}) is smaller than LabelWidth ({LabelWidth}).", nameof(LabelPadWidth));
        OptionChecks.ResizeInterpolationFill(Resize, InterMethod, FillValue);
        if (!Enum.IsDefined(CropEmitMode)) throw new ArgumentOutOfRangeException(nameof(CropEmitMode), CropEmitMode, "Unknown CropEmitMode.");
        if (!Enum.IsDefined(ResizeMode)) throw new ArgumentOutOfRangeException(nameof(ResizeMode), ResizeMode, "Unknown ResizeMode.");
        if (EmitOverlapThresh < 0) throw new ArgumentOutOfRangeException(nameof(EmitOverlapThresh), EmitOverlapThresh, "EmitOverlapThresh must not be negative.");
        if (MaxPadScale < 1) throw new ArgumentOutOfRangeException(nameof(MaxPadScale), MaxPadScale, "MaxPadScale must be at least 1.");
        if (NumCropSampler < 0) throw new ArgumentOutOfRangeException(nameof(NumCropSampler), NumCropSampler, "NumCropSampler must not be negative.");
        OptionChecks.Probability(RandCropProb, nameof(RandCropProb));
        OptionChecks.Probability(RandPadProb, nameof(RandPadProb));
        OptionChecks.Probability(RandMirrorProb, nameof(RandMirrorProb));
        OptionChecks.Probability(RandomHueProb, nameof(RandomHueProb));
        OptionChecks.Probability(RandomSaturationProb, nameof(RandomSaturationProb));
        OptionChecks.Probability(RandomIlluminationProb, nameof(RandomIlluminationProb));
        OptionChecks.Probability(RandomContrastProb, nameof(RandomContrastProb));
        if (DataShape[0] != 3 && (RandomHueProb > 0 || RandomSaturationProb > 0 || RandomIlluminationProb > 0)) throw new ArgumentException("Random hue, saturation and illumination need 3-channel images.", nameof(DataShape));
        _ = Samplers();
    }

    /// <summary>The crop samplers, each parameter broadcast or taken per sampler (MXNet's <c>ValidateCropParameters</c>), with MXNet's checks.</summary>
    internal DetCropSampler[] Samplers()
    {
        int n = NumCropSampler;
        var samplers = new DetCropSampler[n];
        for (int i = 0; i < n; i++)
        {
            samplers[i] = new DetCropSampler(
                At(MinCropScales, i, nameof(MinCropScales)), At(MaxCropScales, i, nameof(MaxCropScales)),
                At(MinCropAspectRatios, i, nameof(MinCropAspectRatios)), At(MaxCropAspectRatios, i, nameof(MaxCropAspectRatios)),
                At(MinCropOverlaps, i, nameof(MinCropOverlaps)), At(MaxCropOverlaps, i, nameof(MaxCropOverlaps)),
                At(MinCropSampleCoverages, i, nameof(MinCropSampleCoverages)), At(MaxCropSampleCoverages, i, nameof(MaxCropSampleCoverages)),
                At(MinCropObjectCoverages, i, nameof(MinCropObjectCoverages)), At(MaxCropObjectCoverages, i, nameof(MaxCropObjectCoverages)),
                At(MaxCropTrials, i, nameof(MaxCropTrials)));
            DetCropSampler s = samplers[i];
            if (s.MinScale < 0 || s.MaxScale > 1 || s.MaxScale <= s.MinScale) throw new ArgumentException($"Crop sampler {i}: scales must satisfy 0 <= MinCropScales ({s.MinScale}) < MaxCropScales ({s.MaxScale}) <= 1.", nameof(MinCropScales));
            if (s.MinAspectRatio < 0 || s.MaxAspectRatio < s.MinAspectRatio) throw new ArgumentException($"Crop sampler {i}: aspect ratios must satisfy 0 <= MinCropAspectRatios ({s.MinAspectRatio}) <= MaxCropAspectRatios ({s.MaxAspectRatio}).", nameof(MinCropAspectRatios));
            if (s.MaxOverlap < s.MinOverlap) throw new ArgumentException($"Crop sampler {i}: MaxCropOverlaps ({s.MaxOverlap}) is below MinCropOverlaps ({s.MinOverlap}).", nameof(MaxCropOverlaps));
            if (s.MaxSampleCoverage < s.MinSampleCoverage) throw new ArgumentException($"Crop sampler {i}: MaxCropSampleCoverages ({s.MaxSampleCoverage}) is below MinCropSampleCoverages ({s.MinSampleCoverage}).", nameof(MaxCropSampleCoverages));
            if (s.MaxObjectCoverage < s.MinObjectCoverage) throw new ArgumentException($"Crop sampler {i}: MaxCropObjectCoverages ({s.MaxObjectCoverage}) is below MinCropObjectCoverages ({s.MinObjectCoverage}).", nameof(MaxCropObjectCoverages));
            if (s.MaxTrials < 0) throw new ArgumentException($"Crop sampler {i}: MaxCropTrials ({s.MaxTrials}) must not be negative.", nameof(MaxCropTrials));
        }

        return samplers;
    }

    private T At<T>(T[] values, int i, string name)
    {
        if (values is null || values.Length == 0) throw new ArgumentException($"{name} needs one value, or one per crop sampler.", name);
        if (values.Length != 1 && values.Length != NumCropSampler) throw new ArgumentException($"{name} has {values.Length} values for {NumCropSampler} crop samplers; give 1 or {NumCropSampler}.", name);
        return values[values.Length == 1 ? 0 : i];
    }
}
