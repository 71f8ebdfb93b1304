using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using Pipeline.Core;
using Pipeline.Core.RecordIO;

namespace Pipeline.Stages.Images;

/// <summary>Reads image records from a <c>.rec</c> file in file order, sharded by byte range like dmlc-core's <c>recordio</c> split.</summary>
/// <remarks>
/// With <c>shuffleChunkRecords &gt; 0</c> the records are shuffled within consecutive chunks of that many records
/// (MXNet's shuffle without an index is also local to a chunk); the permutation derives from (seed, epoch, chunk).
/// A true global shuffle needs the <c>.idx</c> (<see cref="IndexedRecordSource"/>).
/// </remarks>
public sealed class RecordFileSource : ImageRecordSource
{
    private readonly string _path;
    private readonly int _partIndex;
    private readonly int _numParts;
    private readonly LabelResolver _labels;
    private readonly int _shuffleChunkRecords;
    private readonly long _seed;

    internal RecordFileSource(string path, int partIndex, int numParts, LabelResolver labels, int shuffleChunkRecords, long seed)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Record file '{path}' does not exist.", path);
        _path = path;
        _partIndex = partIndex;
        _numParts = numParts;
        _labels = labels;
        _shuffleChunkRecords = shuffleChunkRecords;
        _seed = seed;
    }

    /// <inheritdoc />
    public override int? Count => null;

    /// <inheritdoc />
    public override async IAsyncEnumerable<RawImageRecord> ReadEpochAsync(int epoch, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using RecordIOReader reader = RecordIOReader.OpenPart(_path, _partIndex, _numParts);
        long ordinal = 0;
        var chunk = new List<RawImageRecord>();
        int chunkIndex = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long offset = reader.Position;
            ReadOnlyMemory<byte>? record = await reader.ReadMemoryAsync(cancellationToken).ConfigureAwait(false);
            if (record is null) break;
            RawImageRecord raw = ToRaw(record.Value, offset, ordinal);
            if (_shuffleChunkRecords <= 0)
            {
                ordinal++;
                yield return raw;
                continue;
            }

            chunk.Add(raw);
            if (chunk.Count == _shuffleChunkRecords)
            {
                foreach (RawImageRecord item in Shuffled(chunk, epoch, chunkIndex++, ordinal)) yield return item;
                ordinal += chunk.Count;
                chunk.Clear();
            }
        }

        foreach (RawImageRecord item in Shuffled(chunk, epoch, chunkIndex, ordinal)) yield return item;
    }

    private IEnumerable<RawImageRecord> Shuffled(List<RawImageRecord> chunk, int epoch, int chunkIndex, long firstOrdinal)
    {
        RawImageRecord[] order = [.. chunk];
        SeededRandom.For(_seed, epoch, chunkIndex).Shuffle(order);
        for (int i = 0; i < order.Length; i++) yield return order[i] with { Ordinal = firstOrdinal + i };
    }

    private RawImageRecord ToRaw(ReadOnlyMemory<byte> record, long offset, long ordinal)
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
            throw new RecordFormatException($"{error.Message} ({source})", _path, offset, null, error);
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(payload.Length);
        payload.Span.CopyTo(buffer);
        return new RawImageRecord(ordinal, buffer, payload.Length, _labels.Resolve(header, source), header.Id, source, Pooled: true);
    }
}
