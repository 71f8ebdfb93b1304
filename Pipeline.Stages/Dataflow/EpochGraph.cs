using System.Threading.Tasks.Dataflow;
using Pipeline.Core;

namespace Pipeline.Stages.Dataflow;

/// <summary>One running epoch: the graph's last block, which yields the batches, and the producer that feeds its head.</summary>
/// <param name="Tail">The last block; it completes after the epoch's last batch.</param>
/// <param name="Producer">The read loop (<see cref="EpochProducer"/>); the epoch has stopped only once it has returned, since it may still be using the source.</param>
internal readonly record struct EpochGraph(ISourceBlock<DataBatch> Tail, Task Producer);
