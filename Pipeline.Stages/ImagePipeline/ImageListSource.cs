using System.Globalization;
using System.Runtime.CompilerServices;
using Pipeline.Core;
using Pipeline.Core.RecordIO;
using Pipeline.Core.Storage;

namespace Pipeline.Stages.ImagePipeline;

/// <summary>Reads image files named by a list (an MXNet <c>.lst</c> or an in-memory list) under a root folder.</summary>
/// <remarks>Sharding follows MXNet's Python <c>ImageIter</c>: each part takes <c>count / numParts</c> entries, so the last <c>count % numParts</c> are used by no part.</remarks>
public sealed class ImageListSource : ImageRecordSource
{
    private readonly ImageListEntry[] _entries;
    private readonly string _root;
    private readonly bool _shuffle;
    private readonly long _seed;

    /// <summary>Initializes a source over image files.</summary>
    /// <param name="entries">The images: index (the id), labels and path relative to <paramref name="root"/>.</param>
    /// <param name="root">The folder the paths are relative to.</param>
    /// <param name="partIndex">The part to read.</param>
    /// <param name="numParts">The number of parts.</param>
    /// <param name="shuffle">Whether each epoch reads the images in a new order from (seed, epoch).</param>
    /// <param name="seed">The shuffle seed.</param>
    /// <exception cref="ArgumentOutOfRangeException">The part index or count is out of range.</exception>
    public ImageListSource(IReadOnlyList<ImageListEntry> entries, string root, int partIndex = 0, int numParts = 1, bool shuffle = false, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(root);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numParts);
        ArgumentOutOfRangeException.ThrowIfNegative(partIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(partIndex, numParts);
        int per = entries.Count / numParts;
        _entries = [.. entries.Skip(partIndex * per).Take(per)];
        _root = root;
        _shuffle = shuffle;
        _seed = seed;
    }

    /// <inheritdoc />
    public override int? Count => _entries.Length;

    /// <summary>Gets how a remote root (<c>s3://</c>, <c>http(s)://</c>) is read.</summary>
    internal StorageOptions Storage { get; init; } = StorageOptions.Default;

    /// <inheritdoc />
    public override IAsyncEnumerable<RawImageRecord> ReadEpochAsync(int epoch, CancellationToken cancellationToken) => ReadEpochFromAsync(epoch, null, cancellationToken);

    /// <inheritdoc />
    internal override bool CanSeek => true;

    /// <inheritdoc />
    internal override ulong DataFingerprint()
    {
        var fingerprint = new Fingerprint();
        fingerprint.Add(_entries.Length);
        int step = Math.Max(1, _entries.Length / 64);
        for (int i = 0; i < _entries.Length; i += step)
        {
            fingerprint.Add(_entries[i].Index);
            fingerprint.Add(_entries[i].Path);
        }

        return fingerprint.Value;
    }

    /// <inheritdoc />
    internal override async IAsyncEnumerable<RawImageRecord> ReadEpochFromAsync(int epoch, SourcePosition? from, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        int[] order = new int[_entries.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        if (_shuffle) SeededRandom.For(_seed, epoch).Shuffle(order);
        for (int i = (int)Math.Min(from?.Ordinal ?? 0, order.Length); i < order.Length; i++)
        {
            (long index, float[] labels, string path) = _entries[order[i]];
            ulong id = (ulong)index;
            string full = ObjectStorage.Combine(_root, path);
            byte[] bytes;
            try
            {
                bytes = await ObjectStorage.ReadAllBytesAsync(full, Storage, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException or StorageException)
            {
                var unreadable = new RecordFormatException($"Cannot read image '{full}' (list entry {id}): {error.Message}", full, null, id.ToString(CultureInfo.InvariantCulture), error);
                if (TrySkip(SkipReason.Decode, unreadable)) continue;
                throw unreadable;
            }

            yield return new RawImageRecord(i, bytes, labels, id, $"'{full}'") { Next = new SourcePosition(epoch, i + 1) };
        }
    }
}
