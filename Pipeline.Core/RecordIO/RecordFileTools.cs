using System.Globalization;
using Pipeline.Core.RecordIO.Internal;

namespace Pipeline.Core.RecordIO;

/// <summary>Record-file utilities behind <c>rec verify|index|stats|head|split</c>.</summary>
public static class RecordFileTools
{
    /// <summary>Reads a whole <c>.rec</c> and reports the first corruption, if any.</summary>
    /// <param name="recPath">The file.</param>
    /// <returns>The records read before any corruption, the bytes they span, and the error (naming the offset) or <see langword="null"/>.</returns>
    public static (long Records, long Bytes, RecordFormatException? Error) Verify(string recPath)
    {
        using var reader = new RecordIOReader(recPath);
        long records = 0;
        try
        {
            while (reader.TryRead(out _)) records++;
            return (records, reader.Position, null);
        }
        catch (RecordFormatException error)
        {
            return (records, reader.Position, error);
        }
    }

    /// <summary>Rebuilds the <c>.idx</c> of a <c>.rec</c>: one <c>key \t offset</c> line per record.</summary>
    /// <param name="recPath">The record file.</param>
    /// <param name="idxPath">The index to write (replaced atomically).</param>
    /// <param name="keysFromHeader">Use each image record's header id as its key (im2rec's keys); otherwise the record's position.</param>
    /// <returns>The number of records indexed.</returns>
    /// <exception cref="RecordFormatException">The record file is corrupt.</exception>
    public static long RebuildIndex(string recPath, string idxPath, bool keysFromHeader = true)
    {
        string temporary = idxPath + ".tmp";
        long count = 0;
        try
        {
            using (var reader = new RecordIOReader(recPath))
            using (StreamWriter writer = IndexFile.Create(temporary))
            {
                long offset = reader.Position;
                while (reader.TryRead(out ReadOnlyMemory<byte> record))
                {
                    long key = keysFromHeader && record.Length >= ImageRecordHeader.Size ? (long)ImageRecordHeader.Parse(record.Span).Id : count;
                    IndexFile.WriteLine(writer, key, offset);
                    offset = reader.Position;
                    count++;
                }
            }

            File.Move(temporary, idxPath, overwrite: true);
            return count;
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Counts records, their sizes and their (first) labels.</summary>
    /// <param name="recPath">The record file.</param>
    /// <returns>The count, smallest, mean and largest record size, and a histogram of first labels.</returns>
    /// <exception cref="RecordFormatException">The record file is corrupt.</exception>
    public static (long Records, int MinBytes, double MeanBytes, int MaxBytes, SortedDictionary<float, long> Labels) Stats(string recPath)
    {
        using var reader = new RecordIOReader(recPath);
        long count = 0, total = 0;
        int min = int.MaxValue, max = 0;
        var labels = new SortedDictionary<float, long>();
        while (reader.TryRead(out ReadOnlyMemory<byte> record))
        {
            count++;
            total += record.Length;
            min = Math.Min(min, record.Length);
            max = Math.Max(max, record.Length);
            if (record.Length >= ImageRecordHeader.Size)
            {
                (ImageRecordHeader header, _) = ImageRecord.Unpack(record);
                float label = header.Labels is { Length: > 0 } many ? many[0] : header.Label;
                labels[label] = labels.GetValueOrDefault(label) + 1;
            }
        }

        return (count, count == 0 ? 0 : min, count == 0 ? 0 : (double)total / count, max, labels);
    }

    /// <summary>Reads the headers of the first records.</summary>
    /// <param name="recPath">The record file.</param>
    /// <param name="count">How many records (all if negative).</param>
    /// <returns>Each record's offset, header and payload length.</returns>
    /// <exception cref="RecordFormatException">The record file is corrupt.</exception>
    public static IReadOnlyList<(long Offset, ImageRecordHeader Header, int PayloadBytes)> Headers(string recPath, int count)
    {
        using var reader = new RecordIOReader(recPath);
        var result = new List<(long, ImageRecordHeader, int)>();
        long offset = reader.Position;
        while ((count < 0 || result.Count < count) && reader.TryRead(out ReadOnlyMemory<byte> record))
        {
            (ImageRecordHeader header, ReadOnlyMemory<byte> payload) = ImageRecord.Unpack(record);
            result.Add((offset, header, payload.Length));
            offset = reader.Position;
        }

        return result;
    }

    /// <summary>Splits a <c>.rec</c> into <paramref name="parts"/> shards (dmlc-core's byte-range rule), each with its <c>.idx</c>: all of them or none.</summary>
    /// <param name="recPath">The record file.</param>
    /// <param name="outputPrefix">The shards are <c>PREFIX-00000-of-0000N.rec</c> and <c>.idx</c>.</param>
    /// <param name="parts">The number of shards.</param>
    /// <returns>The shard files and their record counts.</returns>
    /// <remarks>Every shard is written under a temporary name and the set is renamed only once the whole file has been read, so a
    /// corrupt or truncated input leaves neither temporary files nor a partial set of shards (existing shards stay as they were).</remarks>
    /// <exception cref="RecordFormatException">The record file is corrupt.</exception>
    public static IReadOnlyList<(string RecPath, long Records)> Split(string recPath, string outputPrefix, int parts)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(parts);
        var shards = new List<(string, long)>();
        var written = new List<string>();
        try
        {
            for (int part = 0; part < parts; part++)
            {
                string stem = string.Create(CultureInfo.InvariantCulture, $"{outputPrefix}-{part:D5}-of-{parts:D5}");
                long records = 0;
                written.Add(stem);
                using (RecordIOReader reader = RecordIOReader.OpenPart(recPath, part, parts))
                using (var writer = new IndexedRecordIOWriter(stem + ".idx.tmp", stem + ".rec.tmp"))
                {
                    while (reader.TryRead(out ReadOnlyMemory<byte> record))
                    {
                        long key = record.Length >= ImageRecordHeader.Size ? (long)ImageRecordHeader.Parse(record.Span).Id : records;
                        writer.WriteIdx(key, record.Span);
                        records++;
                    }
                }

                shards.Add((stem + ".rec", records));
            }
        }
        catch
        {
            foreach (string stem in written)
            {
                File.Delete(stem + ".rec.tmp");
                File.Delete(stem + ".idx.tmp");
            }

            throw;
        }

        foreach (string stem in written)
        {
            File.Move(stem + ".rec.tmp", stem + ".rec", overwrite: true);
            File.Move(stem + ".idx.tmp", stem + ".idx", overwrite: true);
        }

        return shards;
    }
}
