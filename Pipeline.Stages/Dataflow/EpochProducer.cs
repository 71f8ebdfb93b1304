using System.Threading.Tasks.Dataflow;

namespace Pipeline.Stages.Dataflow;

/// <summary>Runs the read stage of an epoch: a loop that sends items into the graph's head, then the end marker.</summary>
internal static class EpochProducer
{
    /// <summary>Starts a producer that sends every item of <paramref name="items"/> into <paramref name="head"/> and completes it.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="head">The first block of the graph.</param>
    /// <param name="items">The epoch's items, read on a pool thread.</param>
    /// <param name="cancellationToken">Stops the epoch early: the producer completes the head without the end marker.</param>
    /// <returns>The producer's task; a failure faults <paramref name="head"/>, and so the whole graph.</returns>
    public static Task Start<T>(ITargetBlock<EpochMessage<T>> head, IAsyncEnumerable<T> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(items);
        return Task.Run(
            async () =>
            {
                try
                {
                    await foreach (T item in items.WithCancellation(cancellationToken).ConfigureAwait(false))
                    {
                        if (!await head.SendAsync(new EpochMessage<T>(item, IsEndOfEpoch: false), cancellationToken).ConfigureAwait(false)) return;
                    }

                    await head.SendAsync(new EpochMessage<T>(default!, IsEndOfEpoch: true), cancellationToken).ConfigureAwait(false);
                    head.Complete();
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    head.Complete();
                }
                catch (Exception error)
                {
                    head.Fault(error);
                }
            },
            CancellationToken.None);
    }

    /// <summary>Starts a producer from a synchronous sequence.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="head">The first block of the graph.</param>
    /// <param name="items">The epoch's items, enumerated on a pool thread.</param>
    /// <param name="cancellationToken">Stops the epoch early.</param>
    /// <returns>The producer's task.</returns>
    public static Task Start<T>(ITargetBlock<EpochMessage<T>> head, IEnumerable<T> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        return Start(head, ToAsync(items), cancellationToken);
    }

    /// <summary>A synchronous sequence as an asynchronous one, enumerated by whoever awaits it.</summary>
    internal static async IAsyncEnumerable<T> ToAsync<T>(IEnumerable<T> items)
    {
        foreach (T item in items)
        {
            yield return item;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
