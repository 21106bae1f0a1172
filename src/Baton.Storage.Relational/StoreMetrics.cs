namespace Baton.Storage.Relational;

/// <summary>
/// The names of the stores' instruments (<see cref="System.Diagnostics.Metrics"/>), for <c>dotnet-counters</c>
/// (<c>--counters Baton.Storage</c>) or an OpenTelemetry meter provider (<c>AddMeter(StoreMetrics.MeterName)</c>). They say
/// where a write's latency goes: waiting for the writer, in the writer's batch, waiting for the disk. Every measurement is
/// tagged with the store's engine (<c>db.system.name</c>: <c>sqlite</c> or <c>postgresql</c>) and its database
/// (<c>db.namespace</c>: the SQLite file's path, or the PostgreSQL database's name).
/// </summary>
public static class StoreMetrics
{
    /// <summary>The meter every store records on.</summary>
    public const string MeterName = "Baton.Storage";

    /// <summary>Histogram, seconds: from a write's arrival until the writer starts the batch that runs it.</summary>
    public const string WriteQueueWait = "baton.store.write.queue_wait";

    /// <summary>Histogram, seconds: one batch from its start until its commit returned (the writer is busy meanwhile).</summary>
    public const string WriteBatchDuration = "baton.store.write.batch.duration";

    /// <summary>Histogram, operations: how many writes one batch (one transaction) ran.</summary>
    public const string WriteBatchSize = "baton.store.write.batch.size";

    /// <summary>
    /// Histogram, seconds, SQLite's pipelined sync only: from a batch's commit until the write-ahead log holding it is on
    /// disk and its callers are answered. Elsewhere the commit itself waits for the disk, inside the batch's duration.
    /// </summary>
    public const string WriteSyncWait = "baton.store.write.sync_wait";
}
