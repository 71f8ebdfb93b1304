namespace Pipeline.Stages.Iterators.Internal;

/// <summary>Where a <see cref="CsvRowReader"/> stands: a file of its list, a byte offset in it, and what a reader needs to go on from there (line number, a pending <c>\r\n</c>).</summary>
/// <param name="File">The index of the file in the reader's list; the list's length once every file is read.</param>
/// <param name="Offset">The byte offset in that file just after the last row read.</param>
/// <param name="Line">The number of lines of that file before <paramref name="Offset"/>, for error messages.</param>
/// <param name="CarriageReturn">Whether the last line ended with <c>\r</c>, so a <c>\n</c> at <paramref name="Offset"/> ends no line.</param>
internal readonly record struct CsvPosition(int File, long Offset, long Line, bool CarriageReturn)
{
    /// <summary>Packs the position into two numbers for an iterator state.</summary>
    public (long Offset, long Packed) Pack() => (Offset, ((long)File << 48) | (CarriageReturn ? 1L << 47 : 0) | (Line & ((1L << 47) - 1)));

    /// <summary>Unpacks <see cref="Pack"/>'s numbers.</summary>
    public static CsvPosition Unpack(long offset, long rest) =>
        new((int)((ulong)rest >> 48), offset, rest & ((1L << 47) - 1), (rest & (1L << 47)) != 0);
}

/// <summary>Where the data and label files stand after a batch.</summary>
/// <param name="Data">The data files' position.</param>
/// <param name="Label">The label files' position, or null without a label file.</param>
internal sealed record CsvResumePoint(CsvPosition Data, CsvPosition? Label);
