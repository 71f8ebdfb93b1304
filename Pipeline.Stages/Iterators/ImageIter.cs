using Pipeline.Core;
using Pipeline.Core.RecordIO;
using Pipeline.Core.Storage;
using Pipeline.Stages.ImagePipeline;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Iterators.Internal;

namespace Pipeline.Stages.Iterators;

/// <summary>Batches of images from a <c>.rec</c> (with or without <c>.idx</c>), an image list and root folder, or an in-memory list, augmented with <see cref="Augmenter"/>s, as MXNet's <c>mx.image.ImageIter</c>.</summary>
/// <remarks>
/// <para>Unlike MXNet's single-threaded Python iterator, decoding and augmentation run on
/// <see cref="ImageIterOptions.PreprocessThreads"/> threads, in source order, with randomness a pure function of
/// (seed, epoch, ordinal). Batches are (B, 3, H, W) float32; labels (B,) or (B, width) float32.</para>
/// <para>Differences from MXNet: the last batch's pad wraps to the start of the epoch and a roll-over batch reports
/// pad 0 (see <c>docs/architecture.md</c>); a broken image fails with its path or key (or is skipped and counted). Splitting
/// into parts keeps MXNet's rule: each part takes <c>count / parts</c> images and the remainder is unused.</para>
/// </remarks>
public sealed class ImageIter : ImagePipelineIter
{
    /// <summary>Opens the source and starts prefetching.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="DataFormatException">The image list is malformed.</exception>
    public ImageIter(ImageIterOptions options)
        : base(BuildPipeline(Validated(options)))
    {
    }

    private static ImageIterOptions Validated(ImageIterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options;
    }

    private static ImagePipelineOptions BuildPipeline(ImageIterOptions o)
    {
        OptionFiles.Require(o.PathImgRec, nameof(o.PathImgRec));
        OptionFiles.Require(o.PathImgIdx, nameof(o.PathImgIdx));
        OptionFiles.Require(o.PathImgList, nameof(o.PathImgList));
        ImageRecordSource source = CreateSource(o.PathImgRec, o.PathImgIdx, o.PathImgList, o.PathRoot, o.ImgList, o.LabelWidth, o.PartIndex, o.NumParts, o.Shuffle, o.Seed, o.Storage, out _);
        IReadOnlyList<Augmenter> augmenters = o.AugList ?? Augmenters.Create(
            o.DataShape, o.Resize, o.RandCrop, o.RandResize, o.RandMirror, o.Mean, o.Std, o.Brightness, o.Contrast, o.Saturation, o.Hue, o.PcaNoise, o.RandGray, o.InterMethod);
        return new ImagePipelineOptions
        {
            Source = source,
            Layout = new SampleLayout { Channels = 3, Height = o.DataShape[1], Width = o.DataShape[2] },
            Augmenter = new SequentialAug(augmenters),
            BatchSize = o.BatchSize,
            LabelWidth = o.LabelWidth,
            LastBatchHandle = o.LastBatchHandle,
            Threads = o.PreprocessThreads,
            Prefetch = o.PrefetchBuffer,
            Seed = o.Seed,
            CorruptRecords = o.CorruptRecords,
            DataName = o.DataName,
            LabelName = o.LabelName,
            Logger = o.Logger,
            StateKind = IteratorKind.Image,
            StateShuffle = o.Shuffle,
            StateOptions = string.Join(
                '|',
                DataDesc.FormatTuple(o.DataShape), o.Resize, o.RandCrop, o.RandResize, o.RandMirror, Join(o.Mean), Join(o.Std), o.Brightness, o.Contrast, o.Saturation, o.Hue,
                o.PcaNoise, o.RandGray, o.InterMethod, o.DType, o.PartIndex, o.NumParts, o.AugList is null ? "default" : string.Join(',', o.AugList.Select(a => a.GetType().Name))),
        };
    }

    /// <summary>The source of <c>ImageIter</c> and <c>ImageDetIter</c>: a <c>.rec</c> (by key with its <c>.idx</c>), a <c>.lst</c> under a root, or an in-memory list; <paramref name="entries"/> gets the list read, if any.</summary>
    /// <remarks>A label width of 0 takes labels of any width (detection).</remarks>
    internal static ImageRecordSource CreateSource(
        string? pathImgRec, string? pathImgIdx, string? pathImgList, string? pathRoot, IReadOnlyList<(float[] Label, string Path)>? imgList, int labelWidth,
        int partIndex, int numParts, bool shuffle, int seed, StorageOptions? storageOptions, out IReadOnlyList<ImageListEntry>? entries)
    {
        StorageOptions storage = storageOptions ?? StorageOptions.Default;
        entries = null;
        if (pathImgList is not null)
        {
            entries = ImageList.Read(pathImgList, null, storage);
        }
        else if (imgList is not null)
        {
            entries = [.. imgList.Select((e, i) => new ImageListEntry(i + 1, e.Label, e.Path))];
        }

        if (pathImgRec is not null)
        {
            bool indexed = pathImgIdx is not null;

            // As MXNet: a list overrides the record labels only when the records are read by key.
            LabelResolver labels = indexed && entries is not null
                ? LabelResolver.FromEntries(labelWidth, entries, pathImgList)
                : new LabelResolver(labelWidth, null, pathImgList);
            return indexed
                ? new IndexedRecordSource(pathImgIdx!, pathImgRec, partIndex, numParts, shuffle, seed, labels, storage)
                : new RecordFileSource(pathImgRec, 0, 1, labels, 0, seed, storage);
        }

        return new ImageListSource(entries!, pathRoot ?? string.Empty, partIndex, numParts, shuffle, seed) { Storage = storage };
    }

    private static string Join(float[]? values) => values is null ? "-" : string.Join(',', values.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
}
