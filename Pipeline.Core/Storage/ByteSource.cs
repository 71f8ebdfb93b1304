using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Pipeline.Core.Storage;

/// <summary>A read-only, random-access sequence of bytes: a local file, an HTTP(S) resource or an object in S3, pinned to one version.</summary>
/// <remarks>
/// <para>Reads are positional and may run concurrently. A remote source retries a failed request at the exact byte
/// offset it reached, a bounded number of times, and pins the version it saw when opened (<see cref="Version"/>):
/// a replaced object is an <see cref="ObjectChangedException"/>, never a mix of two versions.</para>
/// <para>This is the seam for further stores (a WebHDFS source is a subclass plus a <see cref="StorageProvider"/>).</para>
/// </remarks>
public abstract class ByteSource : IDisposable, IAsyncDisposable
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="location">The path or URI, as shown in messages (without credentials).</param>
    /// <param name="length">The length in bytes.</param>
    /// <param name="version">The version the reads are pinned to (an ETag), or <see langword="null"/>.</param>
    protected ByteSource(string location, long length, string? version)
    {
        ArgumentException.ThrowIfNullOrEmpty(location);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Location = location;
        Length = length;
        Version = version;
    }

    /// <summary>Gets the path or URI, as shown in messages.</summary>
    public string Location { get; }

    /// <summary>Gets the length in bytes, measured when the source was opened.</summary>
    public long Length { get; }

    /// <summary>Gets the version every read is pinned to (an ETag), or <see langword="null"/> for a local file.</summary>
    public string? Version { get; }

    /// <summary>Gets whether the bytes are a local file (read with the operating system's page cache, no request overhead).</summary>
    public virtual bool IsLocal => false;

    /// <summary>Reads bytes at an offset into the caller's memory.</summary>
    /// <param name="offset">The offset of the first byte.</param>
    /// <param name="destination">Where to put them.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The number of bytes read: <c>destination.Length</c>, or fewer only where the source ends.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is negative.</exception>
    /// <exception cref="StorageException">The read failed after the retries; the message names the location and offset.</exception>
    /// <exception cref="ObjectChangedException">The object was replaced since it was opened.</exception>
    public ValueTask<int> ReadAtAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        int count = Clamp(offset, destination.Length);
        return count == 0 ? new ValueTask<int>(0) : ReadCoreAsync(offset, destination[..count], cancellationToken);
    }

    /// <summary>Reads bytes at an offset into the caller's memory, blocking until they arrive.</summary>
    /// <param name="offset">The offset of the first byte.</param>
    /// <param name="destination">Where to put them.</param>
    /// <returns>The number of bytes read: <c>destination.Length</c>, or fewer only where the source ends.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is negative.</exception>
    /// <exception cref="StorageException">The read failed after the retries; the message names the location and offset.</exception>
    /// <exception cref="ObjectChangedException">The object was replaced since it was opened.</exception>
    public int ReadAt(long offset, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        int count = Clamp(offset, destination.Length);
        return count == 0 ? 0 : ReadCore(offset, destination[..count]);
    }

    /// <summary>Opens a sequential, seekable stream over the bytes from <paramref name="begin"/>, reading ahead in large requests.</summary>
    /// <param name="begin">Where reading starts.</param>
    /// <param name="readAheadEnd">Where the read-ahead stops (a shard's end): bytes past it are still readable, fetched on demand in small requests.</param>
    /// <param name="options">The read-ahead sizes.</param>
    /// <returns>A stream positioned at <paramref name="begin"/>; disposing it does not dispose this source.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="begin"/> or <paramref name="readAheadEnd"/> is out of range.</exception>
    public virtual Stream OpenSequential(long begin, long readAheadEnd, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ReadAheadStream(this, begin, readAheadEnd, options.ReadAheadChunkSize, options.ReadAheadDepth, leaveOpen: true);
    }

    /// <summary>Reads exactly <c>destination.Length</c> bytes, all inside the source.</summary>
    /// <param name="offset">The offset of the first byte.</param>
    /// <param name="destination">Where to put them; never empty, never past <see cref="Length"/>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns><c>destination.Length</c>, or fewer only if the object became shorter.</returns>
    protected abstract ValueTask<int> ReadCoreAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken);

    /// <summary>Copies a ranged response's body into <paramref name="destination"/> from <c>received.Value</c> on, advancing it as bytes arrive, for sources whose reads retry.</summary>
    /// <remarks>
    /// Progress is kept in <paramref name="received"/> across attempts, also when the body fails midway, so a retry asks
    /// only for the bytes still missing (and counts as an attempt that made progress).
    /// </remarks>
    /// <param name="body">The response body for bytes <c>offset + received.Value</c> to the end of <paramref name="destination"/>.</param>
    /// <param name="offset">The offset of <paramref name="destination"/>'s first byte in the object.</param>
    /// <param name="destination">The whole range being read.</param>
    /// <param name="received">The bytes of <paramref name="destination"/> already filled.</param>
    /// <param name="cancellationToken">Cancels the copy.</param>
    /// <returns>A task that completes when <paramref name="destination"/> is full.</returns>
    /// <exception cref="IOException">The body ended before <paramref name="destination"/> was full.</exception>
    protected static async ValueTask ReceiveBodyAsync(Stream body, long offset, Memory<byte> destination, StrongBox<int> received, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(received);
        long from = offset + received.Value;
        while (received.Value < destination.Length)
        {
            int read = await body.ReadAsync(destination[received.Value..], cancellationToken).ConfigureAwait(false);
            if (read == 0) break;
            received.Value += read;
        }

        if (received.Value < destination.Length)
        {
            throw new IOException(string.Create(CultureInfo.InvariantCulture, $"The response body ended after {offset + received.Value - from} of {offset + destination.Length - from} bytes."));
        }
    }

    /// <summary>Reads exactly <c>destination.Length</c> bytes, all inside the source, blocking; by default through <see cref="ReadCoreAsync"/>.</summary>
    /// <param name="offset">The offset of the first byte.</param>
    /// <param name="destination">Where to put them; never empty, never past <see cref="Length"/>.</param>
    /// <returns><c>destination.Length</c>, or fewer only if the object became shorter.</returns>
    protected virtual int ReadCore(long offset, Span<byte> destination)
    {
        byte[] rented = ArrayPool<byte>.Shared.Rent(destination.Length);
        try
        {
            int read = ReadCoreAsync(offset, rented.AsMemory(0, destination.Length), CancellationToken.None).AsTask().GetAwaiter().GetResult();
            rented.AsSpan(0, read).CopyTo(destination);
            return read;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Releases the source's resources.</summary>
    /// <param name="disposing">Whether called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>Releases the source's resources.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the source's resources.</summary>
    /// <returns>A task that completes when they are released.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    private int Clamp(long offset, int length) => offset >= Length ? 0 : (int)Math.Min(length, Length - offset);
}
