using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Dataflow;
using Pipeline.Core;
using Pipeline.Stages.Blocks;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Iterators;

namespace Pipeline.Stages.Images;

/// <summary>An image iterator built from Dataflow blocks: read, decode + augment (parallel, ordered), batch into pooled NCHW buffers, bounded prefetch.</summary>
/// <remarks>
/// <para>Randomness is a pure function of (seed, epoch, sample ordinal): the same options give bit-identical
/// batches at any thread count or prefetch depth (DESIGN decision 3), and the output order is the source order
/// (decision 4). Memory is bounded by the queues: about <c>8 x threads</c> encoded images waiting for decode,
/// <c>4 x threads</c> finished samples, and <c>prefetch + 2</c> batches.</para>
/// <para>An undecodable record fails the epoch with a <see cref="RecordFormatException"/> naming it, or is skipped and
/// counted (<see cref="CorruptRecordPolicy.Skip"/>, see <see cref="Metrics"/>). <see cref="Metrics"/> shows which stage
/// is the bottleneck while iterating.</para>
/// </remarks>
public sealed class ImagePipelineIter : DataflowIter
{
    private readonly ImagePipelineOptions _options;
    private readonly BatchAssembler _assembler;
    private readonly ImageDecodeOptions _decode;
    private readonly int _sampleBytes;
    private readonly int _labelBytes;

    /// <summary>Builds the pipeline and starts prefetching the first epoch.</summary>
    /// <param name="options">The pipeline's parts.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public ImagePipelineIter(ImagePipelineOptions options)
        : base(CheckedBatchSize(options))
    {
        _options = options;
        SampleLayout layout = options.Layout;
        ProvideData = [new DataDesc(options.DataName, [options.BatchSize, layout.Channels, layout.Height, layout.Width], layout.DType)];
        ProvideLabel = [new DataDesc(options.LabelName, options.LabelWidth == 1 ? [options.BatchSize] : [options.BatchSize, options.LabelWidth])];
        _assembler = new BatchAssembler(ProvideData, ProvideLabel, options.LastBatchHandle) { ZeroFillPad = options.ZeroFillPad };
        _decode = options.Decode with { Color = layout.Channels == 3 };
        _sampleBytes = layout.SampleBytes;
        _labelBytes = options.LabelWidth * sizeof(float);
        Metrics = new PipelineMetrics(options.Threads);
        StartPrefetch();
    }

    /// <summary>Gets the live per-stage metrics.</summary>
    public PipelineMetrics Metrics { get; }

    /// <inheritdoc />
    public override IReadOnlyList<DataDesc> ProvideData { get; }

    /// <inheritdoc />
    public override IReadOnlyList<DataDesc> ProvideLabel { get; }

    /// <inheritdoc />
    public override async ValueTask<DataBatch?> NextAsync(CancellationToken cancellationToken = default)
    {
        long start = Stopwatch.GetTimestamp();
        DataBatch? batch = await base.NextAsync(cancellationToken).ConfigureAwait(false);
        Metrics.Consumer.AddWaitingInput(Stopwatch.GetTimestamp() - start);
        if (batch is not null) Metrics.Consumer.AddItem(Stopwatch.GetTimestamp());
        return batch;
    }

    /// <inheritdoc />
    protected override ISourceBlock<DataBatch> StartEpoch(int epoch, CancellationToken cancellationToken)
    {
        var decode = new TransformBlock<EpochMessage<RawImageRecord>, EpochMessage<ProcessedSample>>(
            message => Process(message, epoch, cancellationToken),
            new ExecutionDataflowBlockOptions
            {
                BoundedCapacity = _options.Threads * 8,
                MaxDegreeOfParallelism = _options.Threads,
                EnsureOrdered = true,
                SingleProducerConstrained = true,
                CancellationToken = cancellationToken,
            });
        IPropagatorBlock<EpochMessage<ProcessedSample>, DataBatch> batch = BatchBlock.Create<ProcessedSample>(_assembler, WriteSample, boundedCapacity: Math.Max(8, _options.Threads * 4), cancellationToken);
        decode.LinkTo(batch, new DataflowLinkOptions { PropagateCompletion = true });
        var prefetch = (BufferBlock<DataBatch>)Prefetched(batch, _options.Prefetch);
        Metrics.Read.QueueProbe = () => decode.InputCount;
        Metrics.Decode.QueueProbe = () => decode.OutputCount;
        Metrics.Batch.QueueProbe = () => prefetch.Count;
        EpochProducer.Start(decode, TimedRead(epoch, cancellationToken), cancellationToken);
        return prefetch;
    }

    /// <inheritdoc />
    protected override void OnReset(bool epochEnded)
    {
        if (!epochEnded) _assembler.Reset();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _assembler.Dispose();
            _options.Source.Dispose();
        }
    }

    private static int CheckedBatchSize(ImagePipelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options.BatchSize;
    }

    private async IAsyncEnumerable<RawImageRecord> TimedRead(int epoch, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        IAsyncEnumerator<RawImageRecord> records = _options.Source.ReadEpochAsync(epoch, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                long start = Stopwatch.GetTimestamp();
                if (!await records.MoveNextAsync().ConfigureAwait(false)) yield break;
                Metrics.Read.AddItem(start);
                long handOff = Stopwatch.GetTimestamp();
                yield return records.Current;

                // The producer resumes here once the decode stage accepted the record.
                Metrics.Read.AddWaitingOutput(Stopwatch.GetTimestamp() - handOff);
            }
        }
        finally
        {
            await records.DisposeAsync().ConfigureAwait(false);
        }
    }

    private EpochMessage<ProcessedSample> Process(EpochMessage<RawImageRecord> message, int epoch, CancellationToken cancellationToken)
    {
        if (message.IsEndOfEpoch) return new EpochMessage<ProcessedSample>(null!, IsEndOfEpoch: true);
        RawImageRecord raw = message.Item;
        long start = Stopwatch.GetTimestamp();
        byte[]? sample = null;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            SeededRandom rng = SeededRandom.For(_options.Seed, epoch, raw.Ordinal);
            NDArray image;
            bool augmented = false;
            try
            {
                if (_options.Augmenter is IDecodedPixelsAugmenter { AcceptsDecodedPixels: true } fused && _decode.Color && _options.Layout.Channels == 3)
                {
                    // Resize and crop straight from the decoder's pixel buffer: no full-size copy of the image.
                    image = ImageOps.DecodeRgb(raw.Buffer.AsSpan(0, raw.Length), _decode, (pixels, height, width) => fused.FromPixels(pixels, height, width, 3, rng));
                    augmented = true;
                }
                else if (_options.Layout.Channels == 4)
                {
                    image = ImageOps.DecodeUnchanged(raw.Buffer.AsSpan(0, raw.Length), _decode.MaxPixels);
                    if (image.GetLength(2) != 4)
                    {
                        int found = image.GetLength(2);
                        image.Dispose();
                        throw new ImageDecodeException($"Expected a 4-channel (RGBA) image, got {found} channels.");
                    }
                }
                else
                {
                    image = ImageOps.Decode(raw.Buffer.AsSpan(0, raw.Length), _decode);
                }
            }
            catch (ImageDecodeException error)
            {
                if (_options.CorruptRecords == CorruptRecordPolicy.Skip)
                {
                    Metrics.AddSkipped($"{raw.Source}: {error.Message}");
                    return new EpochMessage<ProcessedSample>(new ProcessedSample(null, raw.Label, raw.Id), IsEndOfEpoch: false);
                }

                throw new RecordFormatException($"Cannot decode the image of record {raw.Id} ({raw.Source}): {error.Message}", null, null, raw.Source, error);
            }

            if (!augmented && _options.Augmenter is { } augmenter) image = augmenter.Apply(image, rng);
            using (image)
            {
                sample = ArrayPool<byte>.Shared.Rent(_sampleBytes);
                _options.Layout.Write(image, rng, sample.AsSpan(0, _sampleBytes));
            }

            var processed = new ProcessedSample(sample, raw.Label, raw.Id);
            sample = null;
            return new EpochMessage<ProcessedSample>(processed, IsEndOfEpoch: false);
        }
        finally
        {
            if (sample is not null) ArrayPool<byte>.Shared.Return(sample);
            if (raw.Pooled) ArrayPool<byte>.Shared.Return(raw.Buffer);
            Metrics.Decode.AddItem(start);
        }
    }

    private DataBatch? WriteSample(ProcessedSample sample, BatchAssembler assembler)
    {
        if (sample.Data is null) return null;
        long start = Stopwatch.GetTimestamp();
        try
        {
            sample.Data.AsSpan(0, _sampleBytes).CopyTo(assembler.DataSlots(0, 1));
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
            Metrics.Batch.AddItem(start);
        }
    }
}
