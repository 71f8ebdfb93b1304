namespace Pipeline.Stages.Iterators.Internal;

/// <summary>Parsed CSV rows on their way to the batch stage, in pooled buffers the batch stage returns.</summary>
internal sealed record CsvChunk(byte[] Data, byte[]? Label, int Rows, long FirstRow);
