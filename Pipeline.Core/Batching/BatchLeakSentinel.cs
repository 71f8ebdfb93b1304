using Pipeline.Core.Diagnostics;

namespace Pipeline.Core.Batching;

/// <summary>Finalizable companion of a pooled batch: finalized only when its batch was dropped without <see cref="DataBatch.Dispose"/>.</summary>
/// <remarks>The batch is its only referrer, so both become unreachable together. <see cref="DataBatch.Dispose"/> suppresses the
/// finalizer and a recycled batch re-registers it when it is handed out again; the batch itself stays unfinalizable, so batches
/// that users build themselves cost nothing.</remarks>
internal sealed class BatchLeakSentinel
{
    private readonly IteratorTelemetry _telemetry;

    public BatchLeakSentinel(IteratorTelemetry telemetry) => _telemetry = telemetry;

    ~BatchLeakSentinel() => _telemetry.OnUndisposedBatch();

    /// <summary>The batch was disposed: nothing to report.</summary>
#pragma warning disable CA1816 // The sentinel is not IDisposable on purpose: its batch's Dispose is what disarms it.
    public void Disarm() => GC.SuppressFinalize(this);
#pragma warning restore CA1816

    /// <summary>The recycled batch is handed out again.</summary>
    public void Arm() => GC.ReRegisterForFinalize(this);
}
