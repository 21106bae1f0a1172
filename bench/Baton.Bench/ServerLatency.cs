using System.Diagnostics.Metrics;
using Baton.Storage.Relational;

namespace Baton.Bench;

/// <summary>
/// Request durations as the server itself sees them (ASP.NET Core's <c>http.server.request.duration</c>, from the request's
/// headers read to its response written), collected in the server child so that <c>completion-load</c> can tell the
/// server's share of a completion's latency from the client's and the loopback's. Also the store writer's own times in the
/// same window (<see cref="StoreMetrics"/>: a write's wait for the writer, a batch's duration, a batch's wait for the
/// log's sync), which tell where the server's share goes.
/// </summary>
internal sealed class ServerLatency : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly object _gate = new();
    private List<double> _ms = new(16_384);
    private Dictionary<string, List<double>> _writer = NewWriterWindow();

    private static readonly string[] WriterInstruments = [StoreMetrics.WriteQueueWait, StoreMetrics.WriteBatchDuration, StoreMetrics.WriteSyncWait];

    private static Dictionary<string, List<double>> NewWriterWindow() => WriterInstruments.ToDictionary(name => name, _ => new List<double>(16_384));

    public ServerLatency()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if ((instrument.Meter.Name == "Microsoft.AspNetCore.Hosting" && instrument.Name == "http.server.request.duration") ||
                (instrument.Meter.Name == StoreMetrics.MeterName && WriterInstruments.Contains(instrument.Name)))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((instrument, seconds, _, _) =>
        {
            lock (_gate)
            {
                if (instrument.Meter.Name == StoreMetrics.MeterName) _writer[instrument.Name].Add(seconds * 1000);
                else _ms.Add(seconds * 1000);
            }
        });
        _listener.Start();
    }

    /// <summary>
    /// p50, p99 and p99.9 in ms of the requests since the last call, and their count; the p99 in ms of the writer's
    /// queue wait, batch duration and sync wait over the same time (NaN when none was recorded); starts a new window.
    /// </summary>
    public (double P50, double P99, double P999, int Count, double QueueWaitP99, double BatchP99, double SyncWaitP99) TakeWindow()
    {
        List<double> window;
        Dictionary<string, List<double>> writer;
        lock (_gate)
        {
            window = _ms;
            _ms = new(16_384);
            writer = _writer;
            _writer = NewWriterWindow();
        }
        return (Measure.Percentile(window, 50), Measure.Percentile(window, 99), Measure.Percentile(window, 99.9), window.Count,
            Measure.Percentile(writer[StoreMetrics.WriteQueueWait], 99), Measure.Percentile(writer[StoreMetrics.WriteBatchDuration], 99),
            Measure.Percentile(writer[StoreMetrics.WriteSyncWait], 99));
    }

    public void Dispose() => _listener.Dispose();
}
