using Microsoft.Extensions.Logging;
using Pipeline.Core;
using Pipeline.Core.Storage;
using Pipeline.Stages.Imaging;

using Pipeline.Stages.ImagePipeline;
using Pipeline.Stages.Iterators.Internal;

namespace Pipeline.Stages.Iterators;

/// <summary>The options of <see cref="ImageIter"/>, named after MXNet's Python <c>mx.image.ImageIter</c> parameters, plus <c>CreateAugmenter</c>'s.</summary>
/// <remarks>Defaults as MXNet: label width 1, no shuffle, one part, pad the last batch, bicubic interpolation (2).</remarks>
public sealed record ImageIterOptions
{
    /// <summary>Gets the examples per batch.</summary>
    public required int BatchSize { get; init; }

    /// <summary>Gets the output (3, height, width).</summary>
    public required int[] DataShape { get; init; }

    /// <summary>Gets the labels per image.</summary>
    public int LabelWidth { get; init; } = 1;

    /// <summary>Gets the <c>.rec</c> file, or <see langword="null"/>.</summary>
    public string? PathImgRec { get; init; }

    /// <summary>Gets the <c>.idx</c> file (needed with a <c>.rec</c> to shuffle or split into parts), or <see langword="null"/>.</summary>
    public string? PathImgIdx { get; init; }

    /// <summary>Gets an image list (<c>index \t labels \t path</c>), or <see langword="null"/>.</summary>
    public string? PathImgList { get; init; }

    /// <summary>Gets how remote paths (<c>s3://</c>, <c>http(s)://</c>) are read: timeouts, retries, read-ahead, S3 endpoint and credentials; <see langword="null"/> for <see cref="StorageOptions.Default"/> (the AWS environment).</summary>
    public StorageOptions? Storage { get; init; }

    /// <summary>Gets the folder the list's paths are relative to.</summary>
    public string? PathRoot { get; init; }

    /// <summary>Gets an in-memory list of (labels, path) entries; ids are 1, 2, ... in order.</summary>
    public IReadOnlyList<(float[] Label, string Path)>? ImgList { get; init; }

    /// <summary>Gets whether each epoch visits the images in a new order derived from <see cref="Seed"/> and the epoch.</summary>
    public bool Shuffle { get; init; }

    /// <summary>Gets the part this iterator reads.</summary>
    public int PartIndex { get; init; }

    /// <summary>Gets the number of parts.</summary>
    public int NumParts { get; init; } = 1;

    /// <summary>Gets the augmenters; when set, the <c>CreateAugmenter</c> options below are not used.</summary>
    public IReadOnlyList<Augmenter>? AugList { get; init; }

    /// <summary>Gets <c>CreateAugmenter</c>'s resize.</summary>
    public int Resize { get; init; }

    /// <summary>Gets <c>CreateAugmenter</c>'s rand_crop.</summary>
    public bool RandCrop { get; init; }

    /// <summary>Gets <c>CreateAugmenter</c>'s rand_resize.</summary>
    public bool RandResize { get; init; }

    /// <summary>Gets <c>CreateAugmenter</c>'s rand_mirror.</summary>
    public bool RandMirror { get; init; }

    /// <summary>Gets <c>CreateAugmenter</c>'s mean (see <see cref="Augmenters.ImageNetMean"/>).</summary>
    public float[]? Mean { get; init; }

    /// <summary>Gets <c>CreateAugmenter</c>'s std (see <see cref="Augmenters.ImageNetStd"/>).</summary>
    public float[]? Std { get; init; }

    /// <summary>Gets <c>CreateAugmenter</c>'s brightness.</summary>
    public float Brightness { get; init; }

    /// <summary>Gets <c>CreateAugmenter</c>'s contrast.</summary>
    public float Contrast { get; init; }

    /// <summary>Gets <c>CreateAugmenter</c>'s saturation.</summary>
    public float Saturation { get; init; }

    /// <summary>Gets <c>CreateAugmenter</c>'s hue.</summary>
    public float Hue { get; init; }

    /// <summary>Gets <c>CreateAugmenter</c>'s pca_noise.</summary>
    public float PcaNoise { get; init; }

    /// <summary>Gets <c>CreateAugmenter</c>'s rand_gray.</summary>
    public float RandGray { get; init; }

    /// <summary>Gets <c>CreateAugmenter</c>'s inter_method (MXNet's codes are the <see cref="Interpolation"/> values).</summary>
    public Interpolation InterMethod { get; init; } = Interpolation.Bicubic;

    /// <summary>Gets the label type MXNet accepts (float32, int32, int64, float64); labels are delivered as float32, as MXNet does.</summary>
    public DType DType { get; init; } = DType.Float32;

    /// <summary>Gets the last-batch policy.</summary>
    public LastBatchHandle LastBatchHandle { get; init; } = LastBatchHandle.Pad;

    /// <summary>Gets the seed of shuffling and augmentation.</summary>
    public int Seed { get; init; }

    /// <summary>Gets the decode/augment threads.</summary>
    public int PreprocessThreads { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Gets how many batches are prepared ahead.</summary>
    public int PrefetchBuffer { get; init; } = 4;

    /// <summary>Gets what happens to undecodable images.</summary>
    public CorruptRecordPolicy CorruptRecords { get; init; } = CorruptRecordPolicy.Throw;

    /// <summary>Gets the name of the data input.</summary>
    public string DataName { get; init; } = "data";

    /// <summary>Gets the name of the label input.</summary>
    public string LabelName { get; init; } = "softmax_label";

    /// <summary>Gets where the iterator writes warnings: each record skipped under <c>CorruptRecordPolicy.Skip</c>, and once, a batch dropped without <c>Dispose()</c>.</summary>
    /// <remarks>Default <see langword="null"/>: silent. Not part of the options a saved state compares.</remarks>
    public ILogger? Logger { get; init; }

    /// <summary>Checks every option without touching any file, so a configuration can be checked before anything is built; the constructors call it.</summary>
    /// <exception cref="ArgumentException">An option is missing, out of range or contradicts another; the message and <see cref="ArgumentException.ParamName"/> name it.</exception>
    public void Validate()
    {
        Storage?.Validate();
        if (PathImgRec is null && PathImgList is null && ImgList is null) throw new ArgumentException("Give PathImgRec, PathImgList or ImgList.", nameof(PathImgRec));
        OptionChecks.ThreeChannelShape(DataShape, "ImageIter");
        OptionChecks.Positive(BatchSize, nameof(BatchSize));
        OptionChecks.Positive(LabelWidth, nameof(LabelWidth));
        OptionChecks.Part(PartIndex, NumParts);
        if (DType is not (DType.Float32 or DType.Int32 or DType.Int64 or DType.Float64)) throw new ArgumentOutOfRangeException(nameof(DType), DType, $"{DType.ToNumPyName()} label not supported.");
        if (!Enum.IsDefined(LastBatchHandle)) throw new ArgumentOutOfRangeException(nameof(LastBatchHandle), LastBatchHandle, "Unknown LastBatchHandle.");
        if (PathImgRec is not null && PathImgIdx is null && (Shuffle || NumParts > 1)) throw new ArgumentException("Shuffling or splitting a .rec needs its .idx (PathImgIdx).", nameof(PathImgIdx));
        if (PathImgRec is null && PathRoot is null && PathImgList is not null) throw new ArgumentException("PathRoot is required with PathImgList.", nameof(PathRoot));
    }
}
