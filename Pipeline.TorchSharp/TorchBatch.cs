using Pipeline.Core;
using TorchSharp;

namespace Pipeline.TorchSharp;

/// <summary>One <see cref="DataBatch"/> as torch tensors: its data and label arrays, by position and by name, and its pad.</summary>
/// <remarks>
/// On the CPU the tensors are views of the batch's buffers (<see cref="TorchInterop.AsTorch"/>); on another device they
/// are copies there. <see cref="Dispose"/> disposes the tensors and the batch. A tensor needed longer can be kept with
/// <c>tensor.alias()</c> (or any view): the buffer then stays out of the pool until that tensor is disposed too.
/// </remarks>
public sealed class TorchBatch : IDisposable
{
    private readonly torch.Tensor[] _data;
    private readonly torch.Tensor[] _label;
    private readonly Dictionary<string, torch.Tensor> _byName;
    private int _disposed;

    internal TorchBatch(DataBatch batch, torch.Tensor[] data, torch.Tensor[] label, IReadOnlyList<DataDesc> dataDescs, IReadOnlyList<DataDesc> labelDescs)
    {
        Batch = batch;
        _data = data;
        _label = label;
        _byName = new Dictionary<string, torch.Tensor>(data.Length + label.Length, StringComparer.Ordinal);
        for (int i = 0; i < data.Length && i < dataDescs.Count; i++) _byName.TryAdd(dataDescs[i].Name, data[i]);
        for (int i = 0; i < label.Length && i < labelDescs.Count; i++) _byName.TryAdd(labelDescs[i].Name, label[i]);
    }

    /// <summary>Gets the batch the tensors were made from (its <see cref="DataBatch.Index"/>, its arrays).</summary>
    public DataBatch Batch { get; }

    /// <summary>Gets the data tensors, one per input, in the iterator's <see cref="DataIter.ProvideData"/> order.</summary>
    public IReadOnlyList<torch.Tensor> Data => _data;

    /// <summary>Gets the label tensors, one per output; empty when the iterator has no label.</summary>
    public IReadOnlyList<torch.Tensor> Label => _label;

    /// <summary>Gets the number of trailing examples that are filler; leave them out of metrics (and, if you like, of the loss).</summary>
    public int Pad => Batch.Pad;

    /// <summary>Gets the number of real examples: the batch size less <see cref="Pad"/>.</summary>
    public int Count => Batch.Data[0].GetLength(0) - Batch.Pad;

    /// <summary>Gets a data or label tensor by its name in <see cref="DataIter.ProvideData"/> or <see cref="DataIter.ProvideLabel"/>.</summary>
    /// <param name="name">The input or output name, for example <c>data</c> or <c>softmax_label</c>.</param>
    /// <returns>The tensor.</returns>
    /// <exception cref="KeyNotFoundException">No input or output has that name; the message lists the names there are.</exception>
    public torch.Tensor this[string name] =>
        _byName.TryGetValue(name, out torch.Tensor? tensor)
            ? tensor
            : throw new KeyNotFoundException($"The batch has no input or output named '{name}'; it has: {string.Join(", ", _byName.Keys)}.");

    /// <summary>Deconstructs a single-input batch into its data and label tensors: <c>var (x, y) = batch;</c>.</summary>
    /// <param name="data">The first data tensor.</param>
    /// <param name="label">The first label tensor.</param>
    /// <exception cref="InvalidOperationException">The batch has no label.</exception>
    public void Deconstruct(out torch.Tensor data, out torch.Tensor label)
    {
        if (_label.Length == 0) throw new InvalidOperationException("The batch has no label; use Data.");
        data = _data[0];
        label = _label[0];
    }

    /// <summary>Disposes the tensors, then the batch (its buffers go back to the pool once no other tensor views them).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        foreach (torch.Tensor tensor in _data) tensor.Dispose();
        foreach (torch.Tensor tensor in _label) tensor.Dispose();
        Batch.Dispose();
    }
}
