using System.Diagnostics.Metrics;

namespace Pipeline.Core.Diagnostics;

/// <summary>The names of the library's <see cref="System.Diagnostics.Metrics.Meter"/> and its instruments, for <c>dotnet-counters</c>, OpenTelemetry and <see cref="MeterListener"/>.</summary>
/// <remarks>
/// <para>One meter, <see cref="Name"/>, serves every iterator. The stage instruments are observable: they read the live
/// <c>PipelineMetrics</c> of each image pipeline when a listener collects, so an iterator costs nothing extra while
/// nobody listens. Every measurement is tagged with <see cref="IteratorTag"/> (the iterator's type name, for example
/// <c>ImageRecordIter</c>); stage instruments also with <see cref="StageTag"/> (<c>read</c>, <c>decode+augment</c>,
/// <c>batch</c>, <c>consumer</c>, <c>preparation</c>).</para>
/// <para><c>dotnet-counters monitor -n MyApp --counters MxDataIO</c> shows them live.</para>
/// </remarks>
public static class PipelineMeter
{
    /// <summary>The meter's name.</summary>
    public const string Name = "MxDataIO";

    /// <summary>The tag naming the iterator type.</summary>
    public const string IteratorTag = "iterator";

    /// <summary>The tag naming the pipeline stage.</summary>
    public const string StageTag = "stage";

    /// <summary>The tag naming why records were skipped (<see cref="SkippedRecords"/>: <c>Framing</c>, <c>Header</c>, <c>Labels</c>, <c>Decode</c>, <c>Augment</c>).</summary>
    public const string ReasonTag = "reason";

    /// <summary>Items a stage has processed (observable counter, <c>{item}</c>).</summary>
    public const string StageItems = "mxdataio.stage.items";

    /// <summary>Time a stage has spent working, summed over its threads (observable counter, seconds).</summary>
    public const string StageBusyTime = "mxdataio.stage.busy_time";

    /// <summary>Time a stage has spent waiting for input (observable counter, seconds).</summary>
    public const string StageInputWaitTime = "mxdataio.stage.input_wait_time";

    /// <summary>Time a stage has spent waiting for the next stage to take its output (observable counter, seconds).</summary>
    public const string StageOutputWaitTime = "mxdataio.stage.output_wait_time";

    /// <summary>Items waiting in a stage's input queue (observable gauge, <c>{item}</c>).</summary>
    public const string StageQueueDepth = "mxdataio.stage.queue_depth";

    /// <summary>Records skipped as corrupt under <c>CorruptRecordPolicy.Skip</c> (observable counter, <c>{record}</c>).</summary>
    public const string SkippedRecords = "mxdataio.records.skipped";

    /// <summary>Batches the garbage collector found without <see cref="DataBatch.Dispose"/> having been called: their buffers never went back to the pool (counter, <c>{batch}</c>).</summary>
    public const string UndisposedBatches = "mxdataio.batches.undisposed";

    /// <summary>Gets the meter every instrument belongs to.</summary>
    internal static Meter Meter { get; } = new(Name, typeof(PipelineMeter).Assembly.GetName().Version?.ToString());

    /// <summary>Gets the counter of batches that were never disposed.</summary>
    internal static Counter<long> UndisposedBatchCounter { get; } =
        Meter.CreateCounter<long>(UndisposedBatches, "{batch}", "Batches garbage-collected without Dispose(): their buffers did not return to the pool.");
}
