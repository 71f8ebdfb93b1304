using System.Globalization;
using Pipeline.Core;
using Pipeline.Core.RecordIO;

namespace Pipeline.Stages.Images;

/// <summary>Turns a record's header (and an optional image list) into its label vector, with MXNet's rules and checks.</summary>
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

    /// <summary>Parses an MXNet image list: <c>index \t label(s) \t path</c> per line; returns id -> (labels, path).</summary>
    public static Dictionary<ulong, (float[] Labels, string Path)> ParseList(string path, int? labelWidth)
    {
        var entries = new Dictionary<ulong, (float[], string)>();
        int lineNumber = 0;
        foreach (string raw in File.ReadLines(path))
        {
            lineNumber++;
            string line = raw.Trim();
            if (line.Length == 0) continue;
            string[] fields = line.Split('\t');
            if (fields.Length < 3)
            {
                fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            }

            int labels = labelWidth ?? (fields.Length - 2);
            if (fields.Length < 2 + labels || labels < 1 || !ulong.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out ulong id))
            {
                throw new RecordFormatException($"Line {lineNumber} of image list '{path}' is '{raw}'; expected 'index<TAB>{(labels == 1 ? "label" : $"{labels} labels")}<TAB>path'.", path, null, $"line {lineNumber}");
            }

            float[] values = new float[labels];
            for (int i = 0; i < labels; i++)
            {
                if (!float.TryParse(fields[1 + i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
                {
                    throw new RecordFormatException($"Line {lineNumber} of image list '{path}' has label '{fields[1 + i]}', which is not a number.", path, null, $"line {lineNumber}");
                }
            }

            entries[id] = (values, fields[^1]);
        }

        return entries;
    }
}
