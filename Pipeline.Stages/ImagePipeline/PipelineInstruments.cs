using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Pipeline.Core.Diagnostics;

namespace Pipeline.Stages.ImagePipeline;

/// <summary>The stage instruments of <see cref="PipelineMeter"/>: observable, so they read each live pipeline's <see cref="PipelineMetrics"/> only when a listener collects.</summary>
internal static class PipelineInstruments
{
    // Weak keys: a pipeline that is never disposed still leaves the table when it is collected.
    private static readonly ConditionalWeakTable<PipelineMetrics, string> s_live = new();

    static PipelineInstruments()
    {
        Meter meter = PipelineMeter.Meter;
        meter.CreateObservableCounter(PipelineMeter.StageItems, () => Stages(static s => s.Items), "{item}", "Items each pipeline stage has processed.");
        meter.CreateObservableCounter(PipelineMeter.StageBusyTime, () => Stages(static s => s.Busy.TotalSeconds), "s", "Time each stage has spent working, summed over its threads.");
        meter.CreateObservableCounter(PipelineMeter.StageInputWaitTime, () => Stages(static s => s.WaitingForInput.TotalSeconds), "s", "Time each stage has spent waiting for input.");
        meter.CreateObservableCounter(PipelineMeter.StageOutputWaitTime, () => Stages(static s => s.WaitingForOutput.TotalSeconds), "s", "Time each stage has spent waiting for the next stage to take its output.");
        meter.CreateObservableGauge(PipelineMeter.StageQueueDepth, () => Stages(static s => s.QueueLength), "{item}", "Items waiting in each stage's input queue.");
        meter.CreateObservableCounter(PipelineMeter.SkippedRecords, Skipped, "{record}", "Records skipped as corrupt under CorruptRecordPolicy.Skip.");
    }

    /// <summary>Makes a pipeline's metrics visible to the meter's listeners.</summary>
    public static void Register(PipelineMetrics metrics, string iterator) => s_live.AddOrUpdate(metrics, iterator);

    /// <summary>Removes a disposed pipeline.</summary>
    public static void Unregister(PipelineMetrics metrics) => s_live.Remove(metrics);

    private static List<Measurement<T>> Stages<T>(Func<StageMetrics, T> value)
        where T : struct
    {
        var measurements = new List<Measurement<T>>();
        foreach ((PipelineMetrics metrics, string iterator) in s_live)
        {
            foreach (StageMetrics stage in metrics.Stages)
            {
                measurements.Add(new Measurement<T>(value(stage), new KeyValuePair<string, object?>(PipelineMeter.IteratorTag, iterator), new KeyValuePair<string, object?>(PipelineMeter.StageTag, stage.Name)));
            }
        }

        return measurements;
    }

    private static readonly SkipReason[] s_reasons = Enum.GetValues<SkipReason>();
    private static readonly string[] s_reasonNames = Enum.GetNames<SkipReason>();

    private static List<Measurement<long>> Skipped()
    {
        var measurements = new List<Measurement<long>>();
        foreach ((PipelineMetrics metrics, string iterator) in s_live)
        {
            // One series per reason; they add up to the iterator's skipped records.
            foreach (SkipReason reason in s_reasons)
            {
                measurements.Add(new Measurement<long>(
                    metrics.SkippedFor(reason),
                    new KeyValuePair<string, object?>(PipelineMeter.IteratorTag, iterator),
                    new KeyValuePair<string, object?>(PipelineMeter.ReasonTag, s_reasonNames[(int)reason])));
            }
        }

        return measurements;
    }
}
