namespace Pipeline.Stages.ImagePipeline;

/// <summary>Where an image source stands after a record: the epoch, the ordinal of the next record, and where a stream source reads it from.</summary>
/// <param name="Epoch">The epoch the position is in.</param>
/// <param name="Ordinal">The ordinal (position in the epoch's order) of the next record.</param>
/// <param name="Offset">For a record file: the byte offset of the next record, or of the shuffle chunk that holds it.</param>
/// <param name="Chunk">For a record file shuffled by chunks: the chunk's number in the part.</param>
/// <param name="ChunkFirst">For a record file shuffled by chunks: the ordinal of the chunk's first record.</param>
internal readonly record struct SourcePosition(int Epoch, long Ordinal, long Offset = 0, long Chunk = 0, long ChunkFirst = 0);
