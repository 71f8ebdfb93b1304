using Pipeline.Core;

namespace Pipeline.Tests.Infrastructure;

/// <summary>Helpers that consume iterators under a timeout.</summary>
internal static class Batches
{
    /// <summary>Reads the rest of the epoch, copying and disposing every batch.</summary>
    public static async Task<List<BatchCopy>> EpochAsync(DataIter iter)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var batches = new List<BatchCopy>();
        await foreach (DataBatch batch in iter.WithCancellation(timeout.Token))
        {
            using (batch) batches.Add(BatchCopy.Of(batch));
        }

        return batches;
    }
}
