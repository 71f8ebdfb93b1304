using System.Globalization;
using Pipeline.Core;
using Pipeline.Core.RecordIO;

namespace Pipeline.Stages.ImagePipeline;

/// <summary>Turns a record's header (and an optional image list) into its label vector, with MXNet's rules and checks.</summary>
/// <remarks>A label width of 0 takes labels of any width (detection): a list's labels as they are, a record's packed labels, never a single header label.</remarks>
internal sealed class LabelResolver
{
    private readonly int _labelWidth;
    private readonly IReadOnlyDictionary<ulong, float[]>? _list;
    private readonly string? _listPath;

    public LabelResolver(int labelWidth, IReadOnlyDictionary<ulong, float[]>? list, string? listPath)
    {
        _labelWidth = labelWidth;
        _list = list;
        _listPath = listPath;
    }

    public float[] Resolve(ImageRecordHeader header, string source)
    {
        if (_list is not null)
        {
            return _list.TryGetValue(header.Id, out float[]? labels)
                ? labels
                : throw new RecordFormatException($"Image list '{_listPath}' has no label for image id {header.Id} ({source}).", null, null, header.Id.ToString(CultureInfo.InvariantCulture));
        }

        if (_labelWidth <= 0)
        {
            return header.Flag > 0
                ? header.Labels!
                : throw new RecordFormatException($"The record ({source}) has no packed label array; pack detection labels with im2rec --pack-label or give an image list.", null, null, header.Id.ToString(CultureInfo.InvariantCulture));
        }

        if (header.Flag > 0)
        {
            return header.Flag == _labelWidth
                ? header.Labels!
                : throw new RecordFormatException($"The record ({source}) packs {header.Flag} labels but LabelWidth is {_labelWidth}.", null, null, header.Id.ToString(CultureInfo.InvariantCulture));
        }

        return _labelWidth == 1
            ? [header.Label]
            : throw new RecordFormatException($"The record ({source}) has a single label but LabelWidth is {_labelWidth}; give an image list or pack the labels.", null, null, header.Id.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Labels from an image list file (<see cref="ImageList"/>), looked up by the record's id.</summary>
    public static LabelResolver FromList(int labelWidth, string listPath) => FromList(labelWidth, listPath, Core.Storage.StorageOptions.Default);

    /// <summary>Labels from a <c>.lst</c> file or URI.</summary>
    internal static LabelResolver FromList(int labelWidth, string listPath, Core.Storage.StorageOptions storage) => FromEntries(labelWidth, ImageList.Read(listPath, labelWidth > 0 ? labelWidth : null, storage), listPath);

    /// <summary>Labels from image list entries, looked up by the record's id; as MXNet's dict, a repeated index keeps its last labels.</summary>
    public static LabelResolver FromEntries(int labelWidth, IEnumerable<ImageListEntry> entries, string? listPath)
    {
        var labels = new Dictionary<ulong, float[]>();
        foreach (ImageListEntry entry in entries) labels[(ulong)entry.Index] = entry.Labels;
        return new LabelResolver(labelWidth, labels, listPath);
    }
}
