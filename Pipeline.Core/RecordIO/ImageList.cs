using System.Globalization;
using System.Text;

namespace Pipeline.Core.RecordIO;

/// <summary>Reads and writes MXNet image lists (<c>.lst</c>): one <c>index \t label(s) \t path</c> line per image.</summary>
/// <remarks>
/// The one parser every user shares (im2rec, <c>ImageRecordIter</c>'s <c>PathImgList</c>, <c>ImageIter</c>). Fields are
/// tab-separated as <c>im2rec.py</c> writes them; a line with fewer than three tab-separated fields is split on any
/// white space instead, as MXNet's C++ iterators read it. Blank lines are skipped; the index is a non-negative integer.
/// </remarks>
public static class ImageList
{
    /// <summary>Reads an image list.</summary>
    /// <param name="path">The <c>.lst</c> file, or a URI (<c>s3://</c>, <c>http(s)://</c>, <c>file://</c>).</param>
    /// <param name="labelWidth">The labels per line (the first that many fields after the index), or <see langword="null"/> to take every field between the index and the path.</param>
    /// <returns>The entries in file order.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">A line is malformed; the message names the file and line.</exception>
    public static IReadOnlyList<ImageListEntry> Read(string path, int? labelWidth = null) => Read(path, labelWidth, Storage.StorageOptions.Default);

    /// <summary>Reads a <c>.lst</c> file or URI (fetched whole when remote).</summary>
    internal static IReadOnlyList<ImageListEntry> Read(string path, int? labelWidth, Storage.StorageOptions storage)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (labelWidth is <= 0) throw new ArgumentOutOfRangeException(nameof(labelWidth), labelWidth, "The label width must be positive.");
        var entries = new List<ImageListEntry>();
        int lineNumber = 0;
        using TextReader text = Storage.ObjectStorage.TryGetLocalPath(path, out string? local)
            ? new StreamReader(local)
            : new StreamReader(new MemoryStream(Storage.ObjectStorage.ReadAllBytes(path, storage), writable: false));
        while (text.ReadLine() is { } raw)
        {
            lineNumber++;
            string line = raw.Trim();
            if (line.Length == 0) continue;
            entries.Add(ParseLine(line, labelWidth, path, lineNumber));
        }

        return entries;
    }

    /// <summary>Writes an image list atomically: a temporary file renamed over <paramref name="path"/> once complete.</summary>
    /// <param name="path">The <c>.lst</c> file.</param>
    /// <param name="entries">The entries, written in order.</param>
    public static void Write(string path, IEnumerable<ImageListEntry> entries)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(entries);
        string temporary = path + ".tmp";
        try
        {
            using (var writer = new StreamWriter(temporary, append: false, new UTF8Encoding(false)) { NewLine = "\n" })
            {
                foreach (ImageListEntry entry in entries) writer.WriteLine(FormatLine(entry));
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Formats one line as <c>im2rec.py</c> does (integral labels without a decimal point).</summary>
    /// <param name="entry">The entry.</param>
    /// <returns>The line, without the newline.</returns>
    public static string FormatLine(ImageListEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var builder = new StringBuilder();
        builder.Append(entry.Index.ToString(CultureInfo.InvariantCulture));
        foreach (float label in entry.Labels)
        {
            builder.Append('\t').Append(label == MathF.Floor(label) && Math.Abs(label) < 1e9 ? ((long)label).ToString(CultureInfo.InvariantCulture) : label.ToString("R", CultureInfo.InvariantCulture));
        }

        return builder.Append('\t').Append(entry.Path).ToString();
    }

    private static ImageListEntry ParseLine(string line, int? labelWidth, string path, int lineNumber)
    {
        string[] fields = line.Split('\t');
        if (fields.Length < 3) fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < fields.Length; i++) fields[i] = fields[i].Trim();
        int labels = labelWidth ?? (fields.Length - 2);
        if (fields.Length < 2 + labels || labels < 1 || !long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out long index))
        {
            string expected = labelWidth is null or 1 ? "label(s)" : $"{labels} labels";
            throw Fail(path, lineNumber, $"is '{InputQuote.Of(line)}'; expected 'index<TAB>{expected}<TAB>path' with a non-negative integer index");
        }

        float[] values = new float[labels];
        for (int i = 0; i < labels; i++)
        {
            if (!float.TryParse(fields[1 + i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
            {
                throw Fail(path, lineNumber, $"has label '{InputQuote.Of(fields[1 + i])}', which is not a number");
            }
        }

        return new ImageListEntry(index, values, fields[^1]);
    }

    private static DataFormatException Fail(string path, int lineNumber, string what) =>
        new(string.Create(CultureInfo.InvariantCulture, $"Line {lineNumber} of image list '{path}' {what}."), path, lineNumber);
}
