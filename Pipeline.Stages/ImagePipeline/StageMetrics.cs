using System.Diagnostics;

namespace Pipeline.Stages.ImagePipeline;

/// <summary>Live counters of one pipeline stage, readable while iterating: items, time busy, time waiting, queue occupancy.</summary>
public sealed class StageMetrics
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _items;
    private long _busyTicks;
    private long _waitingInputTicks;
    private long _waitingOutputTicks;

    internal StageMetrics(string name, int parallelism)
    {
        Name = name;
        Parallelism = parallelism;
    }

    /// <summary>Gets the stage's name.</summary>
    public string Name { get; }

    /// <summary>Gets how many items the stage may process at once.</summary>
    public int Parallelism { get; }

    /// <summary>Gets the items processed so far.</summary>
    public long Items => Interlocked.Read(ref _items);

    /// <summary>Gets the total time spent working, summed over the stage's threads.</summary>
    public TimeSpan Busy => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _busyTicks));

    /// <summary>Gets the time spent waiting for input (for parallel stages: thread time not busy and not blocked on output).</summary>
    public TimeSpan WaitingForInput
    {
        get
        {
            long explicitWait = Interlocked.Read(ref _waitingInputTicks);
            if (explicitWait > 0 || Parallelism == 1) return Stopwatch.GetElapsedTime(0, explicitWait);
            long idle = ((Stopwatch.GetTimestamp() - _started) * Parallelism) - Interlocked.Read(ref _busyTicks) - Interlocked.Read(ref _waitingOutputTicks);
            return Stopwatch.GetElapsedTime(0, Math.Max(0, idle));
        }
    }

    /// <summary>Gets the time spent waiting for the next stage to accept output.</summary>
    public TimeSpan WaitingForOutput => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _waitingOutputTicks));

    /// <summary>Gets the items waiting in the stage's input queue right now.</summary>
    public int QueueLength => QueueProbe?.Invoke() ?? 0;

    /// <summary>Gets the items processed per second of wall time since the pipeline started.</summary>
    public double ItemsPerSecond => Items / Math.Max(1e-9, Stopwatch.GetElapsedTime(_started).TotalSeconds);

    internal Func<int>? QueueProbe { get; set; }

    /// <summary>Returns one line: name, items, items/s, busy, waiting, queue.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() =>
        FormattableString.Invariant($"{Name,-16} {Items,9} items {ItemsPerSecond,9:F1}/s  busy {Busy.TotalSeconds,7:F2}s  wait-in {WaitingForInput.TotalSeconds,7:F2}s  wait-out {WaitingForOutput.TotalSeconds,7:F2}s  queue {QueueLength,3}");

    internal void AddItem(long startTimestamp)
    {
        Interlocked.Increment(ref _items);
        Interlocked.Add(ref _busyTicks, Stopwatch.GetTimestamp() - startTimestamp);
    }

    internal void AddBusy(long ticks) => Interlocked.Add(ref _busyTicks, ticks);

    internal void AddWaitingInput(long ticks) => Interlocked.Add(ref _waitingInputTicks, ticks);

    internal void AddWaitingOutput(long ticks) => Interlocked.Add(ref _waitingOutputTicks, ticks);
}
