using System.Globalization;
using System.Text;

namespace Pipeline.Core.RecordIO.Internal;

/// <summary>The one reader and writer of MXNet's <c>.idx</c> files: a <c>key\toffset</c> line per record.</summary>
internal static class IndexFile
{
    /// <summary>Creates (or truncates) an index file for writing lines with <see cref="WriteLine"/>.</summary>
    /// <param name="path">The <c>.idx</c> file.</param>
    /// <returns>The writer.</returns>
    public static StreamWriter Create(string path) => Create(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read));

    /// <summary>Writes index lines to a stream (a remote <c>.idx</c>); the writer owns the stream.</summary>
    /// <param name="stream">The stream.</param>
    /// <returns>The writer.</returns>
    public static StreamWriter Create(Stream stream) =>

        // Always "\n" and no BOM, whatever the platform: the files must match MXNet's byte for byte.
        new(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 1 << 16, leaveOpen: false) { NewLine = "\n" };

    /// <summary>Writes one index line.</summary>
    /// <param name="writer">A writer from <see cref="Create(string)"/>.</param>
    /// <param name="key">The record's key.</param>
    /// <param name="offset">The record's byte offset in the <c>.rec</c> file.</param>
    public static void WriteLine(TextWriter writer, long key, long offset)
    {
        writer.Write(key.ToString(CultureInfo.InvariantCulture));
        writer.Write('\t');
        writer.WriteLine(offset.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Reads an index, accepting <c>\n</c> and <c>\r\n</c> line ends and tab- or space-separated fields.</summary>
    /// <param name="idxPath">The <c>.idx</c> file.</param>
    /// <param name="recLength">The length of its record file: an offset at or past it is an error.</param>
    /// <returns>The keys and offsets in file order.</returns>
    /// <exception cref="RecordFormatException">A line is empty or malformed, or points past the record file; the message names the file and line.</exception>
    public static (long[] Keys, long[] Offsets) Read(string idxPath, long recLength)
    {
        using var reader = new StreamReader(idxPath);
        return Read(reader, idxPath, recLength);
    }

    /// <summary>Reads an index from text (a remote <c>.idx</c> fetched whole), with the same checks as <see cref="Read(string, long)"/>.</summary>
    /// <param name="text">The index text.</param>
    /// <param name="idxPath">The <c>.idx</c> path or URI, for messages.</param>
    /// <param name="recLength">The length of its record file.</param>
    /// <returns>The keys and offsets in file order.</returns>
    public static (long[] Keys, long[] Offsets) Read(TextReader text, string idxPath, long recLength)
    {
        var keys = new List<long>();
        var offsets = new List<long>();
        int lineNumber = 0;
        while (text.ReadLine() is { } rawLine)
        {
            lineNumber++;
            ReadOnlySpan<char> line = rawLine.AsSpan().Trim();
            if (line.IsEmpty)
            {
                throw new RecordFormatException(
                    string.Create(CultureInfo.InvariantCulture, $"Empty line {lineNumber} in index '{idxPath}'; expected 'key<TAB>offset'."), idxPath, null, null);
            }

            int split = line.IndexOfAny(' ', '\t');
            ReadOnlySpan<char> keyText = split < 0 ? line : line[..split];
            ReadOnlySpan<char> offsetText = split < 0 ? [] : line[(split + 1)..].TrimStart();
            if (!long.TryParse(keyText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long key)
                || !long.TryParse(offsetText, NumberStyles.None, CultureInfo.InvariantCulture, out long offset))
            {
                throw new RecordFormatException(
                    string.Create(CultureInfo.InvariantCulture, $"Malformed line {lineNumber} in index '{idxPath}': '{InputQuote.Of(rawLine)}'; expected an integer key, a tab and a byte offset."), idxPath, null, InputQuote.Of(keyText));
            }

            if (offset >= recLength && !(offset == 0 && recLength == 0))
            {
                throw new RecordFormatException(
                    string.Create(CultureInfo.InvariantCulture, $"Line {lineNumber} of index '{idxPath}' puts key {key} at offset {offset}, past the end of the record file ({recLength} bytes)."), idxPath, offset, key.ToString(CultureInfo.InvariantCulture));
            }

            keys.Add(key);
            offsets.Add(offset);
        }

        return (keys.ToArray(), offsets.ToArray());
    }
}
