using System.Collections.Concurrent;
using System.Text;
using Pipeline.Core;
using Pipeline.Core.Diagnostics;

namespace Pipeline.Stages.ImagePipeline;

/// <summary>The live metrics of an image pipeline: one <see cref="StageMetrics"/> per stage, and the records skipped as corrupt.</summary>
public sealed class PipelineMetrics
{
    private readonly ConcurrentQueue<string> _skipped = new();
    private readonly long[] _skippedByReason = new long[Enum.GetValues<SkipReason>().Length];
    private long _skippedCount;

    internal PipelineMetrics(int threads, IteratorTelemetry telemetry)
    {
        Telemetry = telemetry;
        Preparation = new StageMetrics("preparation", 1);
        Read = new StageMetrics("read", 1);
        Decode = new StageMetrics("decode+augment", threads);
        Batch = new StageMetrics("batch", 1);
        Consumer = new StageMetrics("consumer", 1);
    }

    /// <summary>Gets the one-time work done before the first record is decoded (computing a missing mean image); 0 items when there was none.</summary>
    public StageMetrics Preparation { get; }

    /// <summary>Gets the read stage (source records to the decode queue).</summary>
    public StageMetrics Read { get; }

    /// <summary>Gets the decode and augment stage.</summary>
    public StageMetrics Decode { get; }

    /// <summary>Gets the batch stage (samples into batch buffers).</summary>
    public StageMetrics Batch { get; }

    /// <summary>Gets the consumer: its waiting-for-input time is how long <c>NextAsync</c> waited for a batch.</summary>
    public StageMetrics Consumer { get; }

    /// <summary>Gets every stage in pipeline order.</summary>
    public IReadOnlyList<StageMetrics> Stages => [Preparation, Read, Decode, Batch, Consumer];

    /// <summary>Gets the number of records skipped as corrupt (with <c>CorruptRecordPolicy.Skip</c>).</summary>
    public long SkippedRecords => Interlocked.Read(ref _skippedCount);

    /// <summary>Gets the number of records skipped for one reason (with <c>CorruptRecordPolicy.Skip</c>).</summary>
    /// <param name="reason">The reason.</param>
    /// <returns>The count so far.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reason"/> is not a defined value.</exception>
    public long SkippedFor(SkipReason reason)
    {
        if ((uint)reason >= (uint)_skippedByReason.Length) throw new ArgumentOutOfRangeException(nameof(reason), reason, "Unknown SkipReason.");
        return Interlocked.Read(ref _skippedByReason[(int)reason]);
    }

    /// <summary>Gets up to the first 100 skipped records, each naming its file and offset or key and the reason.</summary>
    public IReadOnlyCollection<string> SkippedDetails => _skipped;

    /// <summary>Gets how many batches were garbage-collected without <see cref="DataBatch.Dispose"/>: their buffers never went back to the pool, so later batches allocated new ones.</summary>
    /// <remarks>Counted when the garbage collector finds them, so a count can appear late; the options' logger says so once.</remarks>
    public long UndisposedBatches => Telemetry.UndisposedBatches;

    /// <summary>Gets the iterator's meter tag and logger.</summary>
    internal IteratorTelemetry Telemetry { get; }

    /// <summary>Returns one line per stage and the skip count.</summary>
    /// <returns>The table.</returns>
    public override string ToString()
    {
        var builder = new StringBuilder();
        foreach (StageMetrics stage in Stages) builder.AppendLine(stage.ToString());
        builder.Append("skipped records: ").Append(SkippedRecords);
        foreach (SkipReason reason in Enum.GetValues<SkipReason>())
        {
            if (SkippedFor(reason) > 0) builder.Append(", ").Append(reason).Append(' ').Append(SkippedFor(reason));
        }

        if (UndisposedBatches > 0) builder.AppendLine().Append("undisposed batches: ").Append(UndisposedBatches);
        return builder.ToString();
    }

    internal void AddSkipped(SkipReason reason, string detail)
    {
        Interlocked.Increment(ref _skippedByReason[(int)reason]);
        detail = Bounded(detail);
        if (Interlocked.Increment(ref _skippedCount) <= 100) _skipped.Enqueue(detail);
        Telemetry.LogSkipped(detail);
    }

    // A detail may quote a record's bytes through an inner message: keep each one short.
    private static string Bounded(string detail) => detail.Length <= 400 ? detail : string.Concat(detail.AsSpan(0, 400), "...");
}
