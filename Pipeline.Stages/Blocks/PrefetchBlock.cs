using System.Threading.Tasks.Dataflow;
using Pipeline.Core;

namespace Pipeline.Stages.Blocks;

/// <summary>The prefetch stage: a bounded queue of ready batches between the pipeline and the consumer.</summary>
public static class PrefetchBlock
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
}
