namespace Pipeline.Stages.Iterators.Internal;

/// <summary>The outcome of one attempt to read a CSV row from buffered text.</summary>
internal enum CsvReadStatus
{
    /// <summary>A row was parsed into the destination.</summary>
    Row,

    /// <summary>More text must be read first (<see cref="CsvRowReader.FillAsync"/>).</summary>
    NeedMoreData,

    /// <summary>Every file has been read.</summary>
    End,
}
