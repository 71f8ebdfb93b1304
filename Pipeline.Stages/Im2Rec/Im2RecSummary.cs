namespace Pipeline.Stages.Im2Rec;

/// <summary>What packing one list produced.</summary>
/// <param name="ListPath">The <c>.lst</c> file.</param>
/// <param name="RecPath">The <c>.rec</c> written.</param>
/// <param name="IdxPath">The <c>.idx</c> written.</param>
/// <param name="Written">The records written.</param>
/// <param name="Skipped">The images skipped, with the reason.</param>
/// <param name="Bytes">The size of the <c>.rec</c>.</param>
/// <param name="Elapsed">The time taken.</param>
public sealed record Im2RecSummary(string ListPath, string RecPath, string IdxPath, int Written, IReadOnlyList<(string Path, string Reason)> Skipped, long Bytes, TimeSpan Elapsed);
