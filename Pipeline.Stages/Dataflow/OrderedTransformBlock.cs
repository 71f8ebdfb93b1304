using System.Threading.Tasks.Dataflow;

namespace Pipeline.Stages.Dataflow;

/// <summary>The parallel stage every pipeline shares (image decode + augment, im2rec's encode): many workers, output in input order, bounded.</summary>
internal static class OrderedTransformBlock
{
    /// <summary>Creates the stage.</summary>
    /// <typeparam name="TInput">The items taken.</typeparam>
    /// <typeparam name="TOutput">The items made.</typeparam>
    /// <param name="transform">The work on one item; it runs on up to <paramref name="threads"/> threads at once.</param>
    /// <param name="threads">The most items processed at once.</param>
    /// <param name="boundedCapacity">The most items the stage holds, waiting or done (what bounds its memory).</param>
    /// <param name="cancellationToken">Stops the stage.</param>
    /// <returns>A block whose output order is its input order, whatever order the workers finish in.</returns>
    public static TransformBlock<TInput, TOutput> Create<TInput, TOutput>(Func<TInput, TOutput> transform, int threads, int boundedCapacity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transform);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        return new TransformBlock<TInput, TOutput>(transform, new ExecutionDataflowBlockOptions
        {
            BoundedCapacity = boundedCapacity,
            MaxDegreeOfParallelism = threads,
            EnsureOrdered = true,
            SingleProducerConstrained = true,
            CancellationToken = cancellationToken,
        });
    }
}
