using System.Runtime.InteropServices;

namespace Pipeline.Core.Batching;

/// <summary>The place of one example in the batch being assembled: typed views of its rows in every output.</summary>
/// <remarks>Valid only during the call that received it; write every element of every row.</remarks>
public readonly ref struct BatchSlot
{
    private readonly BatchAssembler _assembler;

    /// <summary>Initializes a slot view over the assembler's next free slot.</summary>
    /// <param name="assembler">The assembler.</param>
    /// <param name="ordinal">The example's ordinal in the epoch.</param>
    internal BatchSlot(BatchAssembler assembler, long ordinal)
    {
        ArgumentNullException.ThrowIfNull(assembler);
        _assembler = assembler;
        Ordinal = ordinal;
    }

    /// <summary>Gets the example's ordinal in the epoch (0, 1, ...), the seed coordinate of per-sample randomness.</summary>
    public long Ordinal { get; }

    /// <summary>Gets the example's row of a data output.</summary>
    /// <typeparam name="T">The output's element type.</typeparam>
    /// <param name="output">The data output.</param>
    /// <returns>The row's elements.</returns>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> does not match the output's dtype.</exception>
    public Span<T> Data<T>(int output = 0)
        where T : unmanaged
    {
        Check<T>(_assembler.Data[output]);
        return MemoryMarshal.Cast<byte, T>(_assembler.DataSlots(output, 1));
    }

    /// <summary>Gets the example's row of a label output.</summary>
    /// <typeparam name="T">The output's element type.</typeparam>
    /// <param name="output">The label output.</param>
    /// <returns>The row's elements.</returns>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> does not match the output's dtype.</exception>
    public Span<T> Label<T>(int output = 0)
        where T : unmanaged
    {
        Check<T>(_assembler.Label[output]);
        return MemoryMarshal.Cast<byte, T>(_assembler.LabelSlots(output, 1));
    }

    private static void Check<T>(DataDesc desc)
        where T : unmanaged
    {
        DType requested = DTypeExtensions.Of<T>();
        if (requested != desc.DType)
        {
            throw new InvalidOperationException($"Output '{desc.Name}' holds {desc.DType.ToNumPyName()} elements; it cannot be written as {requested.ToNumPyName()}.");
        }
    }
}
