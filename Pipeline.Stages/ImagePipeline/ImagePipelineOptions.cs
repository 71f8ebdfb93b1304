using Microsoft.Extensions.Logging;
using Pipeline.Core;
using Pipeline.Stages.Imaging;

namespace Pipeline.Stages.ImagePipeline;

/// <summary>Everything an <see cref="ImagePipelineIter"/> needs: where images come from, how each becomes a sample, how samples become batches.</summary>
public sealed record ImagePipelineOptions
{
    /// <summary>Gets the read stage.</summary>
    public required ImageRecordSource Source { get; init; }

    /// <summary>Gets the final layout of a sample (shape, dtype, normalization, mirror).</summary>
    public required SampleLayout Layout { get; init; }

    /// <summary>Gets the augmentation applied after decoding, or <see langword="null"/> for none.</summary>
    public Augmenter? Augmenter { get; init; }

    /// <summary>Gets the examples per batch.</summary>
    public required int BatchSize { get; init; }

    /// <summary>Gets the labels per image: batches carry labels of (B,) for 1, (B, width) otherwise.</summary>
    public int LabelWidth { get; init; } = 1;

    /// <summary>Gets the last-batch policy.</summary>
    public LastBatchHandle LastBatchHandle { get; init; } = LastBatchHandle.Pad;

    /// <summary>Gets whether padding rows are zeros instead of the epoch's first samples.</summary>
    public bool ZeroFillPad { get; init; }

    /// <summary>Gets the decode/augment threads.</summary>
    public int Threads { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Gets how many batches are prepared ahead.</summary>
    public int Prefetch { get; init; } = 4;

    /// <summary>Gets the seed of augmentation randomness: each sample's generator derives from (it, epoch, ordinal).</summary>
    public long Seed { get; init; }

    /// <summary>Gets what happens to undecodable records.</summary>
    public CorruptRecordPolicy CorruptRecords { get; init; } = CorruptRecordPolicy.Throw;

    /// <summary>Gets how images are decoded (the channel count follows <see cref="Layout"/>).</summary>
    public ImageDecodeOptions Decode { get; init; } = ImageDecodeOptions.Default;

    /// <summary>Gets whether a JPEG whose augmentation starts by shrinking it to at most half its size is decoded at a reduced scale (1/2, 1/4 or 1/8, the smallest still at least the resize's size), like PIL's draft mode.</summary>
    /// <remarks>Off by default: the DCT-domain reduction changes pixels relative to MXNet, which decodes at full size and then resizes. It applies when the augmenter can start from decoded pixels (<c>ImageRecordIter</c>'s <c>aug_default</c> with <c>Resize</c> and no affine, pad or random-size crop).</remarks>
    public bool ScaledDecode { get; init; }

    /// <summary>Gets the name of the data input.</summary>
    public string DataName { get; init; } = "data";

    /// <summary>Gets the name of the label input.</summary>
    public string LabelName { get; init; } = "softmax_label";

    /// <summary>Gets where the iterator writes warnings: each record skipped under <c>CorruptRecordPolicy.Skip</c>, and once, a batch dropped without <c>Dispose()</c>.</summary>
    /// <remarks>Default <see langword="null"/>: silent. Not part of the options a saved state compares.</remarks>
    public ILogger? Logger { get; init; }

    /// <summary>Gets work deferred to first use that yields the final layout (MXNet computes a missing mean image from the data); it runs once, before the first record is decoded, and its time shows in <see cref="PipelineMetrics.Preparation"/>.</summary>
    internal Func<CancellationToken, Task<SampleLayout>>? PrepareLayout { get; init; }

    /// <summary>Gets the detection stage: box-aware augmentation and the label layout of <c>ImageDetRecordIter</c> and <c>ImageDetIter</c>; <see cref="Augmenter"/> is then not used.</summary>
    internal DetectionStage? Detection { get; init; }

    /// <summary>Gets the shape of one sample's label when it has more than one axis (detection's (objects, width)); its product must be <see cref="LabelWidth"/>.</summary>
    internal int[]? LabelShape { get; init; }

    /// <summary>Gets the kind of iterator an <see cref="IteratorState"/> of this pipeline records.</summary>
    internal IteratorKind StateKind { get; init; } = IteratorKind.ImagePipeline;

    /// <summary>Gets whether the source shuffles, as a state records it (a mismatch is then named).</summary>
    internal bool StateShuffle { get; init; }

    /// <summary>Gets the facade's options that change the stream (augmentation, shapes), as text a state's fingerprint hashes.</summary>
    internal string? StateOptions { get; init; }

    /// <summary>Checks every option without touching any file, so a configuration can be checked before anything is built; the constructors call it.</summary>
    /// <exception cref="ArgumentException">An option is missing, out of range or contradicts another; the message and <see cref="ArgumentException.ParamName"/> name it.</exception>
    /// <exception cref="DllNotFoundException"><see cref="ImageDecodeOptions.Codec"/> asks for the native codecs and they did not load.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Source, nameof(Source));
        ArgumentNullException.ThrowIfNull(Layout, nameof(Layout));
        if (Layout.Channels is not (1 or 3 or 4)) throw new ArgumentException($"Image pipelines decode to 1 (gray), 3 (RGB) or 4 (RGBA) channels; the layout asks for {Layout.Channels}.", nameof(Layout));
        if (BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be positive.");
        if (LabelWidth <= 0) throw new ArgumentOutOfRangeException(nameof(LabelWidth), LabelWidth, "LabelWidth must be positive.");
        if (LabelShape is { } shape && shape.Aggregate(1L, (a, b) => a * b) != LabelWidth) throw new ArgumentException($"The label shape {DataDesc.FormatTuple(shape)} does not hold LabelWidth = {LabelWidth} values.", nameof(LabelWidth));
        if (Threads <= 0) throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "Threads must be positive.");
        if (Prefetch <= 0) throw new ArgumentOutOfRangeException(nameof(Prefetch), Prefetch, "Prefetch must be positive.");
        if (!Enum.IsDefined(LastBatchHandle)) throw new ArgumentOutOfRangeException(nameof(LastBatchHandle), LastBatchHandle, "Unknown LastBatchHandle.");
        ArgumentNullException.ThrowIfNull(Decode, nameof(Decode));
        Decode.Validate();

        // A forced native codec that cannot load fails here, not on every record.
        ImageCodecs.Get(Decode.Codec);
    }
}
