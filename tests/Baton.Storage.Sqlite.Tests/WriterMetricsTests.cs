using Baton.Engine.Storage;
using Baton.Shared;
using Baton.Storage.Relational;
using Xunit;

namespace Baton.Storage.Sqlite.Tests;

/// <summary>The writer's instruments (<see cref="StoreMetrics"/>): each write's wait, each batch's size and time, each batch's wait for its sync.</summary>
public sealed class WriterMetricsTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Writes_Listened_EachWaitOnceAndEveryBatchSizedTimedAndSynced()
    {
        using var metrics = new MetricsListener(StoreMetrics.MeterName, "db.namespace", _db.FilePath);
        await using (var store = await _db.OpenAsync(maxBatchSize: 8))
        {
            await Task.WhenAll(Enumerable.Range(0, 40).Select(i => store.CreateWorkflowAsync(
                new NewWorkflow("wf-" + i, "Order", "1", [], new Dictionary<string, string>(), null, null, T0))));
        }
        // Disposed: the writer and the sync thread have recorded everything (callers may be answered a moment before).

        var waits = metrics.Values(StoreMetrics.WriteQueueWait);
        var sizes = metrics.Values(StoreMetrics.WriteBatchSize);
        Assert.Equal(40, waits.Count);
        Assert.Equal(40, sizes.Sum());
        Assert.All(sizes, size => Assert.InRange(size, 1, 8));
        Assert.Equal(sizes.Count, metrics.Values(StoreMetrics.WriteBatchDuration).Count);
        // A file database syncs its log beside the writer: one wait per committed batch.
        Assert.Equal(sizes.Count, metrics.Values(StoreMetrics.WriteSyncWait).Count);
        Assert.All(
            [.. waits, .. metrics.Values(StoreMetrics.WriteBatchDuration), .. metrics.Values(StoreMetrics.WriteSyncWait)],
            seconds => Assert.InRange(seconds, 0, 60));
    }

    [Fact]
    public async Task Writes_SyncInTheCommit_NoSyncWaitMeasured()
    {
        using var metrics = new MetricsListener(StoreMetrics.MeterName, "db.namespace", _db.FilePath);
        var options = _db.Options();
        options.PipelinedSync = false;
        await using (var store = new SqliteStore(options, new StoreSignals()))
        {
            await store.InitializeAsync();
            await store.SetValueAsync("a", "1");
        }

        Assert.Equal([1.0], metrics.Values(StoreMetrics.WriteBatchSize));
        Assert.Single(metrics.Values(StoreMetrics.WriteQueueWait));
        Assert.Empty(metrics.Values(StoreMetrics.WriteSyncWait));
    }
}
