using Pipeline.Core.Diagnostics;

namespace Pipeline.Core.Batching;

/// <summary>Finalizable companion of a pooled batch: finalized only when its batch was dropped without <see cref="DataBatch.Dispose"/>.</summary>
/// <remarks>The batch is its only referrer, so both become unreachable together. It is armed when the batch reaches the
/// consumer (<c>EpochRunner.NextAsync</c>) and disarmed by <see cref="DataBatch.Dispose"/>; the batch itself stays unfinalizable, so batches
/// that users build themselves cost nothing.</remarks>
internal sealed class BatchLeakSentinel
{
    private readonly IteratorTelemetry _telemetry;
    private int _armed = 1;

    /// <summary>Initializes a disarmed sentinel: it is armed when its batch reaches the consumer.</summary>
    public BatchLeakSentinel(IteratorTelemetry telemetry)
    {
        _telemetry = telemetry;
        Disarm();
    }

    ~BatchLeakSentinel() => _telemetry.OnUndisposedBatch();

#pragma warning disable CA1816 // The sentinel is not IDisposable on purpose: its batch's Dispose is what disarms it.
    /// <summary>The batch was disposed (or is not the consumer's yet): nothing to report.</summary>
    public void Disarm()
    {
        // Registration and suppression must alternate: registering twice would run the finalizer twice.
        if (Interlocked.Exchange(ref _armed, 0) == 1) GC.SuppressFinalize(this);
    }
#pragma warning restore CA1816

    /// <summary>The batch is handed to the consumer.</summary>
    public void Arm()
    {
        if (Interlocked.Exchange(ref _armed, 1) == 0) GC.ReRegisterForFinalize(this);
    }
}
