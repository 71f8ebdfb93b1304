using System.Globalization;
using System.Runtime.CompilerServices;
using Pipeline.Core;
using Pipeline.Core.RecordIO;
using Pipeline.Core.Storage;

namespace Pipeline.Stages.ImagePipeline;

/// <summary>Reads image records by key through a <c>.idx</c>, sharded by count like dmlc-core's <c>indexed_recordio</c> split, optionally in a new random order every epoch.</summary>
public sealed class IndexedRecordSource : ImageRecordSource
{
    private const int RemoteBatch = 64;
    private readonly IndexedRecordIOReader _reader;
    private readonly IReadOnlyList<long> _keys;
    private readonly bool _shuffle;
    private readonly long _seed;
    private readonly LabelResolver _labels;

    /// <summary>Initializes a source over part <paramref name="partIndex"/> of <paramref name="numParts"/> of an indexed record file.</summary>
    /// <param name="idxPath">The <c>.idx</c> file.</param>
    /// <param name="recPath">The <c>.rec</c> file.</param>
    /// <param name="partIndex">The part to read.</param>
    /// <param name="numParts">The number of parts.</param>
    /// <param name="shuffle">Whether each epoch reads the part in a new order from (seed, epoch).</param>
    /// <param name="seed">The shuffle seed.</param>
    /// <param name="labelWidth">The labels per record.</param>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="RecordFormatException">The index is malformed.</exception>
    public IndexedRecordSource(string idxPath, string recPath, int partIndex = 0, int numParts = 1, bool shuffle = false, long seed = 0, int labelWidth = 1)
        : this(idxPath, recPath, partIndex, numParts, shuffle, seed, new LabelResolver(labelWidth, null, null), StorageOptions.Default)
    {
    }

    internal IndexedRecordSource(string idxPath, string recPath, int partIndex, int numParts, bool shuffle, long seed, LabelResolver labels, StorageOptions storage)
    {
        _reader = new IndexedRecordIOReader(idxPath, recPath, storage);
        _keys = _reader.GetPartKeys(partIndex, numParts);
        _shuffle = shuffle;
        _seed = seed;
        _labels = labels;
    }

    /// <inheritdoc />
    public override int? Count => _keys.Count;

    /// <summary>Gets the keys of this part, in offset order.</summary>
    public IReadOnlyList<long> Keys => _keys;

    /// <inheritdoc />
    public override IAsyncEnumerable<RawImageRecord> ReadEpochAsync(int epoch, CancellationToken cancellationToken) => ReadEpochFromAsync(epoch, null, cancellationToken);

    /// <inheritdoc />
    internal override bool CanSeek => true;

    /// <inheritdoc />
    internal override ulong DataFingerprint()
    {
        var fingerprint = new Fingerprint();
        fingerprint.Add(Path.GetFileName(_reader.FilePath));
        fingerprint.Add(_keys.Count);
        int step = Math.Max(1, _keys.Count / 64);
        for (int i = 0; i < _keys.Count; i += step) fingerprint.Add(_keys[i]);
        if (_keys.Count > 0) fingerprint.Add(_keys[^1]);
        return fingerprint.Value;
    }

    /// <inheritdoc />
    internal override async IAsyncEnumerable<RawImageRecord> ReadEpochFromAsync(int epoch, SourcePosition? from, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long[] order = [.. _keys];
        if (_shuffle) SeededRandom.For(_seed, epoch).Shuffle(order);

        // The order is a function of (seed, epoch): a position is just an ordinal in it. A remote file is read a batch of
        // keys at a time: neighbours share a request, and the requests run concurrently.
        byte[][]? batch = null;
        int batchStart = 0;
        for (int i = (int)Math.Min(from?.Ordinal ?? 0, order.Length); i < order.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long key = order[i];
            string source = string.Create(CultureInfo.InvariantCulture, $"'{_reader.FilePath}' key {key}");
            byte[] record;
            if (_reader.IsRemote)
            {
                if (batch is null || i - batchStart >= batch.Length)
                {
                    batchStart = i;
                    batch = await _reader.ReadIdxAsync(new ArraySegment<long>(order, i, Math.Min(RemoteBatch, order.Length - i)), cancellationToken).ConfigureAwait(false);
                }

                record = batch[i - batchStart];
                batch[i - batchStart] = null!;
            }
            else
            {
                try
                {
                    record = _reader.ReadIdx(key);
                }
                catch (RecordFormatException error) when (TrySkip(SkipReason.Framing, error))
                {
                    // Read by key, a broken record costs only itself.
                    continue;
                }
            }

            ImageRecordHeader header;
            ReadOnlyMemory<byte> payload;
            try
            {
                (header, payload) = ImageRecord.Unpack(record);
            }
            catch (RecordFormatException error)
            {
                var located = new RecordFormatException($"{error.Message} ({source})", _reader.FilePath, null, key.ToString(CultureInfo.InvariantCulture), error);
                if (TrySkip(SkipReason.Header, located)) continue;
                throw located;
            }

            float[] labels;
            try
            {
                labels = _labels.Resolve(header, source);
            }
            catch (RecordFormatException error) when (TrySkip(SkipReason.Labels, error))
            {
                continue;
            }

            // The payload is the tail of the record's own array: hand it over, no copy.
            yield return new RawImageRecord(i, payload, labels, header.Id, source) { Next = new SourcePosition(epoch, i + 1) };
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _reader.Dispose();
        base.Dispose(disposing);
    }
}
