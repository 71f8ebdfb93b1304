using Pipeline.Core.RecordIO.Internal;
using Pipeline.Core.Storage;

namespace Pipeline.Core.RecordIO;

/// <summary>Writes a <c>.rec</c> file and its <c>.idx</c> index (<c>key\toffset</c> lines), as MXNet's <c>MXIndexedRecordIO</c> does.</summary>
/// <remarks>Not thread-safe.</remarks>
public sealed class IndexedRecordIOWriter : IDisposable
{
    private readonly RecordIOWriter _records;
    private readonly StreamWriter _index;
    private readonly List<long> _keys = [];
    private readonly string? _indexLocalPath;
    private bool _disposed;

    /// <summary>Creates (or truncates) an index file and a record file.</summary>
    /// <param name="idxPath">The <c>.idx</c> file to write: a path, <c>file://</c> or <c>s3://bucket/key</c>.</param>
    /// <param name="recPath">The <c>.rec</c> file to write: a path, <c>file://</c> or <c>s3://bucket/key</c>.</param>
    /// <exception cref="ArgumentException">A path is empty, or a URI without a writable store.</exception>
    /// <exception cref="IOException">A file cannot be created.</exception>
    public IndexedRecordIOWriter(string idxPath, string recPath)
        : this(idxPath, recPath, StorageOptions.Default)
    {
    }

    /// <summary>Creates (or truncates) an index file and a record file, either of which may be remote, with chosen storage settings.</summary>
    /// <param name="idxPath">The <c>.idx</c> file to write: a path, <c>file://</c> or <c>s3://bucket/key</c>.</param>
    /// <param name="recPath">The <c>.rec</c> file to write: a path, <c>file://</c> or <c>s3://bucket/key</c>.</param>
    /// <param name="storage">Part size, timeouts, retries and S3 settings for remote objects.</param>
    /// <exception cref="ArgumentException">A path is empty, or a URI without a writable store.</exception>
    /// <exception cref="IOException">A file cannot be created.</exception>
    /// <remarks>Remote objects are uploaded as they are written and appear only when the writer is disposed.</remarks>
    public IndexedRecordIOWriter(string idxPath, string recPath, StorageOptions storage)
    {
        ArgumentException.ThrowIfNullOrEmpty(idxPath);
        ArgumentException.ThrowIfNullOrEmpty(recPath);
        ArgumentNullException.ThrowIfNull(storage);
        _records = new RecordIOWriter(recPath, storage);
        try
        {
            _indexLocalPath = ObjectStorage.TryGetLocalPath(idxPath, out string? local) ? local : null;
            _index = _indexLocalPath is not null ? IndexFile.Create(_indexLocalPath) : IndexFile.Create(ObjectStorage.OpenWrite(idxPath, storage));
        }
        catch
        {
            _records.Dispose();
            throw;
        }
    }

    /// <summary>Gets the keys written so far, in write order (a repeated key appears each time it was written).</summary>
    public IReadOnlyList<long> Keys => _keys;

    /// <summary>Gets the offset the next record will be written at (MXNet's <c>tell()</c>).</summary>
    public long Position => _records.Position;

    /// <summary>Appends a record and an index line naming its key and offset.</summary>
    /// <param name="key">The record's key.</param>
    /// <param name="record">The payload.</param>
    /// <exception cref="ArgumentException">The record is longer than the format allows.</exception>
    /// <exception cref="ObjectDisposedException">The writer has been disposed.</exception>
    public void WriteIdx(long key, ReadOnlySpan<byte> record)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long position = _records.Position;
        _records.Write(record);
        IndexFile.WriteLine(_index, key, position);
        _keys.Add(key);
    }

    /// <summary>Discards both outputs instead of completing them: remote uploads are aborted (no object appears) and local files are deleted.</summary>
    /// <remarks>Call it when writing failed part way; <see cref="Dispose"/> afterwards does nothing.</remarks>
    public void Abort()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            _records.Abort();
        }
        finally
        {
            if (_index.BaseStream is StorageWriteStream remote)
            {
                remote.Abort();
                remote.Dispose();
            }
            else
            {
                _index.Dispose();
                if (_indexLocalPath is not null) File.Delete(_indexLocalPath);
            }
        }
    }

    /// <summary>Flushes and closes both files.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            _records.Dispose();
        }
        finally
        {
            _index.Dispose();
        }
    }
}
