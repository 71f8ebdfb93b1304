using System.Threading.Tasks.Dataflow;
using Pipeline.Core;

namespace Pipeline.Stages.Blocks;

/// <summary>The batch stage: writes items into a <see cref="BatchAssembler"/> and emits each batch as it fills.</summary>
public static class BatchBlock
{
    /// <summary>Creates the batch stage.</summary>
    /// <typeparam name="T">The item type: a sample, or a chunk of samples.</typeparam>
    /// <param name="assembler">The assembler; it keeps a roll-over carry across epochs, so it outlives the block.</param>
    /// <param name="write">Writes one item into the assembler (<see cref="BatchAssembler.DataSlots"/> ... <see cref="BatchAssembler.Commit"/>), adding every full batch to the list it is given.</param>
    /// <param name="boundedCapacity">The most items and batches the stage holds.</param>
    /// <param name="cancellationToken">Stops the stage.</param>
    /// <returns>A block that takes items and the end marker and yields batches in order.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IPropagatorBlock<EpochMessage<T>, DataBatch> Create<T>(
        BatchAssembler assembler,
        Action<T, BatchAssembler, List<DataBatch>> write,
        int boundedCapacity = 2,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(assembler);
        ArgumentNullException.ThrowIfNull(write);
        var ready = new List<DataBatch>(2);
        return new TransformManyBlock<EpochMessage<T>, DataBatch>(
            message =>
            {
                ready.Clear();
                try
                {
                    if (message.IsEndOfEpoch)
                    {
                        if (assembler.CompleteEpoch() is { } last) ready.Add(last);
                    }
                    else
                    {
                        write(message.Item, assembler, ready);
                    }
                }
                catch
                {
                    foreach (DataBatch batch in ready) batch.Dispose();
                    throw;
                }

                // Most items fill no batch: no allocation for them.
                return ready.Count == 0 ? [] : ready.ToArray();
            },
            new ExecutionDataflowBlockOptions
            {
                BoundedCapacity = boundedCapacity,
                MaxDegreeOfParallelism = 1,
                EnsureOrdered = true,
                SingleProducerConstrained = true,
                CancellationToken = cancellationToken,
            });
    }
}
