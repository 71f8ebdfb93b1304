namespace Pipeline.Stages.ImagePipeline;

/// <summary>The read stage of an image pipeline: gives the encoded images of one epoch, in order.</summary>
/// <remarks>Implementations must be deterministic for a given epoch (shuffles derive from a seed and the epoch).</remarks>
public abstract class ImageRecordSource : IDisposable
{
    /// <summary>Gets the number of images per epoch when known in advance, else <see langword="null"/>.</summary>
    public abstract int? Count { get; }

    /// <summary>Reads the encoded images of one epoch.</summary>
    /// <param name="epoch">The zero-based epoch.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The images, in the epoch's order, with ordinals 0, 1, ...</returns>
    public abstract IAsyncEnumerable<RawImageRecord> ReadEpochAsync(int epoch, CancellationToken cancellationToken);

    /// <summary>Releases files.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases files.</summary>
    /// <param name="disposing"><see langword="true"/> from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }
}
