using Pipeline.Core;
using Pipeline.Core.Batching;

namespace Pipeline.Stages.Iterators;

/// <summary>Writes one example into its slot of the batch being assembled.</summary>
/// <typeparam name="TSample">The example type.</typeparam>
/// <param name="sample">The example.</param>
/// <param name="slot">Its rows in every output.</param>
public delegate void SampleWriter<in TSample>(TSample sample, BatchSlot slot);
