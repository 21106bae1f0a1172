using System.Diagnostics.Metrics;

namespace Baton.Bench;

/// <summary>
/// Request durations as the server itself sees them (ASP.NET Core's <c>http.server.request.duration</c>, from the request's
/// headers read to its response written), collected in the server child so that <c>completion-load</c> can tell the
/// server's share of a completion's latency from the client's and the loopback's.
/// </summary>
internal sealed class ServerLatency : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly object _gate = new();
    private List<double> _ms = new(16_384);

    public ServerLatency()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Microsoft.AspNetCore.Hosting" && instrument.Name == "http.server.request.duration")
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((_, seconds, _, _) =>
        {
            lock (_gate) _ms.Add(seconds * 1000);
        });
        _listener.Start();
    }

    /// <summary>p50, p99 and p99.9 in ms of the requests since the last call, and their count; starts a new window.</summary>
    public (double P50, double P99, double P999, int Count) TakeWindow()
    {
        List<double> window;
        lock (_gate)
        {
            window = _ms;
            _ms = new(16_384);
        }
        return (Measure.Percentile(window, 50), Measure.Percentile(window, 99), Measure.Percentile(window, 99.9), window.Count);
    }

    public void Dispose() => _listener.Dispose();
}
