using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Pipeline.Core.Diagnostics;

/// <summary>What one iterator reports outside itself: its <see cref="PipelineMeter"/> tag and its optional logger.</summary>
/// <remarks>Every iterator makes one and hands it to its <c>BatchAssembler</c>, which counts the batches never disposed.</remarks>
internal sealed partial class IteratorTelemetry
{
    private long _undisposed;
    private ILogger _logger;

    /// <summary>Initializes the telemetry of one iterator.</summary>
    /// <param name="iterator">The iterator's type name (the <see cref="PipelineMeter.IteratorTag"/> value).</param>
    /// <param name="logger">The options' logger; <see langword="null"/> is silent.</param>
    public IteratorTelemetry(string iterator, ILogger? logger)
    {
        Iterator = iterator;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Gets or sets the iterator's type name (an iterator that wraps another names itself).</summary>
    public string Iterator { get; set; }

    /// <summary>Gets or sets the logger (<see cref="NullLogger.Instance"/> when none was given).</summary>
    /// <remarks>Settable because an iterator's <c>Logger</c> init property runs after its constructor has started the first epoch.</remarks>
    [System.Diagnostics.CodeAnalysis.AllowNull]
    public ILogger Logger
    {
        get => Volatile.Read(ref _logger);
        set => Volatile.Write(ref _logger, value ?? NullLogger.Instance);
    }

    /// <summary>Gets how many of this iterator's batches were garbage-collected without being disposed.</summary>
    public long UndisposedBatches => Interlocked.Read(ref _undisposed);

    /// <summary>Counts a batch the garbage collector found undisposed; the first one is logged as a warning.</summary>
    /// <remarks>Runs on the finalizer thread: it must not throw.</remarks>
    public void OnUndisposedBatch()
    {
        long count = Interlocked.Increment(ref _undisposed);
        try
        {
            PipelineMeter.UndisposedBatchCounter.Add(1, new KeyValuePair<string, object?>(PipelineMeter.IteratorTag, Iterator));
            if (count == 1) LogUndisposedBatch(Logger, Iterator);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            // A listener or logger that throws must not take the finalizer thread (and the process) down.
        }
    }

    /// <summary>Logs a record skipped under <c>CorruptRecordPolicy.Skip</c>.</summary>
    /// <param name="detail">The record (file, offset or key) and the reason.</param>
    public void LogSkipped(string detail) => LogSkippedRecord(Logger, Iterator, detail);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "{Iterator}: skipped {Record}")]
    private static partial void LogSkippedRecord(ILogger logger, string iterator, string record);

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "{Iterator}: a batch was garbage-collected without Dispose(), so its buffers did not return to the pool and every later batch allocates. Dispose each batch (using var batch = ..., or using (batch) around the loop body); the metric " + PipelineMeter.UndisposedBatches + " counts them. This is logged once per iterator.")]
    private static partial void LogUndisposedBatch(ILogger logger, string iterator);
}
