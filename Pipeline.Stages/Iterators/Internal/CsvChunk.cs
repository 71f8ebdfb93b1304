namespace Pipeline.Stages.Iterators.Internal;

/// <summary>Parsed CSV rows on their way to the batch stage, in pooled buffers the batch stage returns.</summary>
/// <param name="Data">The data rows.</param>
/// <param name="Label">The label rows, or null without a label file.</param>
/// <param name="Rows">The number of rows.</param>
/// <param name="FirstRow">The first row's number in the epoch (its index).</param>
/// <param name="End">Where the files stand after the last row (a state resumes there).</param>
/// <param name="Filler">Whether the rows are the epoch's first rows again, padding a resumed epoch's last batch.</param>
internal sealed record CsvChunk(byte[] Data, byte[]? Label, int Rows, long FirstRow, CsvResumePoint End, bool Filler = false);
