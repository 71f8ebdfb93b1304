using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Pipeline.Benchmarks.Imaging;

/// <summary>Samples the runtime's allocation ticks (one per ~100 KB allocated) by type, to show what a workload allocates; on with PIPELINE_ALLOC_PROFILE=1.</summary>
internal sealed class AllocationSampler : EventListener
{
    private readonly ConcurrentDictionary<string, long> _bytesByType = new();

    public bool Enabled { get; set; }

    public void Print()
    {
        foreach (KeyValuePair<string, long> entry in _bytesByType.OrderByDescending(e => e.Value).Take(25))
        {
            Console.WriteLine($"  {entry.Value / 1e6,9:F1} MB  {entry.Key}");
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1);
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!Enabled || eventData.EventName is null || !eventData.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.Payload is null) return;
        int nameIndex = eventData.PayloadNames!.IndexOf("TypeName");
        int amountIndex = eventData.PayloadNames.IndexOf("AllocationAmount64");
        string type = nameIndex >= 0 ? eventData.Payload[nameIndex]?.ToString() ?? "?" : "?";
        long amount = amountIndex >= 0 ? Convert.ToInt64(eventData.Payload[amountIndex], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        _bytesByType.AddOrUpdate(type, amount, (_, total) => total + amount);
    }
}
