using System.Runtime.InteropServices;
using Pipeline.Core;
using Pipeline.Stages.Images;

namespace Pipeline.Stages.Iterators;

/// <summary>Batches of decoded, augmented images from a RecordIO file, as MXNet's <c>mx.io.ImageRecordIter</c>, built from Dataflow blocks.</summary>
/// <remarks>
/// <para>Records are read in file order (sharded by byte range like dmlc-core), or through the <c>.idx</c> (sharded by
/// count, globally shuffled per epoch); each is decoded and augmented with MXNet's <c>aug_default</c> on
/// <see cref="ImageRecordIterOptions.PreprocessThreads"/> threads, then mirrored, normalized and written into a
/// pooled NCHW batch. Output order is the source order; randomness is a pure function of (seed, epoch, ordinal).</para>
/// <para>Differences from MXNet (DESIGN decisions 1-7): the last batch's pad is always the true filler count and
/// wraps to the start of the epoch (or is zero-filled with <c>RoundBatch = false</c>); <c>Reset</c> always
/// starts the next epoch from its beginning; <c>seed_aug</c> seeds by record ordinal, not by slot; a corrupt image
/// fails with the record named, or is skipped and counted. Output images are RGB, as MXNet's.</para>
/// </remarks>
public sealed class ImageRecordIter : DelegatingIter
{

    /// <summary>Opens the record file and starts prefetching.</summary>
    /// <param name="options">The options; a snapshot is kept.</param>
    /// <exception cref="ArgumentException">An option is invalid or options contradict each other; the message names them.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="RecordFormatException">The index or image list is malformed.</exception>
    public ImageRecordIter(ImageRecordIterOptions options)
        : base(new ImagePipelineIter(BuildPipeline(Validated(options))))
    {
        Options = options with { DataShape = [.. options.DataShape] };
    }

    /// <summary>Gets the options in effect.</summary>
    public ImageRecordIterOptions Options { get; }

    /// <summary>Gets the live per-stage metrics (items/s, busy and waiting time, queues, skipped records).</summary>
    public PipelineMetrics Metrics => ((ImagePipelineIter)Inner).Metrics;

    private static ImageRecordIterOptions Validated(ImageRecordIterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.DataShape[0] == 4) throw new ArgumentException("4-channel (RGBA) output is not supported; use 1 or 3 channels.", nameof(options));
        return options with { DataShape = [.. options.DataShape] };
    }

    private static ImagePipelineOptions BuildPipeline(ImageRecordIterOptions o)
    {
        Dictionary<ulong, float[]>? list = o.PathImgList is null
            ? null
            : LabelResolver.ParseList(o.PathImgList, o.LabelWidth).ToDictionary(e => e.Key, e => e.Value.Labels);
        var labels = new LabelResolver(o.LabelWidth, list, o.PathImgList);
        ImageRecordSource source = o.PathImgIdx is not null
            ? new IndexedRecordSource(o.PathImgIdx, o.PathImgRec, o.PartIndex, o.NumParts, o.Shuffle, o.Seed, labels)
            : new RecordFileSource(o.PathImgRec, o.PartIndex, o.NumParts, labels, o.Shuffle ? o.ShuffleChunkSize : 0, o.Seed);
        int channels = o.DataShape[0];
        float[] means = [o.MeanR, o.MeanG, o.MeanB];
        float[] stds = [o.StdR, o.StdG, o.StdB];
        var layout = new SampleLayout
        {
            Channels = channels,
            Height = o.DataShape[1],
            Width = o.DataShape[2],
            DType = o.DType,
            Mean = means[..channels],
            Std = stds[..channels],
            Scale = o.Scale,
            Mirror = o.Mirror,
            RandMirror = o.RandMirror,
            MaxRandomContrast = o.MaxRandomContrast,
            MaxRandomIllumination = o.MaxRandomIllumination,
            MeanImage = o.MeanImg is null ? null : ReadMeanImage(o.MeanImg, channels * o.DataShape[1] * o.DataShape[2]),
        };
        return new ImagePipelineOptions
        {
            Source = source,
            Layout = layout,
            Augmenter = new DefaultRecordAugmenter(o),
            BatchSize = o.BatchSize,
            LabelWidth = o.LabelWidth,
            LastBatchHandle = LastBatchHandle.Pad,
            ZeroFillPad = !o.RoundBatch,
            Threads = o.PreprocessThreads,
            Prefetch = o.PrefetchBuffer,
            Seed = o.SeedAug ?? o.Seed,
            CorruptRecords = o.CorruptRecords,
            DataName = o.DataName,
            LabelName = o.LabelName,
        };
    }

    /// <summary>Reads a mean image stored as raw little-endian float32 values in (C, H, W) order.</summary>
    private static float[] ReadMeanImage(string path, int count)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length != count * sizeof(float))
        {
            throw new RecordFormatException($"Mean image '{path}' holds {bytes.Length} bytes; the data shape needs {count} float32 values ({count * sizeof(float)} bytes).", path, null);
        }

        return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }
}
