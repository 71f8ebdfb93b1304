using Pipeline.Core.RecordIO.Internal;
using Pipeline.Core.Storage;

namespace Pipeline.Core.RecordIO;

/// <summary>Writes records in dmlc-core's RecordIO format, byte for byte as MXNet's <c>MXRecordIO</c> and <c>im2rec</c> do.</summary>
/// <remarks>
/// Every aligned occurrence of the magic word inside a payload is cut out and the record is split into parts
/// around it (the reader puts it back); parts are padded with zeros to 4 bytes. Not thread-safe.
/// </remarks>
public sealed class RecordIOWriter : IDisposable
{
    private static readonly byte[] s_padding = new byte[4];
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private bool _disposed;

    /// <summary>Creates (or truncates) a file and writes records to it.</summary>
    /// <param name="path">The <c>.rec</c> file to write: a path, <c>file://</c> or <c>s3://bucket/key</c> (with the <c>Pipeline.Storage.S3</c> package).</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, or a URI without a writable store.</exception>
    /// <exception cref="IOException">The file cannot be created.</exception>
    /// <remarks>An <c>s3://</c> object is uploaded in parts as it is written and appears only when the writer is disposed; a failed upload leaves no object.</remarks>
    public RecordIOWriter(string path)
        : this(path, StorageOptions.Default)
    {
    }

    /// <summary>Creates (or truncates) a file or remote object and writes records to it, with chosen storage settings.</summary>
    /// <param name="path">The <c>.rec</c> file to write: a path, <c>file://</c> or <c>s3://bucket/key</c>.</param>
    /// <param name="storage">Part size, timeouts, retries and S3 settings for a remote object.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, or a URI without a writable store.</exception>
    /// <exception cref="IOException">The file cannot be created.</exception>
    /// <remarks>An <c>s3://</c> object is uploaded in parts as it is written and appears only when the writer is disposed; a failed upload leaves no object.</remarks>
    public RecordIOWriter(string path, StorageOptions storage)
        : this(ObjectStorage.OpenWrite(path, storage), leaveOpen: false)
    {
        FilePath = path;
    }

    /// <summary>Writes records to a stream, starting at its current position.</summary>
    /// <param name="stream">A writable stream.</param>
    /// <param name="leaveOpen">Whether to leave the stream open on <see cref="Dispose"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not writable.</exception>
    public RecordIOWriter(Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite) throw new ArgumentException("The stream is not writable.", nameof(stream));
        _stream = stream;
        _leaveOpen = leaveOpen;
        Position = stream.CanSeek ? stream.Position : 0;
    }

    /// <summary>Gets the file being written, or <see langword="null"/> for a stream.</summary>
    public string? FilePath { get; }

    /// <summary>Gets the offset the next record will be written at (dmlc's <c>Tell()</c>); this is what a <c>.idx</c> stores.</summary>
    public long Position { get; private set; }

    /// <summary>Gets the number of aligned magic words cut out of payloads so far (dmlc's <c>except_counter</c>).</summary>
    public long ExceptCounter { get; private set; }

    /// <summary>Appends one record.</summary>
    /// <param name="record">The payload; any bytes, including magic words.</param>
    /// <exception cref="ArgumentException">The record is longer than 2^29 - 1 bytes, the format's limit.</exception>
    /// <exception cref="ObjectDisposedException">The writer has been disposed.</exception>
    public void Write(ReadOnlySpan<byte> record)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (record.Length > RecordIOConstants.MaxRecordLength)
        {
            throw new ArgumentException($"A RecordIO record holds at most {RecordIOConstants.MaxRecordLength} bytes; this one has {record.Length}.", nameof(record));
        }

        Span<byte> header = stackalloc byte[RecordIOConstants.HeaderSize];
        int done = 0;
        bool split = false;
        for (int magicAt = RecordFraming.IndexOfAlignedMagic(record, 0); magicAt >= 0; magicAt = RecordFraming.IndexOfAlignedMagic(record, done))
        {
            RecordFraming.WriteHeader(header, split ? RecordIOConstants.FlagMiddle : RecordIOConstants.FlagFirst, magicAt - done);
            WritePart(header, record[done..magicAt]);
            ExceptCounter++;
            split = true;
            done = magicAt + 4;
        }

        RecordFraming.WriteHeader(header, split ? RecordIOConstants.FlagLast : RecordIOConstants.FlagWhole, record.Length - done);
        WritePart(header, record[done..]);
    }

    /// <summary>Flushes buffered bytes to the underlying file or stream.</summary>
    /// <exception cref="ObjectDisposedException">The writer has been disposed.</exception>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _stream.Flush();
    }

    /// <summary>Discards the output instead of completing it: an <c>s3://</c> upload is aborted (no object appears) and a
    /// local file this writer created is deleted; a stream given to the constructor is closed (unless asked to leave it open), as by <see cref="Dispose"/>.</summary>
    /// <remarks>Call it when writing failed part way; <see cref="Dispose"/> afterwards does nothing.</remarks>
    public void Abort()
    {
        if (_disposed) return;
        _disposed = true;
        if (_stream is StorageWriteStream remote)
        {
            remote.Abort();
            remote.Dispose();
            return;
        }

        if (_leaveOpen) return;
        _stream.Dispose();
        if (FilePath is not null && ObjectStorage.TryGetLocalPath(FilePath, out string? local)) File.Delete(local);
    }

    /// <summary>Flushes and, unless asked to leave it open, closes the file or stream.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_leaveOpen)
        {
            _stream.Flush();
        }
        else
        {
            _stream.Dispose();
        }
    }

    private void WritePart(ReadOnlySpan<byte> header, ReadOnlySpan<byte> part)
    {
        _stream.Write(header);
        _stream.Write(part);
        int padding = ((part.Length + 3) & ~3) - part.Length;
        if (padding > 0) _stream.Write(s_padding, 0, padding);
        Position += header.Length + part.Length + padding;
    }
}
