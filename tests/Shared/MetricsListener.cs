using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Baton.Shared;

/// <summary>
/// Listens to the instruments of one meter (Baton's <c>StoreMetrics</c> or <c>EngineMetrics</c>), keeping the measurements
/// that carry a given tag (such as a store's <c>db.namespace</c>), or all of them when none is given: the count and sum of
/// each instrument's measurements, and with <c>keepValues</c> the measurements themselves. Shared by the store tests and the
/// bench.
/// </summary>
public sealed class MetricsListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly string? _tagKey;
    private readonly string? _tagValue;
    private readonly bool _keepValues;
    private readonly ConcurrentDictionary<string, Series> _series = new(StringComparer.Ordinal);

    public MetricsListener(string meterName, string? tagKey = null, string? tagValue = null, bool keepValues = true)
    {
        _tagKey = tagKey;
        _tagValue = tagValue;
        _keepValues = keepValues;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Keep(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Keep(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The measurements of <paramref name="instrument"/> so far, in the order they were taken (none unless kept).</summary>
    public IReadOnlyList<double> Values(string instrument)
    {
        if (!_series.TryGetValue(instrument, out var series)) return [];
        lock (series) return [.. series.Values];
    }

    /// <summary>The mean of <paramref name="instrument"/>'s measurements so far; null without any.</summary>
    public double? Mean(string instrument)
    {
        if (!_series.TryGetValue(instrument, out var series)) return null;
        lock (series) return series.Count == 0 ? null : series.Sum / series.Count;
    }

    /// <summary>Forgets every measurement so far (the bench's warm-up).</summary>
    public void Clear() => _series.Clear();

    private void Keep(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_tagKey is not null && !HasTag(tags, _tagKey, _tagValue)) return;
        var series = _series.GetOrAdd(instrument.Name, _ => new Series());
        lock (series)
        {
            series.Count++;
            series.Sum += value;
            if (_keepValues) series.Values.Add(value);
        }
    }

    private static bool HasTag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key, string? value)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == key) return string.Equals(value, tag.Value as string, StringComparison.Ordinal);
        }
        return false;
    }

    public void Dispose() => _listener.Dispose();

    private sealed class Series
    {
        public long Count;
        public double Sum;
        public readonly List<double> Values = [];
    }
}
