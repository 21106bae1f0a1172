using System.Diagnostics.Tracing;

namespace Baton.Bench;

/// <summary>
/// What the process allocates, by type: the runtime's allocation-tick events (one per about 100 KB allocated on a heap,
/// naming the type of the object that crossed the mark), counted while <see cref="RuntimeGcListener.Sampling"/> is on. A
/// sample, not a census: a type's share of the ticks estimates its share of the bytes. Used by <c>--alloc-types</c> to find
/// what to stop allocating; it costs little, but it is off unless asked for.
/// </summary>
internal sealed class AllocationSampler : RuntimeGcListener
{
    private readonly Dictionary<string, int> _ticksByType = new(StringComparer.Ordinal);

    // Allocation ticks come at Verbose.
    protected override EventLevel Level => EventLevel.Verbose;

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!Sampling || eventData.EventName is null || !eventData.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.PayloadNames is null)
        {
            return;
        }
        var i = eventData.PayloadNames.IndexOf("TypeName");
        var type = i < 0 ? "?" : eventData.Payload![i] as string ?? "?";
        lock (_ticksByType)
        {
            _ticksByType[type] = _ticksByType.GetValueOrDefault(type) + 1;
        }
    }

    /// <summary>The <paramref name="top"/> types by ticks, one per line with their share of all ticks.</summary>
    public string Report(int top)
    {
        lock (_ticksByType)
        {
            var total = _ticksByType.Values.Sum();
            if (total == 0) return "alloc_types: no allocation ticks seen";
            return $"alloc_types: {total} ticks\n" + string.Join('\n', _ticksByType
                .OrderByDescending(kv => kv.Value)
                .Take(top)
                .Select(kv => $"  {100.0 * kv.Value / total,5:0.0}%  {kv.Key}"));
        }
    }
}
