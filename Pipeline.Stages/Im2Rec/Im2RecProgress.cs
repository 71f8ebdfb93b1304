namespace Pipeline.Stages.Im2Rec;

/// <summary>Progress of packing one list.</summary>
/// <param name="ListPath">The list being packed.</param>
/// <param name="Done">The images handled so far (written or skipped).</param>
/// <param name="Total">The images in the list.</param>
/// <param name="Skipped">The images skipped so far.</param>
/// <param name="Elapsed">The time since packing started.</param>
public readonly record struct Im2RecProgress(string ListPath, int Done, int Total, int Skipped, TimeSpan Elapsed);
