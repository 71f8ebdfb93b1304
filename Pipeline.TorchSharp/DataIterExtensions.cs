using Pipeline.Core;
using TorchSharp;

namespace Pipeline.TorchSharp;

/// <summary>Extensions that feed iterators to TorchSharp.</summary>
public static class DataIterExtensions
{
    /// <summary>Views the iterator's batches as torch tensors (see <see cref="TorchBatchIter"/>).</summary>
    /// <param name="iter">The iterator; it is not disposed by the view.</param>
    /// <param name="device">Where the tensors go; <see langword="null"/> or the CPU for zero-copy views.</param>
    /// <returns>The view, for <c>await foreach</c> or <see cref="TorchBatchIter.NextAsync"/>.</returns>
    public static TorchBatchIter AsTorch(this DataIter iter, torch.Device? device = null) => new(iter, device);
}
