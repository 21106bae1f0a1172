using System.Diagnostics.Tracing;
using System.Globalization;

namespace Baton.Bench;

/// <summary>
/// What the process allocates, by type: the runtime's allocation-tick events (one per about 100 KB allocated on a heap,
/// naming the type of the object that crossed the mark), counted while <see cref="Sampling"/> is on. A sample, not a census:
/// a type's share of the ticks estimates its share of the bytes. Used by <c>drt --alloc-types</c> to find what to stop
/// allocating; it costs little, but it is off unless asked for.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    // The runtime's GC keyword; allocation ticks come at Verbose.
    private const EventKeywords GcKeyword = (EventKeywords)0x1;

    private readonly Dictionary<string, (int Ticks, long Bytes)> _byType = new(StringComparer.Ordinal);
    private volatile bool _sampling;

    /// <summary>Counts ticks only while true, so a warm-up can run unsampled.</summary>
    public bool Sampling
    {
        get => _sampling;
        set => _sampling = value;
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!_sampling || eventData.EventName is null || !eventData.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.PayloadNames is null)
        {
            return;
        }
        var type = Payload(eventData, "TypeName") as string ?? "?";
        var bytes = Convert.ToInt64(Payload(eventData, "AllocationAmount64") ?? Payload(eventData, "AllocationAmount") ?? 0L, CultureInfo.InvariantCulture);
        lock (_byType)
        {
            var (ticks, sum) = _byType.GetValueOrDefault(type);
            _byType[type] = (ticks + 1, sum + bytes);
        }
    }

    /// <summary>The <paramref name="top"/> types by ticks, one per line with their share of all ticks.</summary>
    public string Report(int top)
    {
        lock (_byType)
        {
            var total = _byType.Values.Sum(v => v.Ticks);
            if (total == 0) return "alloc_types: no allocation ticks seen";
            return $"alloc_types: {total} ticks\n" + string.Join('\n', _byType
                .OrderByDescending(kv => kv.Value.Ticks)
                .Take(top)
                .Select(kv => $"  {100.0 * kv.Value.Ticks / total,5:0.0}%  {kv.Key}"));
        }
    }

    private static object? Payload(EventWrittenEventArgs e, string name)
    {
        var i = e.PayloadNames!.IndexOf(name);
        return i < 0 ? null : e.Payload![i];
    }
}
