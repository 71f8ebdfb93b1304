using Microsoft.Extensions.Logging;
using Pipeline.Core;
using Pipeline.Core.Storage;
using Pipeline.Stages.ImagePipeline;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Iterators.Internal;

namespace Pipeline.Stages.Iterators;

/// <summary>The options of <see cref="ImageDetIter"/>, named after MXNet's Python <c>mx.image.ImageDetIter</c> parameters, plus <c>CreateDetAugmenter</c>'s.</summary>
/// <remarks>Defaults as MXNet: no shuffle, one part, pad the last batch, label name <c>label</c>, bicubic interpolation (2), crop
/// constraints <c>min_object_covered</c> 0.1, aspect ratios (0.75, 1.33), areas (0.05, 3.0), ejection 0.3, 50 attempts, pad colour 127.</remarks>
public sealed record ImageDetIterOptions
{
    /// <summary>Gets the examples per batch.</summary>
    public required int BatchSize { get; init; }

    /// <summary>Gets the output (3, height, width).</summary>
    public required int[] DataShape { get; init; }

    /// <summary>Gets the <c>.rec</c> file (labels packed with <c>im2rec --pack-label</c>), or <see langword="null"/>.</summary>
    public string? PathImgRec { get; init; }

    /// <summary>Gets the <c>.idx</c> file (needed with a <c>.rec</c> to shuffle or split into parts), or <see langword="null"/>.</summary>
    public string? PathImgIdx { get; init; }

    /// <summary>Gets an image list (<c>index \t raw label... \t path</c>), or <see langword="null"/>.</summary>
    public string? PathImgList { get; init; }

    /// <summary>Gets how remote paths are read; <see langword="null"/> for <see cref="StorageOptions.Default"/>.</summary>
    public StorageOptions? Storage { get; init; }

    /// <summary>Gets the folder the list's paths are relative to.</summary>
    public string? PathRoot { get; init; }

    /// <summary>Gets an in-memory list of (raw label, path) entries; ids are 1, 2, ... in order.</summary>
    public IReadOnlyList<(float[] Label, string Path)>? ImgList { get; init; }

    /// <summary>Gets whether each epoch visits the images in a new order derived from <see cref="Seed"/> and the epoch.</summary>
    public bool Shuffle { get; init; }

    /// <summary>Gets the part this iterator reads.</summary>
    public int PartIndex { get; init; }

    /// <summary>Gets the number of parts.</summary>
    public int NumParts { get; init; } = 1;

    /// <summary>Gets the augmenters; when set, the <c>CreateDetAugmenter</c> options below are not used.</summary>
    public IReadOnlyList<DetAugmenter>? AugList { get; init; }

    /// <summary>Gets <c>CreateDetAugmenter</c>'s resize.</summary>
    public int Resize { get; init; }

    /// <summary>Gets <c>CreateDetAugmenter</c>'s rand_crop (a probability).</summary>
    public float RandCrop { get; init; }

    /// <summary>Gets <c>CreateDetAugmenter</c>'s rand_pad (a probability).</summary>
    public float RandPad { get; init; }

    /// <summary>Gets <c>CreateDetAugmenter</c>'s rand_gray.</summary>
    public float RandGray { get; init; }

    /// <summary>Gets <c>CreateDetAugmenter</c>'s rand_mirror.</summary>
    public bool RandMirror { get; init; }

    /// <summary>Gets <c>CreateDetAugmenter</c>'s mean (see <see cref="Augmenters.ImageNetMean"/>).</summary>
    public float[]? Mean { get; init; }

    /// <summary>Gets <c>CreateDetAugmenter</c>'s std (see <see cref="Augmenters.ImageNetStd"/>).</summary>
    public float[]? Std { get; init; }

    /// <summary>Gets <c>CreateDetAugmenter</c>'s brightness.</summary>
    public float Brightness { get; init; }

    /// <summary>Gets <c>CreateDetAugmenter</c>'s contrast.</summary>
    public float Contrast { get; init; }

    /// <summary>Gets <c>CreateDetAugmenter</c>'s saturation.</summary>
    public float Saturation { get; init; }

    /// <summary>Gets <c>CreateDetAugmenter</c>'s pca_noise.</summary>
    public float PcaNoise { get; init; }

    /// <summary>Gets <c>CreateDetAugmenter</c>'s hue.</summary>
    public float Hue { get; init; }

    /// <summary>Gets <c>CreateDetAugmenter</c>'s inter_method.</summary>
    public Interpolation InterMethod { get; init; } = Interpolation.Bicubic;

    /// <summary>Gets <c>CreateDetAugmenter</c>'s min_object_covered: one value per crop sampler.</summary>
    public float[] MinObjectCovered { get; init; } = [0.1f];

    /// <summary>Gets <c>CreateDetAugmenter</c>'s aspect_ratio_range.</summary>
    public (float Min, float Max) AspectRatioRange { get; init; } = (0.75f, 1.33f);

    /// <summary>Gets <c>CreateDetAugmenter</c>'s area_range.</summary>
    public (float Min, float Max) AreaRange { get; init; } = (0.05f, 3.0f);

    /// <summary>Gets <c>CreateDetAugmenter</c>'s min_eject_coverage.</summary>
    public float MinEjectCoverage { get; init; } = 0.3f;

    /// <summary>Gets <c>CreateDetAugmenter</c>'s max_attempts.</summary>
    public int MaxAttempts { get; init; } = 50;

    /// <summary>Gets <c>CreateDetAugmenter</c>'s pad_val.</summary>
    public float[] PadVal { get; init; } = [127, 127, 127];

    /// <summary>Gets the last-batch policy.</summary>
    public LastBatchHandle LastBatchHandle { get; init; } = LastBatchHandle.Pad;

    /// <summary>Gets the seed of shuffling and augmentation.</summary>
    public int Seed { get; init; }

    /// <summary>Gets the decode/augment threads.</summary>
    public int PreprocessThreads { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Gets how many batches are prepared ahead.</summary>
    public int PrefetchBuffer { get; init; } = 4;

    /// <summary>Gets what happens to undecodable images and labels that do not parse.</summary>
    public CorruptRecordPolicy CorruptRecords { get; init; } = CorruptRecordPolicy.Throw;

    /// <summary>Gets the name of the data input.</summary>
    public string DataName { get; init; } = "data";

    /// <summary>Gets the name of the label input (MXNet's <c>ImageDetIter</c> default <c>label</c>).</summary>
    public string LabelName { get; init; } = "label";

    /// <summary>Gets where the iterator writes warnings: each record skipped under <c>CorruptRecordPolicy.Skip</c>, and once, a batch dropped without <c>Dispose()</c>.</summary>
    /// <remarks>Default <see langword="null"/>: silent. Not part of the options a saved state compares.</remarks>
    public ILogger? Logger { get; init; }

    /// <summary>Checks the options, as the constructor does.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public void Validate()
    {
        Storage?.Validate();
        if (PathImgRec is null && PathImgList is null && ImgList is null) throw new ArgumentException("Give PathImgRec, PathImgList or ImgList.", nameof(PathImgRec));
        OptionChecks.ThreeChannelShape(DataShape, "ImageDetIter");
        OptionChecks.Positive(BatchSize, nameof(BatchSize));
        OptionChecks.Part(PartIndex, NumParts);
        if (!Enum.IsDefined(LastBatchHandle)) throw new ArgumentOutOfRangeException(nameof(LastBatchHandle), LastBatchHandle, "Unknown LastBatchHandle.");
        if (PathImgRec is not null && PathImgIdx is null && (Shuffle || NumParts > 1)) throw new ArgumentException("Shuffling or splitting a .rec needs its .idx (PathImgIdx).", nameof(PathImgIdx));
        if (PathImgRec is null && PathRoot is null && PathImgList is not null) throw new ArgumentException("PathRoot is required with PathImgList.", nameof(PathRoot));
        OptionChecks.Positive(PreprocessThreads, nameof(PreprocessThreads));
        OptionChecks.Positive(PrefetchBuffer, nameof(PrefetchBuffer));
        if (AugList is null) _ = Augmenters();
    }

    /// <summary>The augmenters: <see cref="AugList"/>, or <c>CreateDetAugmenter</c>'s from the options.</summary>
    internal IReadOnlyList<DetAugmenter> Augmenters() => AugList ?? DetAugmenters.Create(
        DataShape, Resize, RandCrop, RandPad, RandGray, RandMirror, Mean, Std, Brightness, Contrast, Saturation, PcaNoise, Hue, InterMethod,
        MinObjectCovered, AspectRatioRange, AreaRange, MinEjectCoverage, MaxAttempts, PadVal);
}
