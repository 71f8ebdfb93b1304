using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Pipeline.Core.RecordIO.Internal;

/// <summary>The outcome of one attempt to parse a record from buffered bytes.</summary>
internal enum RecordParseStatus
{
    /// <summary>A whole record was parsed and consumed.</summary>
    Complete,

    /// <summary>The buffer ends inside the record; nothing was consumed.</summary>
    NeedMoreData,

    /// <summary>The data ended cleanly at a record boundary.</summary>
    EndOfData,
}

/// <summary>Where the bytes being parsed come from, for limits and error messages.</summary>
/// <param name="Path">The file, or <see langword="null"/> for an unnamed stream.</param>
/// <param name="Offset">The absolute offset of the reader's current position.</param>
/// <param name="DataEnd">The absolute offset where the data ends, or <see cref="long.MaxValue"/> when unknown.</param>
/// <param name="IsFinalBlock">Whether no more bytes will follow the buffer.</param>
internal readonly record struct RecordParseContext(string? Path, long Offset, long DataEnd, bool IsFinalBlock);

/// <summary>dmlc-core's RecordIO framing: splitting payloads at aligned magic words, and parsing parts back into records.</summary>
internal static class RecordFraming
{
    /// <summary>Parses one record starting at the reader's position.</summary>
    /// <remarks>
    /// Pure and synchronous: it never awaits, consumes nothing unless it returns <see cref="RecordParseStatus.Complete"/>,
    /// and can be called again from the same position once more bytes are buffered. Unlike dmlc-core's sequential
    /// reader it checks the part-flag order, so a stray middle or last part is an error rather than garbage.
    /// </remarks>
    /// <param name="reader">The buffered bytes, positioned at a record's first header.</param>
    /// <param name="context">Where the bytes come from.</param>
    /// <param name="scratch">A reusable buffer for reassembling split records; grown as needed.</param>
    /// <param name="payload">The record's payload: a slice of the input, or of <paramref name="scratch"/> for split records.</param>
    /// <param name="bytesNeeded">On <see cref="RecordParseStatus.NeedMoreData"/>, the number of buffered bytes from the record start that would let parsing progress.</param>
    /// <returns>Whether a record was parsed, more bytes are needed, or the data ended at a boundary.</returns>
    /// <exception cref="RecordFormatException">The bytes are not valid RecordIO.</exception>
    public static RecordParseStatus TryReadRecord(
        ref SequenceReader<byte> reader,
        in RecordParseContext context,
        ref byte[]? scratch,
        out ReadOnlySequence<byte> payload,
        out long bytesNeeded)
    {
        payload = default;
        bytesNeeded = 0;
        long start = reader.Consumed;
        if (reader.Remaining == 0 && context.IsFinalBlock)
        {
            return RecordParseStatus.EndOfData;
        }

        int assembled = 0;
        bool inSequence = false;
        while (true)
        {
            long partOffset = context.Offset + (reader.Consumed - start);
            if (reader.Remaining < RecordIOConstants.HeaderSize)
            {
                return Incomplete(ref reader, context, start, partOffset, RecordIOConstants.HeaderSize, out bytesNeeded);
            }

            reader.TryReadLittleEndian(out int magicWord);
            reader.TryReadLittleEndian(out int lrecWord);
            uint magic = (uint)magicWord;
            uint lrec = (uint)lrecWord;
            if (magic != RecordIOConstants.Magic)
            {
                RecordIOThrowHelper.ThrowBadMagic(magic, partOffset, context.Path);
            }

            uint cflag = lrec >> 29;
            uint length = lrec & RecordIOConstants.LengthMask;
            bool flagValid = inSequence
                ? cflag is RecordIOConstants.FlagMiddle or RecordIOConstants.FlagLast
                : cflag is RecordIOConstants.FlagWhole or RecordIOConstants.FlagFirst;
            if (!flagValid)
            {
                RecordIOThrowHelper.ThrowBadFlag(cflag, inSequence, partOffset, context.Path);
            }

            int padded = RecordIOConstants.PaddedLength(length);
            long payloadOffset = partOffset + RecordIOConstants.HeaderSize;

            // Only the unpadded payload must lie inside the data: dmlc reads the padding too, but a final
            // part whose padding is missing is reported as truncated below, not as a bad length.
            if (payloadOffset + length > context.DataEnd)
            {
                RecordIOThrowHelper.ThrowLengthPastEnd(length, partOffset, context.DataEnd, context.Path);
            }

            if (reader.Remaining < padded)
            {
                reader.Rewind(RecordIOConstants.HeaderSize);
                return Incomplete(ref reader, context, start, partOffset, RecordIOConstants.HeaderSize + padded, out bytesNeeded);
            }

            if (cflag == RecordIOConstants.FlagWhole)
            {
                payload = reader.Sequence.Slice(reader.Position, length);
                reader.Advance(padded);
                return RecordParseStatus.Complete;
            }

            // A split record: the writer dropped an aligned magic word between every two parts; put it back.
            long total = (long)assembled + (inSequence ? 4 : 0) + length;
            if (total > RecordIOConstants.MaxRecordLength)
            {
                RecordIOThrowHelper.ThrowTooLong(total, context.Offset, context.Path);
            }

            EnsureCapacity(ref scratch, (int)total, assembled);
            if (inSequence)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(scratch.AsSpan(assembled), RecordIOConstants.Magic);
                assembled += 4;
            }

            reader.UnreadSequence.Slice(0, length).CopyTo(scratch.AsSpan(assembled));
            assembled += (int)length;
            reader.Advance(padded);
            if (cflag == RecordIOConstants.FlagLast)
            {
                payload = new ReadOnlySequence<byte>(scratch, 0, assembled);
                return RecordParseStatus.Complete;
            }

            inSequence = true;
        }
    }

    /// <summary>Counts the aligned magic words the writer will remove from a payload (dmlc's <c>except_counter</c>).</summary>
    /// <param name="payload">The record payload.</param>
    /// <returns>The number of aligned magic words.</returns>
    public static int CountAlignedMagic(ReadOnlySpan<byte> payload)
    {
        ReadOnlySpan<uint> words = MemoryMarshal.Cast<byte, uint>(payload[..(payload.Length & ~3)]);
        return words.Count(RecordIOConstants.MagicNative);
    }

    /// <summary>Finds the next aligned magic word in a payload at or after a 4-aligned start.</summary>
    /// <param name="payload">The record payload.</param>
    /// <param name="start">A multiple of 4 to search from.</param>
    /// <returns>The byte offset of the magic word, or -1 if there is none.</returns>
    public static int IndexOfAlignedMagic(ReadOnlySpan<byte> payload, int start)
    {
        int alignedEnd = payload.Length & ~3;
        if (start >= alignedEnd) return -1;
        ReadOnlySpan<uint> words = MemoryMarshal.Cast<byte, uint>(payload[start..alignedEnd]);
        int word = words.IndexOf(RecordIOConstants.MagicNative);
        return word < 0 ? -1 : start + (word * 4);
    }

    /// <summary>Writes a part header into an 8-byte span.</summary>
    /// <param name="destination">At least 8 bytes.</param>
    /// <param name="cflag">The part kind.</param>
    /// <param name="length">The part's payload length.</param>
    public static void WriteHeader(Span<byte> destination, uint cflag, int length)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, RecordIOConstants.Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], RecordIOConstants.EncodeLrec(cflag, length));
    }

    private static RecordParseStatus Incomplete(ref SequenceReader<byte> reader, in RecordParseContext context, long start, long partOffset, long partBytes, out long bytesNeeded)
    {
        long consumedInRecord = reader.Consumed - start;
        bytesNeeded = consumedInRecord + partBytes;
        if (context.IsFinalBlock)
        {
            RecordIOThrowHelper.ThrowTruncated(partOffset, partBytes, reader.Remaining, context.Path);
        }

        reader.Rewind(consumedInRecord);
        return RecordParseStatus.NeedMoreData;
    }

    private static void EnsureCapacity([System.Diagnostics.CodeAnalysis.NotNull] ref byte[]? scratch, int needed, int keep)
    {
        if (scratch is not null && scratch.Length >= needed) return;
        byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Min(RecordIOConstants.MaxRecordLength, (scratch?.Length ?? 0) * 2)));
        if (scratch is not null)
        {
            scratch.AsSpan(0, keep).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(scratch);
        }

        scratch = larger;
    }
}
