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

    /// <summary>Starts a producer that sends each batch of <paramref name="batches"/> into <paramref name="prefetch"/>, then completes it (the epoch's graph for iterators that make whole batches themselves).</summary>
    /// <param name="prefetch">The prefetch stage.</param>
    /// <param name="batches">The epoch's batches, made on a pool thread.</param>
    /// <param name="cancellationToken">Stops the epoch early: the producer completes the block.</param>
    /// <returns>The producer's task; a failure faults <paramref name="prefetch"/>. A batch the block did not take is disposed.</returns>
    public static Task Fill(BufferBlock<DataBatch> prefetch, IAsyncEnumerable<DataBatch> batches, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefetch);
        ArgumentNullException.ThrowIfNull(batches);
        return Task.Run(
            async () =>
            {
                DataBatch? pending = null;
                try
                {
                    await foreach (DataBatch batch in batches.WithCancellation(cancellationToken).ConfigureAwait(false))
                    {
                        pending = batch;
                        if (!await prefetch.SendAsync(batch, cancellationToken).ConfigureAwait(false)) return;
                        pending = null;
                    }

                    prefetch.Complete();
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    prefetch.Complete();
                }
                catch (Exception error)
                {
                    ((IDataflowBlock)prefetch).Fault(error);
                }
                finally
                {
                    pending?.Dispose();
                }
            },
            CancellationToken.None);
    }

    /// <summary>Starts a producer from a synchronous sequence of batches.</summary>
    /// <param name="prefetch">The prefetch stage.</param>
    /// <param name="batches">The epoch's batches, made on a pool thread.</param>
    /// <param name="cancellationToken">Stops the epoch early.</param>
    /// <returns>The producer's task.</returns>
    public static Task Fill(BufferBlock<DataBatch> prefetch, IEnumerable<DataBatch> batches, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batches);
        return Fill(prefetch, EpochProducer.ToAsync(batches), cancellationToken);
    }
}
