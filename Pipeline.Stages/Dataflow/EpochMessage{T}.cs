namespace Pipeline.Stages.Dataflow;

/// <summary>An item flowing through an epoch's graph, or the marker that ends the epoch.</summary>
/// <typeparam name="T">The item type.</typeparam>
/// <param name="Item">The item; default for the end marker.</param>
/// <param name="IsEndOfEpoch">Whether this is the end marker, after which the batch stage completes the epoch's last batch.</param>
internal readonly record struct EpochMessage<T>(T Item, bool IsEndOfEpoch);
