using System.Diagnostics.Tracing;

namespace Baton.Bench;

/// <summary>
/// A listener to the runtime's GC events (<see cref="AllocationSampler"/>, <see cref="GcPhases"/>) that uses them only while
/// <see cref="Sampling"/> is on, so that a warm-up or a set-up runs unrecorded.
/// </summary>
internal abstract class RuntimeGcListener : EventListener
{
    // The runtime's GC keyword.
    private const EventKeywords GcKeyword = (EventKeywords)0x1;

    private volatile bool _sampling;

    /// <summary>Records only while true.</summary>
    public bool Sampling
    {
        get => _sampling;
        set => _sampling = value;
    }

    /// <summary>The level of the events needed. A property, not a field: the base constructor asks for it before ours runs.</summary>
    protected abstract EventLevel Level { get; }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, Level, GcKeyword);
        }
    }
}
