using System.Threading.Tasks.Dataflow;
using Pipeline.Core;
using Pipeline.Core.Batching;

namespace Pipeline.Stages.Dataflow;

/// <summary>The batch stage: writes items into a <see cref="BatchAssembler"/> and emits each batch as it fills.</summary>
internal static class BatchBlock
{
    /// <summary>Creates the batch stage.</summary>
    /// <typeparam name="T">The item type: a sample, or a chunk of at most one batch of samples.</typeparam>
    /// <param name="assembler">The assembler; it keeps a roll-over carry across epochs, so it outlives the block.</param>
    /// <param name="write">Writes one item into the assembler (<see cref="BatchAssembler.DataSlots"/> ... <see cref="BatchAssembler.Commit"/>) and returns the batch it filled, if any (an item may fill at most one).</param>
    /// <param name="boundedCapacity">The most items the stage holds.</param>
    /// <param name="cancellationToken">Stops the stage.</param>
    /// <returns>A block that takes items and the end marker and yields batches in order.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IPropagatorBlock<EpochMessage<T>, DataBatch> Create<T>(
        BatchAssembler assembler,
        Func<T, BatchAssembler, DataBatch?> write,
        int boundedCapacity = 2,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(assembler);
        ArgumentNullException.ThrowIfNull(write);
        var batcher = new TransformBlock<EpochMessage<T>, DataBatch?>(
            message => message.IsEndOfEpoch ? assembler.CompleteEpoch() : write(message.Item, assembler),
            new ExecutionDataflowBlockOptions
            {
                BoundedCapacity = boundedCapacity,
                MaxDegreeOfParallelism = 1,
                EnsureOrdered = true,
                SingleProducerConstrained = true,
                CancellationToken = cancellationToken,
            });

        // Most items fill no batch; their null results are dropped here instead of allocating per item.
        var batches = new BufferBlock<DataBatch>(new DataflowBlockOptions { BoundedCapacity = 1 });
        batcher.LinkTo(batches!, new DataflowLinkOptions { PropagateCompletion = true }, batch => batch is not null);
        batcher.LinkTo(DataflowBlock.NullTarget<DataBatch?>(), batch => batch is null);
        return DataflowBlock.Encapsulate(batcher, batches);
    }

    /// <summary>Keeps the one batch an item may fill; a second one means the item was larger than a batch.</summary>
    /// <param name="filled">The batch the item filled so far, if any.</param>
    /// <param name="full">The batch the latest commit returned, if any.</param>
    /// <returns>The item's batch.</returns>
    /// <exception cref="InvalidOperationException">The item filled two batches.</exception>
    internal static DataBatch? KeepOne(DataBatch? filled, DataBatch? full)
    {
        if (full is null) return filled;
        if (filled is null) return full;
        filled.Dispose();
        full.Dispose();
        throw new InvalidOperationException("One item filled two batches; an item may hold at most one batch of samples.");
    }
}
