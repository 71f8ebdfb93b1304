using System.Buffers;
using System.Globalization;
using Pipeline.Core;
using Pipeline.Core.Storage;

namespace Pipeline.Stages.Iterators.Internal;

/// <summary>Streams the rows of one part of libsvm files and parses each into a <see cref="LibSvmBatchBuilder"/>.</summary>
/// <remarks>
/// <para>Parts follow dmlc-core's <c>InputSplit</c> for text: the files' total size is cut into <c>NumParts</c> equal byte
/// ranges (rounded up), and each cut that falls inside a file moves forward to the start of the next line, so a line
/// belongs to the part its start is in (a line starting exactly at a cut belongs to the part before it, as in dmlc).</para>
/// <para>Lines end at <c>\n</c>, <c>\r</c> or <c>\r\n</c>; blank lines are skipped. A line is
/// <c>label[:weight] [qid:n] index[:value] ...</c> with zero-based indices; a missing value is 1. An index that is
/// negative, not below the number of columns, or not greater than the one before it (unsorted or duplicate) is a
/// <see cref="DataFormatException"/> naming the file, line (when the part starts at the file's start, else the byte
/// offset) and token.</para>
/// </remarks>
internal sealed class LibSvmReader : IDisposable
{
    private readonly string[] _files;
    private readonly long[] _lengths;
    private readonly CsvPosition _start;
    private readonly CsvPosition _end;
    private readonly StorageOptions _storage;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
    private int _position;
    private int _count;
    private long _bufferOffset;
    private long _limit;
    private Stream? _stream;
    private int _file;
    private long _line;
    private bool _carriageReturn;
    private bool _exhausted;
    private long _lineOffset;
    private CsvPosition? _resume;
    private bool _atFileEnd;

    private enum LineStatus
    {
        Row,
        NeedMoreData,
        FileEnded,
    }

    /// <summary>Initializes a reader of the lines between two positions (see <see cref="PartRange"/>).</summary>
    public LibSvmReader(string[] files, long[] lengths, CsvPosition start, CsvPosition end, StorageOptions storage)
    {
        _files = files;
        _lengths = lengths;
        _start = start;
        _end = end;
        _storage = storage;
        _file = start.File - 1;
    }

    /// <summary>Gets the file of the last line read.</summary>
    public string CurrentFile => _files[Math.Clamp(_file, 0, _files.Length - 1)];

    /// <summary>Gets where the reader stands: after the last line read, or the end of the part once it is read.</summary>
    public CsvPosition Position => _exhausted || (_stream is null && _file + 1 >= _end.File && _end.Offset == 0)
        ? _end
        : _stream is null ? new CsvPosition(_file + 1, 0, 0, false) : new CsvPosition(_file, _bufferOffset + _position, _line, _carriageReturn);

    /// <summary>Finds the byte range of part <paramref name="partIndex"/> of <paramref name="numParts"/>, as dmlc-core's <c>InputSplitBase::ResetPartition</c> with a line splitter.</summary>
    public static (CsvPosition Start, CsvPosition End) PartRange(string[] files, long[] lengths, int partIndex, int numParts, StorageOptions storage)
    {
        long total = 0;
        foreach (long length in lengths) total += length;
        long step = (total + numParts - 1) / numParts;
        return (LineStartAt(files, lengths, Math.Min(step * partIndex, total), storage), LineStartAt(files, lengths, Math.Min(step * (partIndex + 1), total), storage));
    }

    /// <summary>Makes the reader start at a saved position instead of its part's start.</summary>
    public void StartAt(CsvPosition position)
    {
        _file = position.File - 1;
        _resume = position;
    }

    /// <summary>Reads the next non-blank line and parses it into <paramref name="builder"/>'s current row.</summary>
    /// <returns>Whether a row was read; <see langword="false"/> at the end of the part.</returns>
    public async ValueTask<bool> ReadRowAsync(LibSvmBatchBuilder builder, bool labelsFromRow, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_stream is null && !Open()) return false;
            switch (TryReadRow(builder, labelsFromRow))
            {
                case LineStatus.Row:
                    return true;
                case LineStatus.NeedMoreData:
                    if (!await FillAsync(cancellationToken).ConfigureAwait(false)) _atFileEnd = true;
                    break;
                case LineStatus.FileEnded:
                    Close();
                    break;
            }
        }
    }

    private LineStatus TryReadRow(LibSvmBatchBuilder builder, bool labelsFromRow)
    {
        while (true)
        {
            ReadOnlySpan<byte> window = _buffer.AsSpan(_position, _count - _position);
            int eol = window.IndexOfAny((byte)'\n', (byte)'\r');
            int lineLength;
            if (eol >= 0)
            {
                bool secondHalf = eol == 0 && window[0] == (byte)'\n' && _carriageReturn;
                _carriageReturn = window[eol] == (byte)'\r';
                if (secondHalf)
                {
                    _position++;
                    continue;
                }

                lineLength = eol;
            }
            else if (!_atFileEnd)
            {
                return LineStatus.NeedMoreData;
            }
            else if (window.IsEmpty)
            {
                return LineStatus.FileEnded;
            }
            else
            {
                // The last line of a file may have no terminator.
                lineLength = window.Length;
                _carriageReturn = false;
            }

            _line++;
            _lineOffset = _bufferOffset + _position;
            ReadOnlySpan<byte> line = _buffer.AsSpan(_position, lineLength);
            _position += Math.Min(lineLength + 1, _count - _position);
            if (line.IndexOfAnyExcept((byte)' ', (byte)'\t') < 0) continue;
            Parse(line, builder, labelsFromRow);
            return LineStatus.Row;
        }
    }

    public void Dispose()
    {
        _stream?.Dispose();
        _stream = null;
        if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private static CsvPosition LineStartAt(string[] files, long[] lengths, long offset, StorageOptions storage)
    {
        int file = 0;
        while (file < files.Length && offset >= lengths[file])
        {
            offset -= lengths[file];
            file++;
        }

        // A cut at a file's start (or at the very end) stays put; inside a file it moves past the end of the line it falls in.
        if (file == files.Length || offset == 0) return new CsvPosition(file, 0, 0, false);
        using Stream stream = ObjectStorage.OpenSequentialRead(files[file], storage);
        stream.Seek(offset, SeekOrigin.Begin);
        byte[] chunk = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            bool sawEnd = false;
            long at = offset;
            while (true)
            {
                int read = stream.Read(chunk, 0, chunk.Length);
                if (read == 0) return new CsvPosition(file + 1, 0, 0, false);
                for (int i = 0; i < read; i++, at++)
                {
                    bool end = chunk[i] is (byte)'\n' or (byte)'\r';
                    if (!sawEnd && end) sawEnd = true;
                    else if (sawEnd && !end) return new CsvPosition(file, at, 0, false);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private bool Open()
    {
        _file++;
        CsvPosition from = _file == _start.File ? _start : new CsvPosition(_file, 0, 0, false);
        if (_resume is { } resume && resume.File == _file) from = resume;
        _resume = null;
        if (_file > _end.File || (_file == _end.File && _end.Offset == 0) || _file >= _files.Length)
        {
            _exhausted = true;
            return false;
        }

        if (from.Offset > _lengths[_file])
        {
            throw new DataFormatException(
                string.Create(CultureInfo.InvariantCulture, $"Cannot resume '{_files[_file]}' at byte {from.Offset}: the file has only {_lengths[_file]} bytes."),
                _files[_file],
                lineNumber: null,
                offset: from.Offset);
        }

        _stream = ObjectStorage.OpenSequentialRead(_files[_file], _storage);
        if (from.Offset > 0) _stream.Seek(from.Offset, SeekOrigin.Begin);
        _limit = _file == _end.File ? _end.Offset : _lengths[_file];
        _bufferOffset = from.Offset;
        _position = 0;
        _count = 0;
        _line = from.Line;
        _carriageReturn = from.CarriageReturn;
        _atFileEnd = false;
        return true;
    }

    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_stream is null) return false;
        long remaining = _limit - (_bufferOffset + _count);
        if (remaining <= 0) return false;
        if (_position > 0)
        {
            _buffer.AsSpan(_position, _count - _position).CopyTo(_buffer);
            _bufferOffset += _position;
            _count -= _position;
            _position = 0;
        }

        if (_count == _buffer.Length)
        {
            // A line longer than the buffer: grow it.
            byte[] larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            _buffer.AsSpan(0, _count).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        int want = (int)Math.Min(_buffer.Length - _count, remaining);
        int read = await _stream.ReadAsync(_buffer.AsMemory(_count, want), cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            throw new DataFormatException(
                string.Create(CultureInfo.InvariantCulture, $"'{_files[_file]}' ended at byte {_bufferOffset + _count}, before the {_limit} bytes it had when the iterator opened it."),
                _files[_file],
                lineNumber: null,
                offset: _bufferOffset + _count);
        }

        _count += read;
        return true;
    }

    private void Close()
    {
        _stream?.Dispose();
        _stream = null;
        _bufferOffset = 0;
        _position = 0;
        _count = 0;
        if (_file >= _end.File) _exhausted = true;
    }

    private void Parse(ReadOnlySpan<byte> line, LibSvmBatchBuilder builder, bool labelsFromRow)
    {
        int at = 0;
        bool first = true;
        long previous = -1;
        builder.BeginRow();
        while (at < line.Length)
        {
            while (at < line.Length && line[at] is (byte)' ' or (byte)'\t') at++;
            if (at == line.Length) break;
            int tokenStart = at;
            while (at < line.Length && line[at] is not ((byte)' ' or (byte)'\t')) at++;
            ReadOnlySpan<byte> token = line[tokenStart..at];
            int colon = token.IndexOf((byte)':');
            if (first)
            {
                first = false;
                ReadOnlySpan<byte> labelText = colon < 0 ? token : token[..colon];
                if (!float.TryParse(labelText, NumberStyles.Float, CultureInfo.InvariantCulture, out float label)) Throw(tokenStart, token, "is not a valid label");
                if (colon >= 0 && !float.TryParse(token[(colon + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out _)) Throw(tokenStart, token, "has an invalid weight");
                if (labelsFromRow) builder.SetLabel(label);
                continue;
            }

            if (token.StartsWith("qid:"u8)) continue;
            ReadOnlySpan<byte> indexText = colon < 0 ? token : token[..colon];
            if (!long.TryParse(indexText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long index)) Throw(tokenStart, token, "has an index that is not an integer");
            float value = 1;
            if (colon >= 0 && !float.TryParse(token[(colon + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out value)) Throw(tokenStart, token, "has a value that is not a number");
            if (index < 0) Throw(tokenStart, token, "has a negative index");
            if (index >= builder.Columns) Throw(tokenStart, token, string.Create(CultureInfo.InvariantCulture, $"has index {index}, outside the {builder.Columns} columns of the shape"));
            if (index <= previous)
            {
                Throw(tokenStart, token, string.Create(CultureInfo.InvariantCulture, $"has index {index} after index {previous}: indices must be strictly increasing (sorted, no duplicates)"));
            }

            previous = index;
            builder.Add(index, value);
        }

        builder.EndRow();
    }

    private void Throw(int column, ReadOnlySpan<byte> token, string what)
    {
        string text = System.Text.Encoding.UTF8.GetString(token);
        bool lineKnown = !(_file == _start.File && _start.Offset > 0);
        string where = lineKnown
            ? string.Create(CultureInfo.InvariantCulture, $"Line {_line}, column {column + 1}")
            : string.Create(CultureInfo.InvariantCulture, $"The line at byte {_lineOffset}, column {column + 1},");
        throw new DataFormatException(
            $"{where} of '{CurrentFile}': token '{text}' {what}.",
            CurrentFile,
            lineKnown ? _line : null,
            _lineOffset + column);
    }
}
