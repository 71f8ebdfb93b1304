namespace Pipeline.Core.RecordIO;

/// <summary>One line of an MXNet image list (<c>.lst</c>): <c>index \t label(s) \t path</c>.</summary>
/// <param name="Index">The image's id (the record header's <c>id</c> once packed); never negative.</param>
/// <param name="Labels">The label(s).</param>
/// <param name="Path">The image path, relative to the image root.</param>
public sealed record ImageListEntry(long Index, float[] Labels, string Path);
