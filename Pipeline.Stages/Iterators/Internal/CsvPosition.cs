using Pipeline.Core;

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

    /// <summary>Writes a data position and an optional label position as a saved state's cursors; returns how many (2 or 4).</summary>
    public static int PackPair(CsvPosition data, CsvPosition? label, Span<long> cursors)
    {
        (cursors[0], cursors[1]) = data.Pack();
        if (label is not { } l) return 2;
        (cursors[2], cursors[3]) = l.Pack();
        return 4;
    }

    /// <summary>Reads <see cref="PackPair"/>'s cursors back, refusing a count or a file index that does not fit the iterator's files.</summary>
    /// <exception cref="ArgumentException">The state's cursors do not describe positions in these files.</exception>
    public static (CsvPosition Data, CsvPosition? Label) UnpackPair(DataIter iter, IteratorState state, int dataFiles, int labelFiles)
    {
        if (state.Cursors.Count != (labelFiles == 0 ? 2 : 4)) throw IteratorState.BadPosition(iter, $"it holds {state.Cursors.Count} file positions");
        CsvPosition data = Unpack(state.Cursors[0], state.Cursors[1]);
        CsvPosition? label = labelFiles == 0 ? null : Unpack(state.Cursors[2], state.Cursors[3]);
        if (data.File > dataFiles || (label is { } l && l.File > labelFiles)) throw IteratorState.BadPosition(iter, $"it names file {data.File} of {dataFiles}");
        return (data, label);
    }
}

/// <summary>Where the data and label files stand after a batch.</summary>
/// <param name="Data">The data files' position.</param>
/// <param name="Label">The label files' position, or null without a label file.</param>
internal sealed record CsvResumePoint(CsvPosition Data, CsvPosition? Label);
