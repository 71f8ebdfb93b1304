using System.Globalization;
using Pipeline.Core;
using Pipeline.Core.RecordIO;
using Pipeline.Stages.ImagePipeline;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Iterators.Internal;

namespace Pipeline.Stages.Iterators;

/// <summary>Batches of images and their object boxes from a <c>.rec</c>, an image list and root folder, or an in-memory list, augmented with <see cref="DetAugmenter"/>s, as MXNet's <c>mx.image.ImageDetIter</c>.</summary>
/// <remarks>
/// <para>Each raw label (<c>[header_width, object_width, extra header..., (id, xmin, ymin, xmax, ymax, extra...) x N]</c>) is parsed with
/// <see cref="DetectionLabel.Parse"/>; the batch's label is (B, <see cref="LabelShape"/>): per sample the objects' rows after
/// augmentation, then rows of -1. The label shape is estimated at construction from every label (no image is read), as MXNet does;
/// <see cref="Reshape"/> and <see cref="SyncLabelShape"/> widen it.</para>
/// <para>Decoding and augmentation run on <see cref="ImageDetIterOptions.PreprocessThreads"/> threads, in source order, with randomness
/// a pure function of (seed, epoch, ordinal). Differences from MXNet: a label that does not parse or an undecodable image fails naming
/// it, or is skipped and counted (<see cref="CorruptRecordPolicy.Skip"/>), where MXNet drops it silently; an image without objects
/// passes with a label of -1 rows (MXNet drops it); pad and roll-over as <see cref="ImageIter"/>.</para>
/// </remarks>
public sealed class ImageDetIter : ImagePipelineIter
{
    /// <summary>Opens the source, estimates the label shape and starts prefetching.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="DataFormatException">The image list is malformed.</exception>
    /// <exception cref="RecordFormatException">A label does not parse, or labels have different object widths (under <see cref="CorruptRecordPolicy.Throw"/>).</exception>
    public ImageDetIter(ImageDetIterOptions options)
        : base(BuildPipeline(Validated(options)))
    {
        Options = options;
    }

    /// <summary>Gets the options in effect.</summary>
    public ImageDetIterOptions Options { get; }

    /// <summary>Gets one sample's label shape: (objects, object width).</summary>
    public IReadOnlyList<int> LabelShape => ProvideLabel[0].Shape[1..];

    /// <summary>Changes the label shape of later batches, as MXNet's <c>reshape(label_shape=...)</c>: batches already returned keep theirs, the next continues from the same position.</summary>
    /// <param name="labelShape">The new (objects, object width): at least as many objects, the same width.</param>
    /// <exception cref="ArgumentException">The shape is not 2-D, has fewer objects or another width.</exception>
    /// <remarks>MXNet's <c>reshape</c> also takes a data shape; that is not offered, since its augmenters would keep resizing to the old one.</remarks>
    public void Reshape(int[] labelShape)
    {
        ArgumentNullException.ThrowIfNull(labelShape);
        if (labelShape.Length != 2) throw new ArgumentException("labelShape should have length 2.", nameof(labelShape));
        if (labelShape[0] < LabelShape[0]) throw new ArgumentException($"Attempts to reduce label count from {LabelShape[0]} to {labelShape[0]}, not allowed.", nameof(labelShape));
        if (labelShape[1] != LabelShape[1]) throw new ArgumentException($"labelShape object width inconsistent: {LabelShape[1]} vs {labelShape[1]}.", nameof(labelShape));
        if (labelShape[0] == LabelShape[0]) return;
        ReshapeLabel([.. labelShape]);
    }

    /// <summary>Gives this iterator and <paramref name="other"/> the same label shape (the larger object count), as MXNet's <c>sync_label_shape</c>, for train and validation iterators.</summary>
    /// <param name="other">The other iterator.</param>
    /// <returns><paramref name="other"/>, reshaped if needed.</returns>
    /// <exception cref="ArgumentException">The object widths differ.</exception>
    public ImageDetIter SyncLabelShape(ImageDetIter other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.LabelShape[1] != LabelShape[1]) throw new ArgumentException($"Object width mismatch: {LabelShape[1]} vs {other.LabelShape[1]}.", nameof(other));
        int count = Math.Max(LabelShape[0], other.LabelShape[0]);
        Reshape([count, LabelShape[1]]);
        other.Reshape([count, LabelShape[1]]);
        return other;
    }

    private static ImageDetIterOptions Validated(ImageDetIterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options;
    }

    private static ImagePipelineOptions BuildPipeline(ImageDetIterOptions o)
    {
        OptionFiles.Require(o.PathImgRec, nameof(o.PathImgRec));
        OptionFiles.Require(o.PathImgIdx, nameof(o.PathImgIdx));
        OptionFiles.Require(o.PathImgList, nameof(o.PathImgList));
        ImageRecordSource source = ImageIter.CreateSource(o.PathImgRec, o.PathImgIdx, o.PathImgList, o.PathRoot, o.ImgList, 0, o.PartIndex, o.NumParts, o.Shuffle, o.Seed, o.Storage, out IReadOnlyList<ImageListEntry>? entries);
        (int objects, int width) shape;
        try
        {
            shape = EstimateLabelShape(o, entries);
        }
        catch
        {
            source.Dispose();
            throw;
        }

        IReadOnlyList<DetAugmenter> augmenters = o.Augmenters();
        return new ImagePipelineOptions
        {
            Source = source,
            Logger = o.Logger,
            Layout = new SampleLayout { Channels = 3, Height = o.DataShape[1], Width = o.DataShape[2] },
            Detection = new DetectionStage(augmenters, DetectionLabelLayout.Objects) { ObjectWidth = shape.width },
            BatchSize = o.BatchSize,
            LabelWidth = shape.objects * shape.width,
            LabelShape = [shape.objects, shape.width],
            LastBatchHandle = o.LastBatchHandle,
            Threads = o.PreprocessThreads,
            Prefetch = o.PrefetchBuffer,
            Seed = o.Seed,
            CorruptRecords = o.CorruptRecords,
            DataName = o.DataName,
            LabelName = o.LabelName,
            StateKind = IteratorKind.ImageDet,
            StateShuffle = o.Shuffle,
            StateOptions = string.Join(
                '|',
                DataDesc.FormatTuple(o.DataShape), o.PartIndex, o.NumParts, o.AugList is null ? "default" : string.Join(',', o.AugList),
                o.Resize, o.RandCrop, o.RandPad, o.RandGray, o.RandMirror, Join(o.Mean), Join(o.Std), o.Brightness, o.Contrast, o.Saturation, o.PcaNoise, o.Hue, o.InterMethod,
                Join(o.MinObjectCovered), o.AspectRatioRange, o.AreaRange, o.MinEjectCoverage, o.MaxAttempts, Join(o.PadVal)),
        };
    }

    /// <summary>MXNet's <c>_estimate_label_shape</c>: the most objects of any label and their common width, from the list or the record headers.</summary>
    private static (int Objects, int Width) EstimateLabelShape(ImageDetIterOptions o, IReadOnlyList<ImageListEntry>? entries)
    {
        int most = 0, width = 0;
        string? widthFrom = null;
        void Add(float[] raw, string where)
        {
            DetectionLabel label;
            try
            {
                label = DetectionLabel.Parse(raw);
            }
            catch (FormatException error)
            {
                // Under Skip the sample is skipped and counted when it is read.
                if (o.CorruptRecords == CorruptRecordPolicy.Skip) return;
                throw new RecordFormatException($"Cannot parse the detection label of {where}: {error.Message}", null, null, where, error);
            }

            if (width != 0 && label.ObjectWidth != width)
            {
                throw new RecordFormatException($"The label of {where} has objects of {label.ObjectWidth} values but {widthFrom} has {width}; every label needs the same object width.", null, null, where);
            }

            width = label.ObjectWidth;
            widthFrom ??= where;
            most = Math.Max(most, label.Count);
        }

        bool fromRecords = o.PathImgRec is not null && (o.PathImgIdx is null || entries is null);
        if (fromRecords)
        {
            foreach ((long offset, ImageRecordHeader header, _) in RecordFileTools.Headers(o.PathImgRec!, -1))
            {
                string where = string.Create(CultureInfo.InvariantCulture, $"record {header.Id} at offset {offset} in '{o.PathImgRec}'");
                if (header.Flag == 0) throw new RecordFormatException($"The {where} has no packed label array; pack detection labels with im2rec --pack-label.", o.PathImgRec, offset, header.Id.ToString(CultureInfo.InvariantCulture));
                Add(header.Labels!, where);
            }
        }
        else
        {
            foreach (ImageListEntry entry in entries!) Add(entry.Labels, string.Create(CultureInfo.InvariantCulture, $"image {entry.Index} ('{entry.Path}')"));
        }

        return (Math.Max(1, most), width == 0 ? 5 : width);
    }

    private static string Join(float[]? values) => values is null ? "-" : string.Join(',', values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
}
