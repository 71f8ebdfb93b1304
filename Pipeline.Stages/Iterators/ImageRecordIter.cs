using System.Runtime.InteropServices;
using Pipeline.Core;
using Pipeline.Core.Storage;
using Pipeline.Stages.ImagePipeline;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Iterators.Internal;

namespace Pipeline.Stages.Iterators;

/// <summary>Batches of decoded, augmented images from a RecordIO file, as MXNet's <c>mx.io.ImageRecordIter</c>, built from Dataflow blocks.</summary>
/// <remarks>
/// <para>Records are read in file order (sharded by byte range like dmlc-core), or through the <c>.idx</c> (sharded by
/// count, globally shuffled per epoch); each is decoded and augmented with MXNet's <c>aug_default</c> on
/// <see cref="ImageRecordIterOptions.PreprocessThreads"/> threads, then mirrored, normalized and written into a
/// pooled NCHW batch. Output order is the source order; randomness is a pure function of (seed, epoch, ordinal).</para>
/// <para>Differences from MXNet (see <c>docs/architecture.md</c>): the last batch's pad is always the true filler count and
/// wraps to the start of the epoch (or is zero-filled with <c>RoundBatch = false</c>); <c>Reset</c> always
/// starts the next epoch from its beginning; <c>seed_aug</c> seeds by record ordinal, not by slot; a corrupt image
/// fails with the record named, or is skipped and counted. Output images are RGB, as MXNet's.</para>
/// </remarks>
public sealed class ImageRecordIter : ImagePipelineIter
{
    /// <summary>Opens the record file and starts prefetching.</summary>
    /// <param name="options">The options; a snapshot is kept.</param>
    /// <exception cref="ArgumentException">An option is invalid or options contradict each other; the message names them.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="RecordFormatException">The index is malformed.</exception>
    /// <exception cref="DataFormatException">The image list or the mean image is malformed.</exception>
    /// <remarks>A <see cref="ImageRecordIterOptions.MeanImg"/> that does not exist yet is computed (one pass over this part) and saved on first use, not here; its time shows in <see cref="PipelineMetrics.Preparation"/>.</remarks>
    public ImageRecordIter(ImageRecordIterOptions options)
        : base(BuildPipeline(Validated(options)))
    {
        Options = options with { DataShape = [.. options.DataShape] };
    }

    /// <summary>Gets the options in effect.</summary>
    public ImageRecordIterOptions Options { get; }

    private static ImageRecordIterOptions Validated(ImageRecordIterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options with { DataShape = [.. options.DataShape] };
    }

    private static ImagePipelineOptions BuildPipeline(ImageRecordIterOptions o)
    {
        StorageOptions storage = o.Storage ?? StorageOptions.Default;
        OptionFiles.Require(o.PathImgRec, nameof(o.PathImgRec));
        OptionFiles.Require(o.PathImgIdx, nameof(o.PathImgIdx));
        OptionFiles.Require(o.PathImgList, nameof(o.PathImgList));
        LabelResolver labels = o.PathImgList is null ? new LabelResolver(o.LabelWidth, null, null) : LabelResolver.FromList(o.LabelWidth, o.PathImgList, storage);
        ImageRecordSource source = ImageRecordSource.ForRecordIter(o.PathImgRec, o.PathImgIdx, o.PartIndex, o.NumParts, o.Shuffle, o.ShuffleChunkSize, o.Seed, labels, storage);
        int channels = o.DataShape[0];
        float[] means = [o.MeanR, o.MeanG, o.MeanB, o.MeanA];
        float[] stds = [o.StdR, o.StdG, o.StdB, o.StdA];
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
        };
        bool usesMeanImage = o.MeanImg is not null && o.DType != DType.UInt8;
        bool computeMeanImage = usesMeanImage && !File.Exists(o.MeanImg);
        if (usesMeanImage && !computeMeanImage) layout = layout with { MeanImage = ReadMeanImage(o.MeanImg!, [channels, o.DataShape[1], o.DataShape[2]]) };
        return new ImagePipelineOptions
        {
            Source = source,
            Layout = layout,
            Augmenter = new DefaultRecordAugmenter(ToAugmenterSettings(o)),
            BatchSize = o.BatchSize,
            LabelWidth = o.LabelWidth,
            LastBatchHandle = LastBatchHandle.Pad,
            ZeroFillPad = !o.RoundBatch,
            Threads = o.PreprocessThreads,
            Prefetch = o.PrefetchBuffer,
            Seed = o.SeedAug ?? o.Seed,
            CorruptRecords = o.CorruptRecords,
            ScaledDecode = o.ScaledDecode,
            DataName = o.DataName,
            LabelName = o.LabelName,
            Logger = o.Logger,
            StateKind = IteratorKind.ImageRecord,
            StateShuffle = o.Shuffle,
            StateOptions = string.Join('|', ToAugmenterSettings(o), layout with { MeanImage = null }, string.Join(',', means), string.Join(',', stds), o.MeanImg is not null),
            PrepareLayout = computeMeanImage ? async cancellationToken => layout with { MeanImage = await ComputeMeanImageAsync(o, cancellationToken).ConfigureAwait(false) } : null,
        };
    }

    /// <summary>The values of the options that MXNet's <c>aug_default</c> reads, as the augmenter's own settings.</summary>
    internal static DefaultAugmenterSettings ToAugmenterSettings(ImageRecordIterOptions o) => new()
    {
        OutputHeight = o.DataShape[1],
        OutputWidth = o.DataShape[2],
        Resize = o.Resize,
        FillValue = o.FillValue,
        InterMethod = o.InterMethod,
        RandCrop = o.RandCrop,
        Pad = o.Pad,
        AffineActive = o.AffineActive,
        MaxRotateAngle = o.MaxRotateAngle,
        Rotate = o.Rotate,
        RotateList = o.RotateList is { } angles ? [.. angles] : null,
        MaxShearRatio = o.MaxShearRatio,
        MaxRandomScale = o.MaxRandomScale,
        MinRandomScale = o.MinRandomScale,
        MaxImgSize = o.MaxImgSize,
        MinImgSize = o.MinImgSize,
        AspectRange = o.AspectRange,
        RandomResizedCrop = o.RandomResizedCrop,
        MaxRandomArea = o.MaxRandomArea,
        MinRandomArea = o.MinRandomArea,
        MaxCropSize = o.MaxCropSize,
        MinCropSize = o.MinCropSize,
        Brightness = o.Brightness,
        Contrast = o.Contrast,
        Saturation = o.Saturation,
        RandomH = o.RandomH,
        RandomS = o.RandomS,
        RandomL = o.RandomL,
        PcaNoise = o.PcaNoise,
    };

    /// <summary>As MXNet: one pass over this part, averaging the outputs normalized with the scalar means only; saved to <c>MeanImg</c>.</summary>
    private static async Task<float[]> ComputeMeanImageAsync(ImageRecordIterOptions o, CancellationToken cancellationToken)
    {
        int count = o.DataShape[0] * o.DataShape[1] * o.DataShape[2];
        var sum = new double[count];
        long images = 0;
        var pass = new ImagePipelineIter(BuildPipeline(o with { MeanImg = null, DType = DType.Float32, RoundBatch = false, Shuffle = false, ShuffleChunkSize = 0 }));
        try
        {
            while (await pass.NextAsync(cancellationToken).ConfigureAwait(false) is { } batch)
            {
                using (batch)
                {
                    AddRows(batch, count, sum);
                    images += batch.Data[0].GetLength(0) - batch.Pad;
                }
            }
        }
        finally
        {
            await pass.DisposeAsync().ConfigureAwait(false);
        }

        if (images == 0) throw new DataFormatException($"Cannot compute the mean image '{o.MeanImg}': part {o.PartIndex} of '{o.PathImgRec}' has no images.", o.MeanImg, null);
        float[] mean = new float[count];
        for (int i = 0; i < count; i++) mean[i] = (float)(sum[i] / images);
        string temporary = o.MeanImg + ".tmp";
        cancellationToken.ThrowIfCancellationRequested();

        // MXNet's format (NDArray::Save of {"mean_img": (C, H, W)}), so MXNet reads this file and we read MXNet's.
        using (NDArray array = NDArray.From(mean, o.DataShape[0], o.DataShape[1], o.DataShape[2]))
        {
            NDArrayFile.Save(temporary, new Dictionary<string, NDArray> { ["mean_img"] = array });
        }

        File.Move(temporary, o.MeanImg!, overwrite: true);
        return mean;
    }

    private static void AddRows(DataBatch batch, int count, double[] sum)
    {
        ReadOnlySpan<float> values = batch.Data[0].AsSpan<float>();
        int rows = batch.Data[0].GetLength(0) - batch.Pad;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = values.Slice(r * count, count);
            for (int i = 0; i < count; i++) sum[i] += row[i];
        }
    }

    /// <summary>Reads a mean image in MXNet's NDArray file format (one float32 array of shape (C, H, W), any name), as <c>ImageRecordIter</c>'s <c>mean_img</c>.</summary>
    private static float[] ReadMeanImage(string path, int[] chw)
    {
        (IReadOnlyList<NDArray> arrays, _) = NDArrayFile.Load(path);
        try
        {
            if (arrays.Count != 1) throw new DataFormatException($"Mean image '{path}' holds {arrays.Count} arrays; expected one (mx.nd.save(path, {{'mean_img': array}})).", path, null);
            NDArray mean = arrays[0];
            if (mean.DType != DType.Float32 || !mean.Shape.AsSpan().SequenceEqual(chw))
            {
                throw new DataFormatException(
                    $"Mean image '{path}' holds a {mean.DType.ToNumPyName()} array of shape {DataDesc.FormatTuple(mean.Shape)}; the data shape needs float32 {DataDesc.FormatTuple(chw)}.", path, null);
            }

            return mean.ToArray<float>();
        }
        finally
        {
            foreach (NDArray array in arrays) array.Dispose();
        }
    }
}
