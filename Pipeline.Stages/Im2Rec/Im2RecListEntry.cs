namespace Pipeline.Stages.Im2Rec;

/// <summary>One line of an image list: index, labels and the path relative to the root.</summary>
/// <param name="Index">The running index (the record id).</param>
/// <param name="Labels">The labels.</param>
/// <param name="Path">The path relative to the image root, with '/' separators.</param>
public sealed record Im2RecListEntry(long Index, float[] Labels, string Path);
