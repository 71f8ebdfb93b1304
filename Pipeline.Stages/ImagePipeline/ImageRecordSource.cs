using Pipeline.Core;
using Pipeline.Core.Storage;

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

    /// <summary>The source of MXNet's C++ record iterators (<c>ImageRecordIter</c>, <c>ImageDetRecordIter</c>): keyed by the
    /// <c>.idx</c> when one is given, else the <c>.rec</c> in file order, shuffled within chunks of
    /// <paramref name="shuffleChunkSizeMb"/> MB, or of 8 MB when <paramref name="shuffle"/> is set without a size (MXNet's rule).</summary>
    internal static ImageRecordSource ForRecordIter(
        string rec, string? idx, int partIndex, int numParts, bool shuffle, int shuffleChunkSizeMb, long seed, LabelResolver labels, StorageOptions storage)
    {
        if (idx is not null) return new IndexedRecordSource(idx, rec, partIndex, numParts, shuffle, seed, labels, storage);
        long chunkBytes = shuffleChunkSizeMb > 0 ? shuffleChunkSizeMb * (1L << 20) : shuffle ? 8L << 20 : 0;
        return new RecordFileSource(rec, partIndex, numParts, labels, chunkBytes, seed, storage);
    }

    /// <summary>Gets whether the source can start an epoch at a saved position (<see cref="ReadEpochFromAsync"/>), which saving an iterator's state needs.</summary>
    internal virtual bool CanSeek => false;

    /// <summary>Reads the encoded images of one epoch from a position, each record carrying the position after it.</summary>
    /// <param name="epoch">The zero-based epoch.</param>
    /// <param name="from">Where to start (a record's <see cref="RawImageRecord.Next"/> of the same epoch), or null for the epoch's start.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The images from that position on, in the epoch's order.</returns>
    /// <exception cref="NotSupportedException">The source cannot seek.</exception>
    internal virtual IAsyncEnumerable<RawImageRecord> ReadEpochFromAsync(int epoch, SourcePosition? from, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{GetType().FullName} cannot start an epoch at a saved position.");

    /// <summary>Gets or sets where per-record failures of the read itself (framing, header, labels) are counted when the pipeline skips
    /// corrupt records (<see cref="CorruptRecordPolicy.Skip"/>); <see langword="null"/> when they fail the epoch.</summary>
    /// <remarks>Set by the pipeline that owns the source. The built-in sources honour it; a custom source's own failures always end the epoch.</remarks>
    internal PipelineMetrics? SkipInto { get; set; }

    /// <summary>Counts a per-record failure as a skip when the pipeline skips corrupt records.</summary>
    /// <returns><see langword="true"/> when skipped (the caller moves on); <see langword="false"/> when the caller must throw.</returns>
    internal bool TrySkip(SkipReason reason, PipelineException error)
    {
        if (SkipInto is not { } metrics) return false;
        metrics.AddSkipped(reason, error.Message);
        return true;
    }

    /// <summary>Gets a fingerprint of the data the source reads (files, part, order options), for an iterator state.</summary>
    internal virtual ulong DataFingerprint() => 0;

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
