using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Baton.Storage.Relational;

/// <summary>
/// Records one store's writer on the instruments named in <see cref="StoreMetrics"/>. Costs a check per write and per batch
/// while nothing listens: the times are only taken when a listener has enabled an instrument that needs them.
/// </summary>
internal sealed class WriterMetrics
{
    private static readonly Meter Meter = new(StoreMetrics.MeterName, typeof(WriterMetrics).Assembly.GetName().Version?.ToString());

    private static readonly Histogram<double> QueueWait = Meter.CreateHistogram<double>(
        StoreMetrics.WriteQueueWait, "s", "Time a write waits until the writer starts the batch that runs it.");

    private static readonly Histogram<double> BatchDuration = Meter.CreateHistogram<double>(
        StoreMetrics.WriteBatchDuration, "s", "Time the writer takes to run and commit one batch of writes.");

    private static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>(
        StoreMetrics.WriteBatchSize, "{operation}", "Writes run in one batch (one transaction).");

    private static readonly Histogram<double> SyncWait = Meter.CreateHistogram<double>(
        StoreMetrics.WriteSyncWait, "s", "Time a committed batch waits until the write-ahead log holding it is on disk.");

    private readonly TagList _tags;

    /// <param name="system"><c>db.system.name</c>: <c>sqlite</c> or <c>postgresql</c>.</param>
    /// <param name="database"><c>db.namespace</c>: which database of that engine.</param>
    public WriterMetrics(string system, string database)
    {
        _tags = new TagList { { "db.system.name", system }, { "db.namespace", database } };
    }

    /// <summary>When a write is queued: a timestamp while its wait is measured, else 0.</summary>
    public static long Arrival() => QueueWait.Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>A timestamp while any of the writer's instruments is measured (what <see cref="BatchRan"/> and <see cref="Durable"/> measure from), else 0.</summary>
    public static long Stamp() => QueueWait.Enabled || BatchDuration.Enabled || SyncWait.Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>Records the waits of a batch's writes, which the writer started at <paramref name="started"/>.</summary>
    public void BatchStarted(List<WriteOp> batch, long started)
    {
        if (started == 0 || !QueueWait.Enabled) return;
        foreach (var op in batch)
        {
            if (op.ArrivedAt != 0) QueueWait.Record(Stopwatch.GetElapsedTime(op.ArrivedAt, started).TotalSeconds, _tags);
        }
    }

    /// <summary>Records a batch of <paramref name="size"/> writes that the writer started at <paramref name="started"/> and has now done with.</summary>
    public void BatchRan(int size, long started)
    {
        BatchSize.Record(size, _tags);
        if (started != 0 && BatchDuration.Enabled) BatchDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, _tags);
    }

    /// <summary>Records that a batch committed at <paramref name="committed"/> (from <see cref="Stamp"/>) is now on disk.</summary>
    public void Durable(long committed)
    {
        if (committed != 0 && SyncWait.Enabled) SyncWait.Record(Stopwatch.GetElapsedTime(committed).TotalSeconds, _tags);
    }
}
