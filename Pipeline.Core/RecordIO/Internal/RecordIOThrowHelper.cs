using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Pipeline.Core.RecordIO.Internal;

/// <summary>One-line throws for the RecordIO hot paths, so the callers stay small enough to inline.</summary>
internal static class RecordIOThrowHelper
{
    [DoesNotReturn]
    public static void ThrowBadMagic(uint found, long offset, string? path) =>
        throw new RecordFormatException(
            offset == 0
                ? NotRecordIO(found, path)
                : Invariant($"Invalid RecordIO magic 0x{found:X8} at offset {offset} in {Describe(path)}; expected 0x{RecordIOConstants.Magic:X8}."),
            path,
            offset);

    /// <summary>The message for data whose first word is not the RecordIO magic: the wrong file, not a damaged one.</summary>
    public static string NotRecordIO(uint firstWord, string? path)
    {
        // Little-endian first word of common formats, to say what the file is instead.
        string? kind = (firstWord & 0xFFFFFF) switch
        {
            0xFFD8FF => "a JPEG image",
            0x474E50 when firstWord == 0x474E5089 => "a PNG image",
            _ => null,
        };
        return Invariant($"{(path is null ? "The stream" : $"'{path}'")} is not a RecordIO file{(kind is null ? string.Empty : $" (it looks like {kind})")}: it starts with 0x{firstWord:X8}, not the RecordIO magic 0x{RecordIOConstants.Magic:X8}.");
    }

    [DoesNotReturn]
    public static void ThrowBadFlag(uint cflag, bool inSequence, long offset, string? path) =>
        throw new RecordFormatException(
            inSequence
                ? Invariant($"Broken multi-part RecordIO record at offset {offset} in {Describe(path)}: part flag {cflag} found where a middle (2) or last (3) part was expected.")
                : Invariant($"Invalid RecordIO part flag {cflag} at offset {offset} in {Describe(path)}; a record must start with a whole (0) or first (1) part."),
            path,
            offset);

    [DoesNotReturn]
    public static void ThrowLengthPastEnd(uint length, long offset, long streamEnd, string? path) =>
        throw new RecordFormatException(
            Invariant($"RecordIO part at offset {offset} in {Describe(path)} declares {length} payload bytes, past the end of the data at offset {streamEnd}."),
            path,
            offset);

    [DoesNotReturn]
    public static void ThrowTruncated(long offset, long needed, long available, string? path) =>
        throw new RecordFormatException(
            Invariant($"Truncated RecordIO record at offset {offset} in {Describe(path)}: expected {needed} more bytes, found {available}."),
            path,
            offset);

    [DoesNotReturn]
    public static void ThrowTooLong(long length, long offset, string? path) =>
        throw new RecordFormatException(
            Invariant($"RecordIO record at offset {offset} in {Describe(path)} is {length} bytes long; the format allows at most {RecordIOConstants.MaxRecordLength}."),
            path,
            offset);

    public static string Describe(string? path) => path is null ? "the stream" : $"'{path}'";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
