using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Pipelines;
using Pipeline.Core;
using Pipeline.Core.Storage;

namespace Pipeline.Stages.Iterators.Internal;

/// <summary>Streams numeric CSV rows out of one or more files with System.IO.Pipelines, so files larger than memory work.</summary>
/// <remarks>
/// Text rules follow dmlc's CSV parser where they are sane: lines end at <c>\n</c>, <c>\r</c> or <c>\r\n</c>; blank
/// lines are skipped; a UTF-8 BOM is ignored; fields are separated by commas and may carry surrounding blanks; an
/// empty field at the very start or end of a line is ignored. Unlike dmlc, an empty or unparsable field, and
/// integers written in hex or octal, are errors naming the file, line and column rather than silently skipped or
/// reinterpreted values.
/// </remarks>
internal sealed class CsvRowReader : IAsyncDisposable
{
    private readonly IReadOnlyList<string> _files;
    private readonly int _valuesPerRow;
    private readonly DType _dtype;
    private readonly string _shapeText;
    private int _fileIndex = -1;
    private PipeReader? _pipe;
    private ReadOnlySequence<byte> _buffer;
    private SequencePosition _consumed;
    private bool _completed;
    private bool _atFileStart;
    private bool _lastEndWasCarriageReturn;
    private long _line;
    private readonly StorageOptions _storage;
    private long _bufferOffset;
    private CsvPosition? _pendingSeek;
    private byte[] _lineScratch = [];

    public CsvRowReader(IReadOnlyList<string> files, int valuesPerRow, DType dtype, string shapeText, StorageOptions storage)
    {
        _files = files;
        _storage = storage;
        _valuesPerRow = valuesPerRow;
        _dtype = dtype;
        _shapeText = shapeText;
    }

    /// <summary>Gets the file being read, for error messages.</summary>
    public string CurrentFile => _fileIndex >= 0 && _fileIndex < _files.Count ? _files[_fileIndex] : _files[^1];

    /// <summary>Gets the 1-based line number of the last line read.</summary>
    public long Line => _line;

    /// <summary>Gets where the reader stands: just after the last row it returned (the start of the next file once one is finished).</summary>
    public CsvPosition Position => _pipe is null
        ? new CsvPosition(Math.Min(_fileIndex + 1, _files.Count), 0, 0, CarriageReturn: false)
        : new CsvPosition(_fileIndex, _bufferOffset + _buffer.Slice(_buffer.Start, _consumed).Length, _line, _lastEndWasCarriageReturn);

    /// <summary>Makes the reader start at <paramref name="position"/> (a <see cref="Position"/> of a reader over the same files) instead of the first file's start.</summary>
    /// <param name="position">Where to start.</param>
    /// <exception cref="InvalidOperationException">The reader has already started.</exception>
    public void StartAt(CsvPosition position)
    {
        if (_fileIndex != -1) throw new InvalidOperationException("A CSV reader can only be positioned before it starts.");
        _fileIndex = position.File - 1;
        _pendingSeek = position;
    }

    /// <summary>Parses the next row into <paramref name="destination"/> (values of the reader's dtype).</summary>
    public CsvReadStatus TryReadRow(Span<byte> destination)
    {
        while (true)
        {
            if (_pipe is null)
            {
                if (!OpenNextFile()) return CsvReadStatus.End;
                return CsvReadStatus.NeedMoreData;
            }

            var reader = new SequenceReader<byte>(_buffer.Slice(_consumed));
            if (_atFileStart)
            {
                if (reader.Remaining < 3 && !_completed) return CsvReadStatus.NeedMoreData;
                if (reader.IsNext("\uFEFF"u8, advancePast: true)) _consumed = reader.Position;
                _atFileStart = false;
            }

            ReadOnlySpan<byte> line;
            if (reader.TryReadToAny(out ReadOnlySequence<byte> lineSequence, "\r\n"u8, advancePastDelimiter: false))
            {
                reader.TryRead(out byte end);
                bool crlfSecondHalf = end == (byte)'\n' && _lastEndWasCarriageReturn && lineSequence.IsEmpty;
                _lastEndWasCarriageReturn = end == (byte)'\r';
                _consumed = reader.Position;
                if (crlfSecondHalf) continue;
                _line++;
                line = Flatten(lineSequence);
            }
            else if (!_completed)
            {
                return CsvReadStatus.NeedMoreData;
            }
            else
            {
                // The last line of a file may have no terminator.
                ReadOnlySequence<byte> rest = reader.UnreadSequence;
                _consumed = _buffer.End;
                bool hadText = !rest.IsEmpty;
                if (hadText) _line++;
                line = hadText ? Flatten(rest) : default;
                CloseCurrentFile();
                if (!hadText) continue;
            }

            if (IsBlank(line)) continue;
            ParseRow(line, destination);
            return CsvReadStatus.Row;
        }
    }

    /// <summary>Reads more text from the current file.</summary>
    public async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_pipe is null) return;
        if (_buffer.Length > 0 || _consumed.GetObject() is not null)
        {
            _bufferOffset += _buffer.Slice(_buffer.Start, _consumed).Length;
            _pipe.AdvanceTo(_consumed, _buffer.End);
        }

        ReadResult result = await _pipe.ReadAsync(cancellationToken).ConfigureAwait(false);
        _buffer = result.Buffer;
        _consumed = _buffer.Start;
        _completed = result.IsCompleted;
    }

    public async ValueTask DisposeAsync()
    {
        if (_pipe is not null) await _pipe.CompleteAsync().ConfigureAwait(false);
        _pipe = null;
    }

    private bool OpenNextFile()
    {
        _fileIndex++;
        if (_fileIndex >= _files.Count) return false;
        Stream stream = ObjectStorage.OpenSequentialRead(_files[_fileIndex], _storage);
        CsvPosition? seek = _pendingSeek;
        _pendingSeek = null;
        if (seek is { Offset: > 0 } at) SeekTo(stream, at);
        _pipe = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 1 << 16, minimumReadSize: 1 << 14));
        _buffer = default;
        _consumed = default;
        _completed = false;
        _atFileStart = seek is not { Offset: > 0 };
        _lastEndWasCarriageReturn = seek?.CarriageReturn ?? false;
        _line = seek?.Line ?? 0;
        _bufferOffset = seek?.Offset ?? 0;
        return true;
    }

    private void SeekTo(Stream stream, CsvPosition at)
    {
        if (at.Offset > stream.Length)
        {
            stream.Dispose();
            throw new DataFormatException(
                string.Create(CultureInfo.InvariantCulture, $"Cannot resume '{_files[_fileIndex]}' at byte {at.Offset}: the file has only {stream.Length} bytes."),
                _files[_fileIndex],
                lineNumber: null,
                offset: at.Offset);
        }

        stream.Seek(at.Offset, SeekOrigin.Begin);
    }

    private void CloseCurrentFile()
    {
        _pipe!.AdvanceTo(_buffer.End);
        _pipe.Complete();
        _pipe = null;
        _buffer = default;
    }

    private ReadOnlySpan<byte> Flatten(ReadOnlySequence<byte> sequence)
    {
        if (sequence.IsSingleSegment) return sequence.FirstSpan;
        if (_lineScratch.Length < sequence.Length) _lineScratch = new byte[Math.Max((int)sequence.Length, _lineScratch.Length * 2)];
        sequence.CopyTo(_lineScratch);
        return _lineScratch.AsSpan(0, (int)sequence.Length);
    }

    private static bool IsBlank(ReadOnlySpan<byte> line) => line.IndexOfAnyExcept((byte)' ', (byte)'\t') < 0;

    private void ParseRow(ReadOnlySpan<byte> line, Span<byte> destination)
    {
        int count = 0;
        int fieldStart = 0;
        int fieldNumber = 0;
        while (fieldStart <= line.Length)
        {
            int comma = line[fieldStart..].IndexOf((byte)',');
            int fieldEnd = comma < 0 ? line.Length : fieldStart + comma;
            ReadOnlySpan<byte> field = line[fieldStart..fieldEnd].Trim(" \t"u8);
            fieldNumber++;
            bool edge = (fieldStart == 0 && comma >= 0) || comma < 0;
            if (field.IsEmpty)
            {
                if (!edge) Throw(fieldStart, fieldNumber, "an empty field");
            }
            else
            {
                if (count == _valuesPerRow) ThrowCount(CountValues(line));
                if (!TryWrite(field, destination, count)) Throw(fieldStart, fieldNumber, $"'{InputQuote.Of(field)}', which is not a valid {_dtype.ToNumPyName()}");
                count++;
            }

            if (comma < 0) break;
            fieldStart = fieldEnd + 1;
        }

        if (count != _valuesPerRow) ThrowCount(count);
    }

    private static int CountValues(ReadOnlySpan<byte> line)
    {
        int count = 0;
        foreach (System.Range range in line.Split((byte)','))
        {
            if (!line[range].Trim(" \t"u8).IsEmpty) count++;
        }

        return count;
    }

    private bool TryWrite(ReadOnlySpan<byte> field, Span<byte> destination, int index)
    {
        switch (_dtype)
        {
            case DType.Float32:
                if (!TryParseFloat(field, out float single)) return false;
                BinaryPrimitives.WriteSingleLittleEndian(destination[(index * 4)..], single);
                return true;
            case DType.Int32:
                if (!int.TryParse(field, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int int32)) return false;
                BinaryPrimitives.WriteInt32LittleEndian(destination[(index * 4)..], int32);
                return true;
            default:
                if (!long.TryParse(field, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long int64)) return false;
                BinaryPrimitives.WriteInt64LittleEndian(destination[(index * 8)..], int64);
                return true;
        }
    }

    private static bool TryParseFloat(ReadOnlySpan<byte> field, out float value)
    {
        if (float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out value)) return true;

        // dmlc also accepts a trailing 'f' and C's inf/nan spellings.
        if (field.Length > 1 && (field[^1] | 0x20) == 'f' && float.TryParse(field[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out value)) return true;
        ReadOnlySpan<byte> body = field[0] is (byte)'+' or (byte)'-' ? field[1..] : field;
        float sign = field[0] == (byte)'-' ? -1f : 1f;
        if (System.Text.Ascii.EqualsIgnoreCase(body, "inf"u8) || System.Text.Ascii.EqualsIgnoreCase(body, "infinity"u8))
        {
            value = sign * float.PositiveInfinity;
            return true;
        }

        if (System.Text.Ascii.EqualsIgnoreCase(body, "nan"u8))
        {
            value = float.NaN;
            return true;
        }

        return false;
    }

    private void Throw(int column, int fieldNumber, string what) =>
        throw new DataFormatException(
            string.Create(CultureInfo.InvariantCulture, $"Line {_line}, column {column + 1} (field {fieldNumber}) of '{CurrentFile}' holds {what}."),
            CurrentFile,
            lineNumber: _line);

    private void ThrowCount(int found) =>
        throw new DataFormatException(
            string.Create(CultureInfo.InvariantCulture, $"Line {_line} of '{CurrentFile}' has {found} values, but the shape {_shapeText} needs {_valuesPerRow}."),
            CurrentFile,
            lineNumber: _line);
}
