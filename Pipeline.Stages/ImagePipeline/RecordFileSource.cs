using System.Globalization;
using System.Runtime.CompilerServices;
using Pipeline.Core;
using Pipeline.Core.RecordIO;
using Pipeline.Core.Storage;

namespace Pipeline.Stages.ImagePipeline;

/// <summary>Reads image records from a <c>.rec</c> file in file order, sharded by byte range like dmlc-core's <c>recordio</c> split.</summary>
/// <remarks>
/// With <c>shuffleChunkBytes &gt; 0</c> the records are shuffled within consecutive chunks of about that many bytes
/// (MXNet's shuffle without an index is also local to a chunk of ~8 MB); the permutation derives from (seed, epoch, chunk).
/// A true global shuffle needs the <c>.idx</c> (<see cref="IndexedRecordSource"/>).
/// </remarks>
public sealed class RecordFileSource : ImageRecordSource
{
    private readonly string _path;
    private readonly StorageOptions _storage;
    private readonly int _partIndex;
    private readonly int _numParts;
    private readonly LabelResolver _labels;
    private readonly long _shuffleChunkBytes;
    private readonly long _seed;

    /// <summary>Initializes a source over part <paramref name="partIndex"/> of <paramref name="numParts"/> of a record file.</summary>
    /// <param name="path">The <c>.rec</c> file.</param>
    /// <param name="partIndex">The part to read.</param>
    /// <param name="numParts">The number of parts.</param>
    /// <param name="labelWidth">The labels per record (a record must pack this many, or have a scalar label for 1).</param>
    /// <param name="shuffleChunkBytes">Shuffle within chunks of about this many bytes of records (0 for file order).</param>
    /// <param name="seed">The shuffle seed.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public RecordFileSource(string path, int partIndex = 0, int numParts = 1, int labelWidth = 1, long shuffleChunkBytes = 0, long seed = 0)
        : this(path, partIndex, numParts, new LabelResolver(labelWidth, null, null), shuffleChunkBytes, seed, StorageOptions.Default)
    {
    }

    internal RecordFileSource(string path, int partIndex, int numParts, LabelResolver labels, long shuffleChunkBytes, long seed, StorageOptions storage)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shuffleChunkBytes);
        _storage = storage;

        // A remote file's existence is checked when an epoch opens it (a request per check would be wasted here).
        if (ObjectStorage.TryGetLocalPath(path, out string? local) && !File.Exists(local)) throw new FileNotFoundException($"Record file '{path}' does not exist.", path);
        _path = path;
        _partIndex = partIndex;
        _numParts = numParts;
        _labels = labels;
        _shuffleChunkBytes = shuffleChunkBytes;
        _seed = seed;
    }

    /// <inheritdoc />
    public override int? Count => null;

    /// <inheritdoc />
    public override IAsyncEnumerable<RawImageRecord> ReadEpochAsync(int epoch, CancellationToken cancellationToken) => ReadEpochFromAsync(epoch, null, cancellationToken);

    /// <inheritdoc />
    internal override bool CanSeek => true;

    /// <inheritdoc />
    internal override ulong DataFingerprint()
    {
        var fingerprint = new Fingerprint();
        fingerprint.Add(Path.GetFileName(_path));
        using (ByteSource file = ObjectStorage.OpenRead(_path, _storage)) fingerprint.Add(file.Length);
        fingerprint.Add(_partIndex);
        fingerprint.Add(_numParts);
        fingerprint.Add(_shuffleChunkBytes);
        return fingerprint.Value;
    }

    /// <inheritdoc />
    /// <remarks>A position is the byte offset of the next record (file order), or of the shuffle chunk that holds it: that
    /// chunk is read again (not decoded) to find its order, and the records before the position are dropped.</remarks>
    internal override async IAsyncEnumerable<RawImageRecord> ReadEpochFromAsync(int epoch, SourcePosition? from, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using RecordIOReader reader = RecordIOReader.OpenPart(_path, _partIndex, _numParts, _storage);
        long ordinal = 0;
        var chunk = new List<RawImageRecord>();
        long chunkBytes = 0;
        int chunkIndex = 0;
        long chunkStart = reader.Position;
        long skip = 0;
        if (from is { Ordinal: > 0 } position)
        {
            reader.Seek(position.Offset);
            chunkStart = position.Offset;
            ordinal = _shuffleChunkBytes <= 0 ? position.Ordinal : position.ChunkFirst;
            chunkIndex = (int)position.Chunk;
            skip = _shuffleChunkBytes <= 0 ? 0 : position.Ordinal - position.ChunkFirst;
        }

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long offset = reader.Position;
            ReadOnlyMemory<byte>? record;
            try
            {
                record = await reader.ReadMemoryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (RecordFormatException error) when (SkipInto is not null && reader.TrySkipToNextRecordHead(offset))
            {
                // Under Skip a broken record costs that record only: reading goes on at the next record head.
                TrySkip(SkipReason.Framing, error);
                continue;
            }

            if (record is null) break;
            if (ToRaw(record.Value, offset, ordinal) is not { } raw) continue;
            if (_shuffleChunkBytes <= 0)
            {
                ordinal++;
                raw.Next = new SourcePosition(epoch, ordinal, reader.Position);
                yield return raw;
                continue;
            }

            chunk.Add(raw);
            chunkBytes += record.Value.Length;
            if (chunkBytes >= _shuffleChunkBytes)
            {
                foreach (RawImageRecord item in Shuffled(chunk, epoch, chunkIndex++, ordinal, chunkStart, reader.Position, skip)) yield return item;
                ordinal += chunk.Count;
                chunk.Clear();
                chunkBytes = 0;
                chunkStart = reader.Position;
                skip = 0;
            }
        }

        foreach (RawImageRecord item in Shuffled(chunk, epoch, chunkIndex, ordinal, chunkStart, reader.Position, skip)) yield return item;
    }

    private IEnumerable<RawImageRecord> Shuffled(List<RawImageRecord> chunk, int epoch, int chunkIndex, long firstOrdinal, long chunkStart, long chunkEnd, long skip)
    {
        RawImageRecord[] order = [.. chunk];
        SeededRandom.For(_seed, epoch, chunkIndex).Shuffle(order);
        for (int i = 0; i < order.Length; i++)
        {
            if (i < skip)
            {
                // Before the position: read to find the chunk's order, never decoded.
                order[i].Dispose();
                continue;
            }

            order[i].Ordinal = firstOrdinal + i;
            order[i].Next = i + 1 < order.Length
                ? new SourcePosition(epoch, firstOrdinal + i + 1, chunkStart, chunkIndex, firstOrdinal)
                : new SourcePosition(epoch, firstOrdinal + order.Length, chunkEnd, chunkIndex + 1, firstOrdinal + order.Length);
            yield return order[i];
        }
    }

    /// <summary>The record as a raw image, or <see langword="null"/> when its header or labels are bad and the pipeline skips such records.</summary>
    private RawImageRecord? ToRaw(ReadOnlyMemory<byte> record, long offset, long ordinal)
    {
        string source = string.Create(CultureInfo.InvariantCulture, $"'{_path}' at offset {offset}");
        ImageRecordHeader header;
        ReadOnlyMemory<byte> payload;
        try
        {
            (header, payload) = ImageRecord.Unpack(record);
        }
        catch (RecordFormatException error)
        {
            var located = new RecordFormatException($"{error.Message} ({source})", _path, offset, null, error);
            if (TrySkip(SkipReason.Header, located)) return null;
            throw located;
        }

        float[] labels;
        try
        {
            labels = _labels.Resolve(header, source);
        }
        catch (RecordFormatException error) when (TrySkip(SkipReason.Labels, error))
        {
            return null;
        }

        return RawImageRecord.Rent(ordinal, payload.Span, labels, header.Id, source);
    }
}
