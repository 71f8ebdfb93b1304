using System.Runtime.CompilerServices;
using Pipeline.Core;
using TorchSharp;

namespace Pipeline.TorchSharp;

/// <summary>Any <see cref="DataIter"/> as batches of torch tensors for a training loop: <c>await foreach (var batch in iter.AsTorch())</c>.</summary>
/// <remarks>
/// A view over the iterator: it does not own it (dispose the iterator as usual), and like the iterator it yields the rest
/// of the current epoch; <see cref="Reset"/> starts the next. On the CPU the tensors share the batch's memory. For a CUDA
/// device each array is viewed, copied into page-locked memory and sent with <c>non_blocking</c>, so the transfer overlaps
/// the caller's work; the batch buffer is free for the iterator again as soon as the copy is made.
/// </remarks>
public sealed class TorchBatchIter : IAsyncEnumerable<TorchBatch>
{
    /// <summary>Initializes a view of <paramref name="source"/> as tensors on <paramref name="device"/>.</summary>
    /// <param name="source">The iterator to read.</param>
    /// <param name="device">Where the tensors go; <see langword="null"/> or the CPU for zero-copy views.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    public TorchBatchIter(DataIter source, torch.Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        Source = source;
        Device = device ?? torch.CPU;
    }

    /// <summary>Gets the iterator the batches come from.</summary>
    public DataIter Source { get; }

    /// <summary>Gets the device the tensors are on.</summary>
    public torch.Device Device { get; }

    /// <summary>Produces the next batch of the epoch as tensors.</summary>
    /// <param name="cancellationToken">Cancels the wait for the batch.</param>
    /// <returns>The next batch (the caller disposes it), or <see langword="null"/> at the end of the epoch.</returns>
    public async ValueTask<TorchBatch?> NextAsync(CancellationToken cancellationToken = default)
    {
        DataBatch? batch = await Source.NextAsync(cancellationToken).ConfigureAwait(false);
        return batch is null ? null : Convert(batch);
    }

    /// <summary>Starts the next epoch (<see cref="DataIter.Reset"/>).</summary>
    public void Reset() => Source.Reset();

    /// <summary>Yields the remaining batches of the current epoch.</summary>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>An enumerator over the rest of the epoch.</returns>
    public IAsyncEnumerator<TorchBatch> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        RemainingAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);

    private async IAsyncEnumerable<TorchBatch> RemainingAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await NextAsync(cancellationToken).ConfigureAwait(false) is { } batch)
        {
            yield return batch;
        }
    }

    private TorchBatch Convert(DataBatch batch)
    {
        var data = new torch.Tensor[batch.Data.Count];
        var label = new torch.Tensor[batch.Label.Count];
        int made = 0;
        try
        {
            for (int i = 0; i < data.Length; i++, made++) data[i] = Place(batch.Data[i]);
            for (int i = 0; i < label.Length; i++, made++) label[i] = Place(batch.Label[i]);
        }
        catch
        {
            for (int i = 0; i < made; i++) (i < data.Length ? data[i] : label[i - data.Length]).Dispose();
            batch.Dispose();
            throw;
        }

        return new TorchBatch(batch, data, label, Source.ProvideData, Source.ProvideLabel);
    }

    private torch.Tensor Place(NDArray array)
    {
        torch.Tensor view = array.AsTorch();
        if (Device.type == DeviceType.CPU) return view;
        using (view)
        {
            if (Device.type != DeviceType.CUDA) return view.to(Device);

            // An asynchronous host-to-device copy needs page-locked memory; pin_memory() copies into it.
            using torch.Tensor pinned = view.pin_memory();
            return pinned.to(Device, non_blocking: true);
        }
    }
}
