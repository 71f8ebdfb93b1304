namespace Pipeline.Core;

/// <summary>What an iterator does with the examples that do not fill the last batch of an epoch.</summary>
/// <remarks>MXNet spells these <c>'pad'</c>, <c>'discard'</c> and <c>'roll_over'</c>.</remarks>
public enum LastBatchHandle
{
    /// <summary>Fill the last batch by wrapping to the start of the epoch's order; <see cref="DataBatch.Pad"/> counts the filler.</summary>
    Pad,

    /// <summary>Drop the examples that do not fill a whole batch.</summary>
    Discard,

    /// <summary>Carry the leftover examples into the first batch of the next epoch.</summary>
    RollOver,
}
