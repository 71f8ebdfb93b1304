using Microsoft.Win32.SafeHandles;

namespace Pipeline.Core.Storage.Internal;

/// <summary>A local file read with positional reads; its sequential stream is a plain unbuffered <see cref="FileStream"/>, as fast as before URIs existed.</summary>
internal sealed class LocalFileSource : ByteSource
{
    private readonly SafeFileHandle _handle;
    private readonly string _path;

    private LocalFileSource(string path, SafeFileHandle handle)
        : base(path, RandomAccess.GetLength(handle), version: null)
    {
        _path = path;
        _handle = handle;
    }

    public override bool IsLocal => true;

    public static LocalFileSource Open(string path)
    {
        SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            return new LocalFileSource(path, handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public override Stream OpenSequential(long begin, long readAheadEnd, StorageOptions options)
    {
        var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        stream.Seek(begin, SeekOrigin.Begin);
        return stream;
    }

    protected override ValueTask<int> ReadCoreAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken) =>
        RandomAccess.ReadAsync(_handle, destination, offset, cancellationToken);

    protected override int ReadCore(long offset, Span<byte> destination) => RandomAccess.Read(_handle, destination, offset);

    protected override void Dispose(bool disposing)
    {
        if (disposing) _handle.Dispose();
        base.Dispose(disposing);
    }
}
