using System.Diagnostics;
using System.Runtime.InteropServices;
using Pipeline.Core;
using Pipeline.Core.Batching;
using Pipeline.Stages.Dataflow;
using Pipeline.Stages.Imaging;

namespace Pipeline.Stages.ImagePipeline;

/// <summary>The image pipeline's main stage: decode and augment one record (run in parallel), then lay each finished sample out into its batch row (run in order).</summary>
/// <remarks>
/// Each sample's randomness comes from <see cref="SeededRandom.For"/> of (seed, epoch, ordinal), so the
/// output does not depend on which worker ran it. Three decode paths: an augmenter that can start from the decoder's
/// own pixels gets them without a copy; a 4-channel layout decodes RGBA; everything else decodes to an image first.
/// </remarks>
internal sealed class SampleProcessor
{
    private readonly ImagePipelineOptions _options;
    private readonly PipelineMetrics _metrics;
    private readonly ImageDecodeOptions _decode;
    private readonly int _labelBytes;

    public SampleProcessor(ImagePipelineOptions options, PipelineMetrics metrics)
    {
        _options = options;
        _metrics = metrics;
        _decode = options.Decode with { Color = options.Layout.Channels == 3 };
        _labelBytes = options.LabelWidth * sizeof(float);
        Layout = options.Layout;
    }

    /// <summary>Gets or sets the sample layout; a layout prepared on first use (a computed mean image) replaces the initial one before any record flows.</summary>
    public SampleLayout Layout { get; set; }

    /// <summary>Decodes and augments one record (parallel part); the record's bytes are released here.</summary>
    /// <remarks>A record whose image cannot be decoded or processed (any <see cref="ImagingException"/>), or whose detection label does not parse, is skipped and counted under <see cref="CorruptRecordPolicy.Skip"/>, or fails the epoch naming the record.</remarks>
    public EpochMessage<ProcessedSample> Process(EpochMessage<RawImageRecord> message, int epoch, CancellationToken cancellationToken)
    {
        if (message.IsEndOfEpoch) return new EpochMessage<ProcessedSample>(null!, IsEndOfEpoch: true);
        RawImageRecord raw = message.Item;
        long start = Stopwatch.GetTimestamp();
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            SeededRandom rng = SeededRandom.For(_options.Seed, raw.Epoch ?? epoch, raw.Ordinal);
            NDArray image;
            float[] label = raw.Label;
            try
            {
                if (_options.Detection is { } detection)
                {
                    (image, label) = detection.Process(DecodeAndAugment(raw.Data.Span, rng, augment: false), raw.Label, rng);
                }
                else
                {
                    image = DecodeAndAugment(raw.Data.Span, rng, augment: true);
                }
            }
            catch (ImagingException error)
            {
                if (Failure(raw.Id, raw.Source, error, error is ImageDecodeException ? SkipReason.Decode : SkipReason.Augment) is { } failure) throw failure;
                return new EpochMessage<ProcessedSample>(new ProcessedSample(null, rng, raw.Label, raw.Id, raw.Source, raw.Next, raw.IsFiller), IsEndOfEpoch: false);
            }
            catch (FormatException error)
            {
                // A detection label that does not parse.
                var labels = new RecordFormatException($"Cannot parse the detection label of record {raw.Id} ({raw.Source}): {error.Message}", null, null, raw.Source, error);
                if (Failure(raw.Id, raw.Source, labels, SkipReason.Labels) is { } failure) throw failure;
                return new EpochMessage<ProcessedSample>(new ProcessedSample(null, rng, raw.Label, raw.Id, raw.Source, raw.Next, raw.IsFiller), IsEndOfEpoch: false);
            }

            return new EpochMessage<ProcessedSample>(new ProcessedSample(image, rng, label, raw.Id, raw.Source, raw.Next, raw.IsFiller), IsEndOfEpoch: false);
        }
        finally
        {
            raw.Dispose();
            _metrics.Decode.AddItem(start);
        }
    }

    /// <summary>Lays a finished sample out straight into its row of the batch being assembled (ordered part): no per-sample buffer, no copy; skipped records leave no row.</summary>
    /// <remarks>The layout draws (mirror, contrast, illumination) come from the sample's own generator after the augmenter's, so the order of stages does not change them.</remarks>
    public DataBatch? Write(ProcessedSample sample, BatchAssembler assembler)
    {
        if (sample.Image is not { } image) return null;
        if (sample.IsFiller && assembler.Filled == 0)
        {
            // The epoch's last batch came out full: no filler needed.
            image.Dispose();
            return null;
        }

        long start = Stopwatch.GetTimestamp();
        try
        {
            if (_options.Detection is { } detection)
            {
                // The label goes first: a sample whose boxes do not fit its row is refused before its pixels are laid out.
                if (detection.Write(sample.Label, MemoryMarshal.Cast<byte, float>(assembler.LabelSlots(0, 1))) is { } misfit)
                {
                    var labels = new RecordFormatException($"Record {sample.Id} ({sample.Source}) does not fit the label shape: {misfit}.", null, null, sample.Source);
                    if (Failure(sample.Id, sample.Source, labels, SkipReason.Labels) is { } failure) throw failure;
                    return null;
                }
            }
            else if (sample.Label.Length * sizeof(float) != _labelBytes)
            {
                var labels = new RecordFormatException($"Record {sample.Id} ({sample.Source}) has {sample.Label.Length} labels but LabelWidth is {_labelBytes / sizeof(float)}.");
                if (Failure(sample.Id, sample.Source, labels, SkipReason.Labels) is { } failure) throw failure;
                return null;
            }

            try
            {
                Layout.Write(image, sample.Rng, assembler.DataSlots(0, 1));
            }
            catch (ImagingException error)
            {
                // The slot was not committed: under Skip the next sample overwrites it.
                if (Failure(sample.Id, sample.Source, error, SkipReason.Augment) is { } failure) throw failure;
                return null;
            }

            if (_options.Detection is null) MemoryMarshal.AsBytes(sample.Label.AsSpan()).CopyTo(assembler.LabelSlots(0, 1));
            assembler.IndexSlots(1)[0] = (long)sample.Id;
            if (sample.IsFiller) return assembler.CommitFiller(1);
            DataBatch? batch = assembler.Commit(1);

            // The batch's position is the source's after its last sample: a state saved after it resumes there.
            if (batch is not null && sample.Next is { } next) batch.ResumeCursor = next;
            return batch;
        }
        finally
        {
            image.Dispose();
            _metrics.Batch.AddItem(start);
        }
    }

    /// <summary>Counts a record's failure as a skip under <see cref="CorruptRecordPolicy.Skip"/>; otherwise gives the error that fails the epoch, naming the record.</summary>
    private RecordFormatException? Failure(ulong id, string source, PipelineException error, SkipReason reason)
    {
        if (_options.CorruptRecords == CorruptRecordPolicy.Skip)
        {
            _metrics.AddSkipped(reason, $"{source}: {error.Message}");
            return null;
        }

        if (error is RecordFormatException record) return record;
        string what = error is ImageDecodeException ? "decode" : "process";
        return new RecordFormatException($"Cannot {what} the image of record {id} ({source}): {error.Message}", null, null, source, error);
    }

    /// <summary>The largest DCT scale (1/8, 1/4, 1/2) whose decoded size is still at least the augmenter's first resize in both axes, else full size.</summary>
    internal static int ScaleFor(ImageHeader header, IDecodedPixelsAugmenter augmenter)
    {
        (int width, int height) = augmenter.ResizeTarget(header.Width, header.Height);
        for (int scale = 8; scale >= 2; scale /= 2)
        {
            (int scaledWidth, int scaledHeight) = ImageCodec.ScaledSize(header, scale);
            if (scaledWidth >= width && scaledHeight >= height) return scale;
        }

        return 1;
    }

    private NDArray DecodeAndAugment(ReadOnlySpan<byte> encoded, Random rng, bool augment)
    {
        if (augment && _options.Augmenter is IDecodedPixelsAugmenter { AcceptsDecodedPixels: true } fused && _decode.Color && Layout.Channels == 3)
        {
            // Resize and crop straight from the decoder's pixel buffer: no full-size copy of the image. With scaled decode,
            // a JPEG arrives already reduced in the DCT domain, never below the augmenter's first resize.
            Func<ImageHeader, int>? scaleFor = _options.ScaledDecode ? header => ScaleFor(header, fused) : null;
            return ImageOps.DecodeRgb(
                encoded, _decode, scaleFor, (pixels, height, width, sourceHeight, sourceWidth) => fused.FromPixels(pixels, height, width, 3, rng, sourceHeight, sourceWidth));
        }

        NDArray image;
        if (Layout.Channels == 4)
        {
            image = ImageOps.DecodeUnchanged(encoded, _decode);
            if (image.GetLength(2) != 4)
            {
                int found = image.GetLength(2);
                image.Dispose();
                throw new ImageDecodeException($"Expected a 4-channel (RGBA) image, got {found} channels.");
            }
        }
        else
        {
            image = ImageOps.Decode(encoded, _decode);
        }

        return augment && _options.Augmenter is { } augmenter ? augmenter.Apply(image, rng) : image;
    }
}
