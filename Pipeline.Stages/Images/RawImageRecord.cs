namespace Pipeline.Stages.Images;

/// <summary>One encoded image on its way from a source to the decode stage.</summary>
/// <param name="Ordinal">The position in the epoch's order (0, 1, ...); augmentation randomness derives from it.</param>
/// <param name="Buffer">The encoded bytes (a pooled buffer when <paramref name="Pooled"/>).</param>
/// <param name="Length">The number of valid bytes in <paramref name="Buffer"/>.</param>
/// <param name="Label">The label vector.</param>
/// <param name="Id">The record's id (the header's <c>id</c>, the list index, or the position).</param>
/// <param name="Source">Where it came from, for error messages: file and offset, index key, or image path.</param>
/// <param name="Pooled">Whether <paramref name="Buffer"/> was rented from the shared pool and must go back.</param>
public sealed record RawImageRecord(long Ordinal, byte[] Buffer, int Length, float[] Label, ulong Id, string Source, bool Pooled);
