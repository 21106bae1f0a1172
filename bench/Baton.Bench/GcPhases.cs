using System.Diagnostics.Tracing;
using System.Globalization;
using System.Text;

namespace Baton.Bench;

/// <summary>
/// Where each collection's pause goes, from the runtime's own GC events: the suspension of the threads, the marking from the
/// roots (stacks, finalization queue, handles), the marking through the card table (young objects reached from older
/// generations, including from dead old objects), the rest of the collection (plan, relocate, compact or sweep), and the
/// restart of the threads, which on busy cores can wait for one. Collections that start while
/// <see cref="RuntimeGcListener.Sampling"/> is on are reported, one line each. Used by <c>completion-load --gc-phases
/// true</c>: push 22 found that the window's one gen0 collection spends most of its pause on the card table.
/// </summary>
internal sealed class GcPhases : RuntimeGcListener
{
    // GCMarkWithType's root kinds (the runtime's gc_root_kind).
    private const int MarkHandles = 2;
    private const int MarkOlder = 3;

    private readonly List<string> _lines = [];
    private Collection? _current;

    // The mark events come at Informational.
    protected override EventLevel Level => EventLevel.Informational;

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        // The runtime raises a collection's events in order, from the thread that runs it; one collection at a time.
        switch (e.EventName)
        {
            case "GCSuspendEEBegin_V1":
                _current = Sampling ? new Collection(e.TimeStamp) : null;
                break;
            case "GCSuspendEEEnd_V1" when _current is { } c:
                c.Suspended = e.TimeStamp;
                break;
            case "GCStart_V2" when _current is { } c:
                c.Generation = Convert.ToInt32(Payload(e, "Depth"), CultureInfo.InvariantCulture);
                break;
            case "GCMarkWithType" when _current is { } c:
                var kind = Convert.ToInt32(Payload(e, "Type"), CultureInfo.InvariantCulture);
                if (kind == MarkHandles) c.RootsMarked = e.TimeStamp;
                if (kind == MarkOlder)
                {
                    c.CardsMarked = e.TimeStamp;
                    c.CardBytes += Convert.ToInt64(Payload(e, "Bytes"), CultureInfo.InvariantCulture);
                }
                break;
            case "GCHeapStats_V2" when _current is { } c:
                c.Promoted = Enumerable.Range(0, 5).Sum(g => Convert.ToInt64(Payload(e, $"TotalPromotedSize{g}") ?? 0L, CultureInfo.InvariantCulture));
                break;
            case "GCEnd_V1" when _current is { } c:
                c.Ended = e.TimeStamp;
                break;
            case "GCRestartEEEnd_V1" when _current is { } c:
                // The runtime also suspends the threads for other reasons than a collection; those have no GCStart.
                if (c.Generation >= 0)
                {
                    lock (_lines) _lines.Add(c.Line(e.TimeStamp));
                }
                _current = null;
                break;
        }
    }

    private static object? Payload(EventWrittenEventArgs e, string name)
    {
        var i = e.PayloadNames?.IndexOf(name) ?? -1;
        return i < 0 ? null : e.Payload![i];
    }

    /// <summary>The collections recorded since the previous report, one line each, and forgets them.</summary>
    public string Report()
    {
        lock (_lines)
        {
            var report = _lines.Count == 0 ? "gc_phases: no collection" : "gc_phases:\n" + string.Join('\n', _lines);
            _lines.Clear();
            return report;
        }
    }

    /// <summary>One collection's timestamps; the phases are the gaps between them.</summary>
    private sealed class Collection(DateTime suspending)
    {
        public DateTime Suspended { get; set; }

        public int Generation { get; set; } = -1;

        public DateTime? RootsMarked { get; set; }

        public DateTime? CardsMarked { get; set; }

        public long CardBytes { get; set; }

        public long Promoted { get; set; }

        public DateTime? Ended { get; set; }

        public string Line(DateTime restarted)
        {
            static string Ms(DateTime? from, DateTime? to) =>
                from is { } f && to is { } t ? (t - f).TotalMilliseconds.ToString("0.00", CultureInfo.InvariantCulture) : "-";
            var line = new StringBuilder().Append(CultureInfo.InvariantCulture, $"  gen{Generation} at {suspending:HH:mm:ss.fff} pause={Ms(suspending, restarted)}ms");
            line.Append(CultureInfo.InvariantCulture, $" suspend={Ms(suspending, Suspended)} roots={Ms(Suspended, RootsMarked)}");
            // Without cards to mark (a full collection has none), the rest counts from the roots.
            line.Append(CultureInfo.InvariantCulture, $" cards={Ms(RootsMarked, CardsMarked)}({CardBytes / 1024}kb)");
            line.Append(CultureInfo.InvariantCulture, $" rest={Ms(CardsMarked ?? RootsMarked, Ended)} restart={Ms(Ended, restarted)} promoted={Promoted / 1024}kb");
            return line.ToString();
        }
    }
}
