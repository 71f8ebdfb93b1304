using System.Buffers;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Pipeline.Core;
using Pipeline.Core.Batching;
using Pipeline.Stages.Dataflow;
using Pipeline.Stages.Imaging;

namespace Pipeline.Stages.ImagePipeline;

/// <summary>The image pipeline's main stage: decode, augment and lay out one record (run in parallel), and write finished samples into their batch (run in order).</summary>
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

    /// <summary>Decodes, augments and lays out one record (parallel part); the record's bytes are released here.</summary>
    public EpochMessage<ProcessedSample> Process(EpochMessage<RawImageRecord> message, int epoch, CancellationToken cancellationToken)
    {
        if (message.IsEndOfEpoch) return new EpochMessage<ProcessedSample>(null!, IsEndOfEpoch: true);
        RawImageRecord raw = message.Item;
        long start = Stopwatch.GetTimestamp();
        byte[]? sample = null;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            SampleLayout layout = Layout;
            SeededRandom rng = SeededRandom.For(_options.Seed, epoch, raw.Ordinal);
            NDArray image;
            bool augmented = false;
            try
            {
                ReadOnlySpan<byte> encoded = raw.Data.Span;
                if (_options.Augmenter is IDecodedPixelsAugmenter { AcceptsDecodedPixels: true } fused && _decode.Color && layout.Channels == 3)
                {
                    // Resize and crop straight from the decoder's pixel buffer: no full-size copy of the image.
                    image = ImageOps.DecodeRgb(encoded, _decode, (pixels, height, width) => fused.FromPixels(pixels, height, width, 3, rng));
                    augmented = true;
                }
                else if (layout.Channels == 4)
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
            }
            catch (ImageDecodeException error)
            {
                if (_options.CorruptRecords == CorruptRecordPolicy.Skip)
                {
                    _metrics.AddSkipped($"{raw.Source}: {error.Message}");
                    return new EpochMessage<ProcessedSample>(new ProcessedSample(null, raw.Label, raw.Id), IsEndOfEpoch: false);
                }

                throw new RecordFormatException($"Cannot decode the image of record {raw.Id} ({raw.Source}): {error.Message}", null, null, raw.Source, error);
            }

            if (!augmented && _options.Augmenter is { } augmenter) image = augmenter.Apply(image, rng);
            using (image)
            {
                sample = ArrayPool<byte>.Shared.Rent(layout.SampleBytes);
                layout.Write(image, rng, sample.AsSpan(0, layout.SampleBytes));
            }

            var processed = new ProcessedSample(sample, raw.Label, raw.Id);
            sample = null;
            return new EpochMessage<ProcessedSample>(processed, IsEndOfEpoch: false);
        }
        finally
        {
            if (sample is not null) ArrayPool<byte>.Shared.Return(sample);
            raw.Dispose();
            _metrics.Decode.AddItem(start);
        }
    }

    /// <summary>Copies a finished sample into the batch being assembled (ordered part); skipped records leave no row.</summary>
    public DataBatch? Write(ProcessedSample sample, BatchAssembler assembler)
    {
        if (sample.Data is null) return null;
        long start = Stopwatch.GetTimestamp();
        try
        {
            int sampleBytes = Layout.SampleBytes;
            sample.Data.AsSpan(0, sampleBytes).CopyTo(assembler.DataSlots(0, 1));
            if (sample.Label.Length * sizeof(float) != _labelBytes)
            {
                throw new RecordFormatException($"Record {sample.Id} has {sample.Label.Length} labels but LabelWidth is {_labelBytes / sizeof(float)}.");
            }

            MemoryMarshal.AsBytes(sample.Label.AsSpan()).CopyTo(assembler.LabelSlots(0, 1));
            assembler.IndexSlots(1)[0] = (long)sample.Id;
            return assembler.Commit(1);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(sample.Data);
            _metrics.Batch.AddItem(start);
        }
    }
}
