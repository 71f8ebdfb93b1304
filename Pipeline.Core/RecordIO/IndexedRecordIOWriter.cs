using Pipeline.Core.RecordIO.Internal;

namespace Pipeline.Core.RecordIO;

/// <summary>Writes a <c>.rec</c> file and its <c>.idx</c> index (<c>key\toffset</c> lines), as MXNet's <c>MXIndexedRecordIO</c> does.</summary>
/// <remarks>Not thread-safe.</remarks>
public sealed class IndexedRecordIOWriter : IDisposable
{
    private readonly RecordIOWriter _records;
    private readonly StreamWriter _index;
    private readonly List<long> _keys = [];
    private bool _disposed;

    /// <summary>Creates (or truncates) an index file and a record file.</summary>
    /// <param name="idxPath">The <c>.idx</c> file to write.</param>
    /// <param name="recPath">The <c>.rec</c> file to write.</param>
    /// <exception cref="ArgumentException">A path is empty.</exception>
    /// <exception cref="IOException">A file cannot be created.</exception>
    public IndexedRecordIOWriter(string idxPath, string recPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(idxPath);
        ArgumentException.ThrowIfNullOrEmpty(recPath);
        _records = new RecordIOWriter(recPath);
        try
        {
            _index = IndexFile.Create(idxPath);
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
