using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Pipeline.Core;
using Pipeline.Core.Diagnostics;
using Pipeline.Core.RecordIO;
using Pipeline.Stages.ImagePipeline;
using Pipeline.Stages.Iterators;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Core.Diagnostics;

/// <summary>The MxDataIO meter as a <see cref="MeterListener"/> (dotnet-counters, OpenTelemetry) sees it, the batches never disposed, and the logger.</summary>
/// <remarks>Apart from the other tests: the meter is process-wide, and their pipelines and leaked batches would add to the figures.</remarks>
[Collection(ProcessWideMeasurements.Name)]
public sealed class PipelineMeterTests
{
    [Fact]
    public async Task MeterListener_ImageRecordIterWithSkip_SeesEveryStageAndTheSkippedRecord()
    {
        using var dir = new TempDirectory();
        string rec = WriteRecWithOneBadRecord(dir, out int good);
        var logger = new ListLogger();
        using var collector = new Collector();
        await using (var iter = new ImageRecordIter(new ImageRecordIterOptions
        {
            PathImgRec = rec, DataShape = [3, 16, 16], BatchSize = 4, Resize = 16, PreprocessThreads = 2,
            CorruptRecords = CorruptRecordPolicy.Skip, Logger = logger,
        }))
        {
            await Batches.EpochAsync(iter);
            collector.Collect();

            // The bad record is read and tried (an item of both stages), then skipped.
            Assert.Equal(good + 1, collector.Long(PipelineMeter.StageItems, "ImageRecordIter", "decode+augment"));
            Assert.Equal(good + 1, collector.Long(PipelineMeter.StageItems, "ImageRecordIter", "read"));
            Assert.Equal(iter.Metrics.Consumer.Items, collector.Long(PipelineMeter.StageItems, "ImageRecordIter", "consumer"));
            Assert.True(collector.Double(PipelineMeter.StageBusyTime, "ImageRecordIter", "decode+augment") > 0);
            Assert.True(collector.Double(PipelineMeter.StageInputWaitTime, "ImageRecordIter", "consumer") > 0);
            Assert.True(collector.Seen(PipelineMeter.StageOutputWaitTime, "ImageRecordIter", "read"));
            Assert.True(collector.Seen(PipelineMeter.StageQueueDepth, "ImageRecordIter", "batch"));
            Assert.Equal(1, collector.Long(PipelineMeter.SkippedRecords, "ImageRecordIter", "reason:Decode"));
            Assert.Equal(0, collector.Long(PipelineMeter.SkippedRecords, "ImageRecordIter", "reason:Framing"));
            Assert.True(collector.Seen(PipelineMeter.SkippedRecords, "ImageRecordIter", "reason:Header"));
        }

        (LogLevel level, EventId _, string message) = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, level);
        Assert.Contains("ImageRecordIter: skipped", message, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(rec), message, StringComparison.Ordinal);

        // A disposed pipeline leaves the meter.
        collector.Collect();
        Assert.False(collector.Seen(PipelineMeter.StageItems, "ImageRecordIter", "decode+augment"));
    }

    [Fact]
    public async Task UndisposedBatches_DroppedWithoutDispose_AreCountedAndLoggedOnce()
    {
        Flush();
        var logger = new ListLogger();
        using var collector = new Collector();
        using NDArrayIter iter = Arrays(logger);
        await DropEpochAsync(iter);
        Flush();

        Assert.Equal(10, collector.Long(PipelineMeter.UndisposedBatches, "NDArrayIter", stage: null));
        (LogLevel level, EventId id, string message) = Assert.Single(logger.Entries);
        Assert.Equal((LogLevel.Warning, 1), (level, id.Id));
        Assert.Contains("NDArrayIter: a batch was garbage-collected without Dispose()", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UndisposedBatches_EveryBatchDisposed_NoneCounted()
    {
        Flush();
        var logger = new ListLogger();
        using var collector = new Collector();
        using NDArrayIter iter = Arrays(logger);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            await Batches.EpochAsync(iter);
            iter.Reset();
        }

        Flush();
        Assert.Equal(0, collector.Long(PipelineMeter.UndisposedBatches, "NDArrayIter", stage: null));
        Assert.Empty(logger.Entries);
    }

    [Fact]
    public async Task UndisposedBatches_ImagePipeline_ShowInItsMetrics()
    {
        Flush();
        using var iter = new ImageIter(new ImageIterOptions
        {
            BatchSize = 4, DataShape = [3, 8, 8], PreprocessThreads = 1,
            ImgList = [.. Directory.GetFiles(TestFiles.PhotosDir, "*.jpg", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(8).Select(p => (new[] { 1f }, p))],
            PathRoot = string.Empty, AugList = [new Pipeline.Stages.Imaging.ForceResizeAug((8, 8))],
        });
        await DropEpochAsync(iter);
        Flush();
        Assert.Equal(2, iter.Metrics.UndisposedBatches);
        Assert.Contains("undisposed batches: 2", iter.Metrics.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrefetchingIter_DisposingItsBatch_ReturnsTheWrappedBatches()
    {
        Flush();
        using var collector = new Collector();
        var iter = new PrefetchingIter(Arrays(logger: null));
        for (int epoch = 0; epoch < 2; epoch++)
        {
            await Batches.EpochAsync(iter);
            iter.Reset();
        }

        Flush();
        Assert.Equal(0, collector.Long(PipelineMeter.UndisposedBatches, "NDArrayIter", stage: null));

        // Disposing the iterator with the next epoch's batches fetched ahead disposes them too.
        await iter.DisposeAsync();
        Flush();
        Assert.Equal(0, collector.Long(PipelineMeter.UndisposedBatches, "NDArrayIter", stage: null));
    }

    [Fact]
    public async Task UndisposedBatches_DisposedWithTheNextEpochInFlight_NoneCounted()
    {
        // Batches a cancelled graph drops were never the consumer's: only delivered batches are watched.
        Flush();
        using var collector = new Collector();
        NDArrayIter iter = Arrays(logger: null);
        await Batches.EpochAsync(iter);
        iter.Reset();
        await Task.Delay(100);
        await iter.DisposeAsync();
        Flush();
        Assert.Equal(0, collector.Long(PipelineMeter.UndisposedBatches, "NDArrayIter", stage: null));
    }

    private static NDArrayIter Arrays(ILogger? logger) =>
        new(NDArray.From(Enumerable.Range(0, 300).Select(i => (float)i).ToArray(), 100, 3), NDArray.From(new float[100], 100), batchSize: 10) { Logger = logger };

    /// <summary>Reads an epoch and drops every batch; not inlined, so no local keeps one alive.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task DropEpochAsync(DataIter iter)
    {
        int count = 0;
        while (await iter.NextAsync() is not null) count++;
        Assert.True(count > 0);
    }

    private static void Flush()
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    private static string WriteRecWithOneBadRecord(TempDirectory dir, out int good)
    {
        string path = dir.File("one-bad.rec");
        using var reader = new RecordIOReader(TestFiles.Im2RecRec("im2rec-resize48-png"));
        using var writer = new RecordIOWriter(path);
        good = 0;
        while (reader.Read() is { } record)
        {
            writer.Write(record);
            if (++good == 5) writer.Write(ImageRecord.Pack(new ImageRecordHeader(0, 9f, 999, 0), "not an image"u8));
        }

        return path;
    }

    /// <summary>Listens to the MxDataIO meter and keeps the last value (observable) or the sum (counter) of each instrument and tag set.</summary>
    private sealed class Collector : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<(string Instrument, string? Iterator, string? Stage), double> _values = new();

        public Collector()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == PipelineMeter.Name) listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
            _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
            _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
            _listener.Start();
        }

        public void Collect()
        {
            foreach (var key in _values.Keys) if (key.Instrument != PipelineMeter.UndisposedBatches) _values.TryRemove(key, out _);
            _listener.RecordObservableInstruments();
        }

        public bool Seen(string instrument, string iterator, string? stage) => _values.ContainsKey((instrument, iterator, stage));

        public long Long(string instrument, string iterator, string? stage) => (long)_values.GetValueOrDefault((instrument, iterator, stage));

        public double Double(string instrument, string iterator, string? stage) => _values.GetValueOrDefault((instrument, iterator, stage));

        public void Dispose() => _listener.Dispose();

        private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? iterator = null, stage = null;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == PipelineMeter.IteratorTag) iterator = (string?)tag.Value;
                if (tag.Key == PipelineMeter.StageTag) stage = (string?)tag.Value;
                if (tag.Key == PipelineMeter.ReasonTag) stage = "reason:" + (string?)tag.Value;
            }

            // Several live pipelines of one type each report; their sum is the figure (a counter's events add up too).
            _values.AddOrUpdate((instrument.Name, iterator, stage), value, (_, old) => old + value);
        }
    }
}
