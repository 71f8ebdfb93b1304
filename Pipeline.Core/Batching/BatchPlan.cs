namespace Pipeline.Core.Batching;

/// <summary>The batching arithmetic every iterator shares: how many batches an epoch has, the last batch's pad, and what rolls over.</summary>
/// <remarks>
/// An epoch is the <c>carried</c> examples left over from the previous epoch (roll-over only) followed by the
/// epoch's <c>numSamples</c> examples in order. Full batches are cut from that stream; what is left is
/// padded by wrapping to the start of the epoch's order (<see cref="LastBatchHandle.Pad"/>), dropped
/// (<see cref="LastBatchHandle.Discard"/>) or carried into the next epoch (<see cref="LastBatchHandle.RollOver"/>).
/// </remarks>
internal static class BatchPlan
{
    /// <summary>Gets the number of batches an epoch yields.</summary>
    /// <param name="numSamples">The epoch's examples.</param>
    /// <param name="batchSize">The examples per batch.</param>
    /// <param name="handle">What happens to a partial last batch.</param>
    /// <param name="carried">The examples carried in from the previous epoch (roll-over only).</param>
    /// <returns>The number of batches.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is negative, <paramref name="batchSize"/> is not positive, or <paramref name="carried"/> is not below <paramref name="batchSize"/>.</exception>
    public static int BatchCount(int numSamples, int batchSize, LastBatchHandle handle, int carried = 0)
    {
        long stream = Validate(numSamples, batchSize, handle, carried);
        long full = stream / batchSize;
        bool partial = stream % batchSize != 0;
        return (int)(handle == LastBatchHandle.Pad && partial && numSamples > 0 ? full + 1 : full);
    }

    /// <summary>Gets the pad of the epoch's last batch: the number of filler examples at its end.</summary>
    /// <param name="numSamples">The epoch's examples.</param>
    /// <param name="batchSize">The examples per batch.</param>
    /// <param name="handle">What happens to a partial last batch.</param>
    /// <param name="carried">The examples carried in from the previous epoch (roll-over only).</param>
    /// <returns>The pad (0 unless <paramref name="handle"/> is <see cref="LastBatchHandle.Pad"/>).</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static int LastPad(int numSamples, int batchSize, LastBatchHandle handle, int carried = 0)
    {
        long stream = Validate(numSamples, batchSize, handle, carried);
        int rest = (int)(stream % batchSize);
        return handle == LastBatchHandle.Pad && rest != 0 && numSamples > 0 ? batchSize - rest : 0;
    }

    /// <summary>Gets the number of examples the epoch leaves to the next one.</summary>
    /// <param name="numSamples">The epoch's examples.</param>
    /// <param name="batchSize">The examples per batch.</param>
    /// <param name="handle">What happens to a partial last batch.</param>
    /// <param name="carried">The examples carried in from the previous epoch (roll-over only).</param>
    /// <returns>The examples carried out (0 unless <paramref name="handle"/> is <see cref="LastBatchHandle.RollOver"/>).</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static int CarryOut(int numSamples, int batchSize, LastBatchHandle handle, int carried = 0)
    {
        long stream = Validate(numSamples, batchSize, handle, carried);
        return handle == LastBatchHandle.RollOver ? (int)(stream % batchSize) : 0;
    }

    private static long Validate(int numSamples, int batchSize, LastBatchHandle handle, int carried)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(numSamples);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegative(carried);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(carried, batchSize);
        if (carried != 0 && handle != LastBatchHandle.RollOver)
        {
            throw new ArgumentOutOfRangeException(nameof(carried), carried, "Only roll-over carries examples between epochs.");
        }

        if (!Enum.IsDefined(handle)) throw new ArgumentOutOfRangeException(nameof(handle), handle, "Unknown LastBatchHandle.");
        return (long)numSamples + carried;
    }
}
