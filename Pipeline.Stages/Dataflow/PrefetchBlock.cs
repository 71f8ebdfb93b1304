using System.Threading.Tasks.Dataflow;
using Pipeline.Core;

namespace Pipeline.Stages.Dataflow;

/// <summary>The prefetch stage: a bounded queue of ready batches between the pipeline and the consumer.</summary>
internal static class PrefetchBlock
{
    /// <summary>Creates the prefetch stage.</summary>
    /// <param name="depth">The most batches kept ready (MXNet's <c>prefetch_buffer</c>).</param>
    /// <returns>A bounded buffer block.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="depth"/> is not positive.</exception>
    public static BufferBlock<DataBatch> Create(int depth)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(depth);
        return new BufferBlock<DataBatch>(new DataflowBlockOptions { BoundedCapacity = depth, EnsureOrdered = true });
    }

    /// <summary>Ends a graph with the prefetch stage: a bounded queue of <paramref name="depth"/> ready batches.</summary>
    /// <param name="batches">The block that makes the batches.</param>
    /// <param name="depth">How many batches to keep ready.</param>
    /// <returns>The graph's new last block.</returns>
    public static BufferBlock<DataBatch> Append(ISourceBlock<DataBatch> batches, int depth)
    {
        ArgumentNullException.ThrowIfNull(batches);
        BufferBlock<DataBatch> prefetch = Create(depth);
        batches.LinkTo(prefetch, new DataflowLinkOptions { PropagateCompletion = true });
        return prefetch;
    }
}
