using System.Globalization;
using Pipeline.Core;
using Pipeline.Core.RecordIO;
using Pipeline.Core.Storage;
using Pipeline.Stages.ImagePipeline;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Iterators.Internal;

namespace Pipeline.Stages.Iterators;

/// <summary>Batches of decoded, box-augmented images and their detection labels from a RecordIO file, as MXNet's <c>mx.io.ImageDetRecordIter</c>, built on the image pipeline.</summary>
/// <remarks>
/// <para>Each record's raw label (<c>[header_width, object_width, extra header..., (id, xmin, ymin, xmax, ymax, extra...) x N]</c>,
/// packed by <c>im2rec --pack-label</c> or read from <see cref="ImageDetRecordIterOptions.PathImgList"/>) is parsed with
/// <see cref="DetectionLabel.Parse"/>, the image and its boxes go through MXNet's <c>det_aug_default</c> (resize, colour, mirror, pad,
/// crop samplers, fit), and the batch's label is (B, <see cref="ImageDetRecordIterOptions.LabelPadWidth"/> + 4): per sample
/// <c>[channels, height, width, label length, raw label..., pad value...]</c>, where height and width are the image's before it was placed in
/// the data slot, as MXNet.</para>
/// <para>Decoding and augmentation run in parallel and in order, with randomness a pure function of (seed, epoch, ordinal): bit-identical
/// batches at any thread count. A label that does not parse or does not fit, and an undecodable image, fail naming the record, or are
/// skipped and counted (<see cref="CorruptRecordPolicy.Skip"/>). An image without objects passes with its header only (MXNet aborts).</para>
/// </remarks>
public sealed class ImageDetRecordIter : ImagePipelineIter
{
    /// <summary>Opens the record file and starts prefetching.</summary>
    /// <param name="options">The options; a snapshot is kept.</param>
    /// <exception cref="ArgumentException">An option is invalid, or a raw label is longer than <see cref="ImageDetRecordIterOptions.LabelPadWidth"/>; the message names it.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="RecordFormatException">The file or its index is malformed.</exception>
    /// <exception cref="DataFormatException">The image list is malformed.</exception>
    /// <remarks>Without <see cref="ImageDetRecordIterOptions.LabelPadWidth"/> or <see cref="ImageDetRecordIterOptions.LabelWidth"/> and without a list, the constructor reads every record once to find the longest label, as MXNet does; set one of them to skip that pass.</remarks>
    public ImageDetRecordIter(ImageDetRecordIterOptions options)
        : base(BuildPipeline(Validated(options)))
    {
        Options = options with { DataShape = [.. options.DataShape] };
        LabelPadWidth = ProvideLabel[0].Shape[1] - 4;
    }

    /// <summary>Gets the options in effect.</summary>
    public ImageDetRecordIterOptions Options { get; }

    /// <summary>Gets the raw label length the label rows hold (estimated unless <see cref="ImageDetRecordIterOptions.LabelPadWidth"/> was set).</summary>
    public int LabelPadWidth { get; }

    private static ImageDetRecordIterOptions Validated(ImageDetRecordIterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options with { DataShape = [.. options.DataShape] };
    }

    private static ImagePipelineOptions BuildPipeline(ImageDetRecordIterOptions o)
    {
        StorageOptions storage = o.Storage ?? StorageOptions.Default;
        OptionFiles.Require(o.PathImgRec, nameof(o.PathImgRec));
        OptionFiles.Require(o.PathImgIdx, nameof(o.PathImgIdx));
        OptionFiles.Require(o.PathImgList, nameof(o.PathImgList));
        int width = o.LabelWidth > 0 ? o.LabelWidth : 0;
        IReadOnlyList<ImageListEntry>? list = o.PathImgList is null ? null : ImageList.Read(o.PathImgList, width > 0 ? width : null, storage);
        int padWidth = PadWidth(o, list);
        LabelResolver labels = list is null ? new LabelResolver(0, null, null) : LabelResolver.FromEntries(0, list, o.PathImgList);
        ImageRecordSource source = ImageRecordSource.ForRecordIter(o.PathImgRec, o.PathImgIdx, o.PartIndex, o.NumParts, o.Shuffle, o.ShuffleChunkSize, o.Seed, labels, storage);
        int channels = o.DataShape[0];
        bool anyMean = o.MeanR > 0 || o.MeanG > 0 || o.MeanB > 0 || o.MeanA > 0;
        float[] means = [o.MeanR, o.MeanG, o.MeanB, o.MeanA];
        float[] stds = [Std(o.StdR), Std(o.StdG), Std(o.StdB), Std(o.StdA)];
        var layout = new SampleLayout
        {
            Channels = channels,
            Height = o.DataShape[1],
            Width = o.DataShape[2],
            Mean = anyMean ? means[..channels] : null,
            Std = stds[..channels],
            Scale = o.Scale,
        };
        DetRecordAugmenterSettings settings = ToAugmenterSettings(o);
        var detection = new DetectionStage([new DefaultDetRecordAugmenter(settings)], DetectionLabelLayout.Record)
        {
            RawLabelWidth = width,
            PadValue = o.LabelPadValue,
            DataSize = (o.DataShape[1], o.DataShape[2]),
        };
        return new ImagePipelineOptions
        {
            Source = source,
            Logger = o.Logger,
            Layout = layout,
            Detection = detection,
            BatchSize = o.BatchSize,
            LabelWidth = padWidth + 4,
            LastBatchHandle = LastBatchHandle.Pad,
            ZeroFillPad = !o.RoundBatch,
            Threads = o.PreprocessThreads,
            Prefetch = o.PrefetchBuffer,
            Seed = o.SeedAug ?? o.Seed,
            CorruptRecords = o.CorruptRecords,
            DataName = o.DataName,
            LabelName = o.LabelName,
            StateKind = IteratorKind.ImageDetRecord,
            StateShuffle = o.Shuffle,
            StateOptions = string.Join('|', settings, layout, string.Join(',', means), string.Join(',', stds), o.LabelPadValue.ToString(CultureInfo.InvariantCulture), width),
        };
    }

    /// <summary>The normalizer divides only by a positive deviation (MXNet's <c>std_r &gt; 0</c>).</summary>
    private static float Std(float std) => std > 0 ? std : 1;

    /// <summary>MXNet's estimate: the longest raw label of the list or of the records, or the given width, which must hold it.</summary>
    private static int PadWidth(ImageDetRecordIterOptions o, IReadOnlyList<ImageListEntry>? list)
    {
        int longest;
        if (list is not null)
        {
            longest = 0;
            foreach (ImageListEntry entry in list) longest = Math.Max(longest, entry.Labels.Length);
        }
        else if (o.LabelWidth > 0)
        {
            longest = o.LabelWidth;
        }
        else if (o.LabelPadWidth > 0)
        {
            // Given: a longer label is refused when its record is read.
            return o.LabelPadWidth;
        }
        else
        {
            longest = 0;
            foreach ((long offset, ImageRecordHeader header, _) in RecordFileTools.Headers(o.PathImgRec, -1))
            {
                if (header.Flag == 0) throw new RecordFormatException($"Record {header.Id} at offset {offset} in '{o.PathImgRec}' has no packed label array; pack detection labels with im2rec --pack-label or give PathImgList.", o.PathImgRec, offset, header.Id.ToString(CultureInfo.InvariantCulture));
                longest = Math.Max(longest, (int)header.Flag);
            }
        }

        if (o.LabelPadWidth > 0 && longest > o.LabelPadWidth)
        {
            throw new ArgumentException($"LabelPadWidth ({o.LabelPadWidth}) is smaller than the longest label ({longest}).", nameof(o));
        }

        return Math.Max(Math.Max(longest, o.LabelPadWidth), 2);
    }

    /// <summary>The values of the options that <c>det_aug_default</c> reads.</summary>
    internal static DetRecordAugmenterSettings ToAugmenterSettings(ImageDetRecordIterOptions o) => new()
    {
        OutputHeight = o.DataShape[1],
        OutputWidth = o.DataShape[2],
        Resize = o.Resize,
        InterMethod = o.InterMethod,
        MaxRandomHue = o.MaxRandomHue,
        RandomHueProb = o.RandomHueProb,
        MaxRandomSaturation = o.MaxRandomSaturation,
        RandomSaturationProb = o.RandomSaturationProb,
        MaxRandomIllumination = o.MaxRandomIllumination,
        RandomIlluminationProb = o.RandomIlluminationProb,
        MaxRandomContrast = o.MaxRandomContrast,
        RandomContrastProb = o.RandomContrastProb,
        RandMirrorProb = o.RandMirrorProb,
        RandPadProb = o.RandPadProb,
        MaxPadScale = o.MaxPadScale,
        FillValue = o.FillValue,
        RandCropProb = o.RandCropProb,
        Samplers = o.Samplers(),
        CropEmitMode = o.CropEmitMode,
        EmitOverlapThresh = o.EmitOverlapThresh,
        ResizeMode = o.ResizeMode,
    };
}
