namespace Pipeline.Core.Storage;

/// <summary>A write-only stream to a remote object that appears only when it is complete.</summary>
/// <remarks>
/// <para><see cref="Stream.Dispose()"/> after successful writes completes the object, as closing a file does; if a write
/// failed, or <see cref="Abort"/> was called, disposing leaves no object (an S3 multipart upload is aborted).
/// A process that dies mid-write leaves no object either.</para>
/// </remarks>
public abstract class StorageWriteStream : Stream
{
    /// <summary>Gets the URI being written, as shown in messages.</summary>
    public abstract string Location { get; }

    /// <summary>Gets whether a write failed or <see cref="Abort"/> was called: the object will not be created.</summary>
    public abstract bool IsAborted { get; }

    /// <inheritdoc/>
    public override bool CanRead => false;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException("A storage write stream cannot report a length.");

    /// <inheritdoc/>
    public override long Position
    {
        get => throw new NotSupportedException("A storage write stream cannot report a position.");
        set => throw new NotSupportedException("A storage write stream cannot seek.");
    }

    /// <summary>Makes the object visible with everything written so far; further writes fail.</summary>
    /// <param name="cancellationToken">Cancels the completion (the upload is then aborted).</param>
    /// <returns>A task that completes when the object exists.</returns>
    /// <exception cref="StorageException">The upload failed; nothing was created.</exception>
    public abstract Task CompleteAsync(CancellationToken cancellationToken = default);

    /// <summary>Discards everything written: no object is created.</summary>
    public abstract void Abort();

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("A storage write stream is write-only.");

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A storage write stream cannot seek.");

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException("A storage write stream cannot change its length.");
}
