namespace Pipeline.Core.Storage;

/// <summary>Opens the objects of one URI scheme: the extension point for stores beyond local files and HTTP(S) (S3 in <c>Pipeline.Storage.S3</c>; WebHDFS could be added the same way).</summary>
/// <remarks>
/// A provider is found without registration: its assembly carries a <see cref="StorageProviderAttribute"/>, and
/// <see cref="ObjectStorage"/> loads the assembly by name the first time its scheme is used. A provider must be
/// thread-safe and have a public parameterless constructor.
/// </remarks>
public abstract class StorageProvider
{
    /// <summary>Opens an object for random-access reading, pinned to its current version.</summary>
    /// <param name="uri">The object's URI.</param>
    /// <param name="options">Timeouts, retries and connection settings.</param>
    /// <param name="cancellationToken">Cancels the open.</param>
    /// <returns>The source.</returns>
    /// <exception cref="FileNotFoundException">The object does not exist.</exception>
    /// <exception cref="StorageException">The store could not be reached or refused the request; the message names the URI.</exception>
    public abstract ValueTask<ByteSource> OpenReadAsync(Uri uri, StorageOptions options, CancellationToken cancellationToken = default);

    /// <summary>Opens an object for writing from its start. The object appears only when the stream is disposed after a successful write; a failed write leaves nothing behind.</summary>
    /// <param name="uri">The object's URI.</param>
    /// <param name="options">Timeouts, retries, part size and connection settings.</param>
    /// <returns>A write-only stream; see <see cref="StorageWriteStream"/>.</returns>
    /// <exception cref="NotSupportedException">The store is read-only.</exception>
    public virtual StorageWriteStream OpenWrite(Uri uri, StorageOptions options) =>
        throw new NotSupportedException($"'{ObjectStorage.Describe(uri)}' cannot be written: the {uri?.Scheme} store is read-only here; write to s3:// or a local path.");
}
