using Microsoft.Extensions.Logging;
using Pipeline.Core;
using Pipeline.Core.Storage;
using Pipeline.Stages.Imaging;

using Pipeline.Stages.ImagePipeline;
using Pipeline.Stages.Iterators.Internal;

namespace Pipeline.Stages.Iterators;

/// <summary>The options of <see cref="ImageRecordIter"/>: every parameter of MXNet's <c>ImageRecordIter</c>, in PascalCase, with MXNet's defaults.</summary>
/// <remarks>
/// Defaults as MXNet: <see cref="Resize"/> -1 (off), <see cref="InterMethod"/> <see cref="Interpolation.Bilinear"/> (1), <see cref="FillValue"/> 255,
/// <see cref="RoundBatch"/> true, <see cref="PrefetchBuffer"/> 4, <see cref="PreprocessThreads"/> 4, <see cref="StdR"/> 1,
/// <see cref="Scale"/> 1, <see cref="LabelWidth"/> 1, one part. Contradictory options fail in <c>Validate</c> with a message
/// naming them (MXNet silently ignores unknown ones; a C# record cannot have those).
/// </remarks>
public sealed record ImageRecordIterOptions
{
    /// <summary>Gets the <c>.rec</c> file (<c>path_imgrec</c>): a path or a URI (<c>s3://bucket/key</c>, <c>http(s)://</c>, <c>file://</c>).</summary>
    public required string PathImgRec { get; init; }

    /// <summary>Gets the <c>.idx</c> file (<c>path_imgidx</c>): indexed reads, a global shuffle, count-based sharding.</summary>
    public string? PathImgIdx { get; init; }

    /// <summary>Gets an image list whose labels override the records' (<c>path_imglist</c>), looked up by record id.</summary>
    public string? PathImgList { get; init; }

    /// <summary>Gets how remote paths (<c>s3://</c>, <c>http(s)://</c>) are read: timeouts, retries, read-ahead, S3 endpoint and credentials; <see langword="null"/> for <see cref="StorageOptions.Default"/> (the AWS environment).</summary>
    public StorageOptions? Storage { get; init; }

    /// <summary>Gets the output (channels, height, width); channels 1, 3 or 4 (<c>data_shape</c>).</summary>
    public required int[] DataShape { get; init; }

    /// <summary>Gets the examples per batch.</summary>
    public required int BatchSize { get; init; }

    /// <summary>Gets the labels per image (<c>label_width</c>).</summary>
    public int LabelWidth { get; init; } = 1;

    /// <summary>Gets the number of decode/augment threads (<c>preprocess_threads</c>).</summary>
    public int PreprocessThreads { get; init; } = 4;

    /// <summary>Gets how many batches are prepared ahead (<c>prefetch_buffer</c>).</summary>
    public int PrefetchBuffer { get; init; } = 4;

    /// <summary>Gets whether the last batch wraps to the start of the epoch (true) or is zero-filled; pad counts the filler either way.</summary>
    public bool RoundBatch { get; init; } = true;

    /// <summary>Gets whether to shuffle: globally every epoch with an index, else within chunks of records (<see cref="ShuffleChunkSize"/> MB, or 8 MB).</summary>
    public bool Shuffle { get; init; }

    /// <summary>Gets the size in MB of the chunks shuffled without an index (<c>shuffle_chunk_size</c>); 0 means MXNet's 8 MB reading chunk. Like MXNet, a non-zero value shuffles chunks even without <see cref="Shuffle"/>.</summary>
    public int ShuffleChunkSize { get; init; }

    /// <summary>Gets the shuffle seed.</summary>
    public int Seed { get; init; }

    /// <summary>Gets the augmentation seed (<c>seed_aug</c>); augmentation randomness derives from (it, epoch, ordinal). Defaults to <see cref="Seed"/>.</summary>
    public int? SeedAug { get; init; }

    /// <summary>Gets the number of parts (workers).</summary>
    public int NumParts { get; init; } = 1;

    /// <summary>Gets the part this iterator reads.</summary>
    public int PartIndex { get; init; }

    /// <summary>Gets the output element type: float32, uint8 (no normalization) or int8 (mean only).</summary>
    public DType DType { get; init; } = DType.Float32;

    /// <summary>Gets the shorter-side resize applied first, or -1 for none.</summary>
    public int Resize { get; init; } = -1;

    /// <summary>Gets whether the crop position is random (else centred).</summary>
    public bool RandCrop { get; init; }

    /// <summary>Gets whether to crop a random area and aspect ratio and resize it (Inception-style).</summary>
    public bool RandomResizedCrop { get; init; }

    /// <summary>Gets the largest random rotation in degrees.</summary>
    public int MaxRotateAngle { get; init; }

    /// <summary>Gets a fixed rotation in degrees, or -1 for none.</summary>
    public int Rotate { get; init; } = -1;

    /// <summary>Gets angles to pick one of at random, or <see langword="null"/>.</summary>
    public int[]? RotateList { get; init; }

    /// <summary>Gets the aspect-ratio jitter: the range is [1 - it, 1 + it] unless <see cref="MinAspectRatio"/> is set.</summary>
    public float MaxAspectRatio { get; init; }

    /// <summary>Gets the lower aspect ratio; with it the range is [it, <see cref="MaxAspectRatio"/>].</summary>
    public float? MinAspectRatio { get; init; }

    /// <summary>Gets the largest shear ratio.</summary>
    public float MaxShearRatio { get; init; }

    /// <summary>Gets the largest square crop side, or -1.</summary>
    public int MaxCropSize { get; init; } = -1;

    /// <summary>Gets the smallest square crop side, or -1.</summary>
    public int MinCropSize { get; init; } = -1;

    /// <summary>Gets the largest random scale of the affine step.</summary>
    public float MaxRandomScale { get; init; } = 1;

    /// <summary>Gets the smallest random scale of the affine step.</summary>
    public float MinRandomScale { get; init; } = 1;

    /// <summary>Gets the largest area fraction for <see cref="RandomResizedCrop"/>.</summary>
    public float MaxRandomArea { get; init; } = 1;

    /// <summary>Gets the smallest area fraction for <see cref="RandomResizedCrop"/>.</summary>
    public float MinRandomArea { get; init; } = 1;

    /// <summary>Gets the largest canvas side of the affine step.</summary>
    public float MaxImgSize { get; init; } = 1e10f;

    /// <summary>Gets the smallest canvas side of the affine step.</summary>
    public float MinImgSize { get; init; }

    /// <summary>Gets the brightness jitter strength.</summary>
    public float Brightness { get; init; }

    /// <summary>Gets the contrast jitter strength.</summary>
    public float Contrast { get; init; }

    /// <summary>Gets the saturation jitter strength.</summary>
    public float Saturation { get; init; }

    /// <summary>Gets the PCA lighting noise standard deviation.</summary>
    public float PcaNoise { get; init; }

    /// <summary>Gets the hue jitter in HLS units (0-180).</summary>
    public int RandomH { get; init; }

    /// <summary>Gets the saturation jitter in HLS units (0-255).</summary>
    public int RandomS { get; init; }

    /// <summary>Gets the lightness jitter in HLS units (0-255).</summary>
    public int RandomL { get; init; }

    /// <summary>Gets the border padding in pixels added before cropping.</summary>
    public int Pad { get; init; }

    /// <summary>Gets the colour of padding and rotation corners.</summary>
    public int FillValue { get; init; } = 255;

    /// <summary>Gets the interpolation (<c>inter_method</c>; MXNet's codes are the <see cref="Interpolation"/> values): any of them, <see cref="Interpolation.Auto"/> and <see cref="Interpolation.Random"/> being resolved at every resize.</summary>
    public Interpolation InterMethod { get; init; } = Interpolation.Bilinear;

    /// <summary>Gets whether every image is mirrored.</summary>
    public bool Mirror { get; init; }

    /// <summary>Gets whether images are mirrored with probability 0.5.</summary>
    public bool RandMirror { get; init; }

    /// <summary>Gets the per-channel means (R, G, B, A) subtracted for float32 and int8 output.</summary>
    public float MeanR { get; init; }

    /// <summary>Gets the green mean.</summary>
    public float MeanG { get; init; }

    /// <summary>Gets the blue mean.</summary>
    public float MeanB { get; init; }

    /// <summary>Gets the alpha mean.</summary>
    public float MeanA { get; init; }

    /// <summary>Gets the red standard deviation (float32 output).</summary>
    public float StdR { get; init; } = 1;

    /// <summary>Gets the green standard deviation.</summary>
    public float StdG { get; init; } = 1;

    /// <summary>Gets the blue standard deviation.</summary>
    public float StdB { get; init; } = 1;

    /// <summary>Gets the alpha standard deviation.</summary>
    public float StdA { get; init; } = 1;

    /// <summary>Gets the factor applied after mean subtraction (float32 output).</summary>
    public float Scale { get; init; } = 1;

    /// <summary>Gets the random contrast of the normalization step.</summary>
    public float MaxRandomContrast { get; init; }

    /// <summary>Gets the random illumination of the normalization step.</summary>
    public float MaxRandomIllumination { get; init; }

    /// <summary>Gets a mean image file (<c>mean_img</c>): in MXNet's NDArray file format (<c>mx.nd.save(path, {'mean_img': array})</c>, see <see cref="NDArrayFile"/>), one float32 array of shape (C, H, W); a raw float32 dump is refused. When the file is missing it is computed with a pass over this part (the average of the outputs normalized without it, as MXNet does) and saved. Ignored for uint8 output.</summary>
    public string? MeanImg { get; init; }

    /// <summary>Gets what happens to a record whose image cannot be decoded: throw (default) or skip and count.</summary>
    public CorruptRecordPolicy CorruptRecords { get; init; } = CorruptRecordPolicy.Throw;

    /// <summary>Gets whether JPEGs are decoded at a reduced DCT scale when <see cref="Resize"/> shrinks them to at most half (see <see cref="ImagePipelineOptions.ScaledDecode"/>).</summary>
    /// <remarks>Not an MXNet parameter. Off by default, since it changes pixels relative to MXNet's full-size decode.</remarks>
    public bool ScaledDecode { get; init; }

    /// <summary>Gets the name of the data input.</summary>
    public string DataName { get; init; } = "data";

    /// <summary>Gets the name of the label input.</summary>
    public string LabelName { get; init; } = "softmax_label";

    /// <summary>Gets where the iterator writes warnings: each record skipped under <c>CorruptRecordPolicy.Skip</c>, and once, a batch dropped without <c>Dispose()</c>.</summary>
    /// <remarks>Default <see langword="null"/>: silent. Not part of the options a saved state compares.</remarks>
    public ILogger? Logger { get; init; }

    /// <summary>Gets the aspect-ratio range in effect.</summary>
    internal (float Min, float Max) AspectRange => MinAspectRatio is { } min ? (min, MaxAspectRatio) : (1 - MaxAspectRatio, 1 + MaxAspectRatio);

    internal bool AffineActive =>
        MaxRotateAngle > 0 || MaxShearRatio > 0 || Rotate > 0 || RotateList is { Length: > 0 } || MaxRandomScale != 1 || MinRandomScale != 1
        || (!RandomResizedCrop && AspectRange != (1f, 1f)) || MaxImgSize != 1e10f || MinImgSize != 0;

    /// <summary>Checks every option without touching any file, so a configuration can be checked before anything is built; the constructors call it.</summary>
    /// <exception cref="ArgumentException">An option is missing, out of range or contradicts another; the message and <see cref="ArgumentException.ParamName"/> name it.</exception>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(PathImgRec, nameof(PathImgRec));
        Storage?.Validate();
        OptionChecks.ImageShape(DataShape);
        OptionChecks.Positive(BatchSize, nameof(BatchSize));
        OptionChecks.Positive(LabelWidth, nameof(LabelWidth));
        OptionChecks.Positive(PreprocessThreads, nameof(PreprocessThreads));
        OptionChecks.Positive(PrefetchBuffer, nameof(PrefetchBuffer));
        OptionChecks.Part(PartIndex, NumParts);
        if (ShuffleChunkSize < 0) throw new ArgumentOutOfRangeException(nameof(ShuffleChunkSize), ShuffleChunkSize, "ShuffleChunkSize must not be negative.");
        if (DType is not (DType.Float32 or DType.UInt8 or DType.Int8)) throw new ArgumentOutOfRangeException(nameof(DType), DType, $"ImageRecordIter outputs float32, uint8 or int8, not {DType.ToNumPyName()}.");
        OptionChecks.ResizeInterpolationFill(Resize, InterMethod, FillValue);
        if (Pad < 0) throw new ArgumentOutOfRangeException(nameof(Pad), Pad, "Pad must not be negative.");
        if (MaxCropSize != -1 || MinCropSize != -1)
        {
            if (MaxCropSize < MinCropSize || MinCropSize <= 0) throw new ArgumentException($"MinCropSize ({MinCropSize}) and MaxCropSize ({MaxCropSize}) must both be set, positive and in order.", nameof(MaxCropSize));
        }

        if (RandomResizedCrop)
        {
            if (MinRandomScale != 1 || MaxRandomScale != 1 || MaxCropSize != -1 || MinCropSize != -1 || RandCrop)
            {
                throw new ArgumentException("RandomResizedCrop conflicts with MinRandomScale/MaxRandomScale, MinCropSize/MaxCropSize and RandCrop.", nameof(RandomResizedCrop));
            }

            (float min, float max) = AspectRange;
            if (min <= 0 || min > max) throw new ArgumentException($"The aspect-ratio range [{min}, {max}] is invalid; set MinAspectRatio > 0 and MaxAspectRatio >= it.", nameof(MinAspectRatio));
            if (MinRandomArea > MaxRandomArea || MinRandomArea <= 0) throw new ArgumentException($"MinRandomArea ({MinRandomArea}) must be positive and at most MaxRandomArea ({MaxRandomArea}).", nameof(MinRandomArea));
        }
        else if (MinAspectRatio is { } min && min > MaxAspectRatio)
        {
            throw new ArgumentException($"MinAspectRatio ({min}) is above MaxAspectRatio ({MaxAspectRatio}); set both.", nameof(MinAspectRatio));
        }

        if (DataShape[0] != 3 && (Contrast > 0 || Saturation > 0 || PcaNoise > 0 || RandomH != 0 || RandomS != 0 || RandomL != 0))
        {
            throw new ArgumentException("Contrast, Saturation, PcaNoise and RandomH/S/L need 3-channel images.", nameof(DataShape));
        }

    }
}
