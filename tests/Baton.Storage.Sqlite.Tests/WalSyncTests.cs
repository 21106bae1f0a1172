using Baton.Engine.Storage;
using Baton.Storage.Relational;
using Baton.Storage.Sqlite.Internal;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Baton.Storage.Sqlite.Tests;

/// <summary>
/// The pipelined WAL sync: the writer commits without waiting for the disk, and a caller is answered only once a sync that
/// started after its commit has finished; a failed sync fails its callers and every later write.
/// </summary>
public sealed class WalSyncTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly WriterMetrics Metrics = new("sqlite", "wal-sync-tests");
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Committed_SyncNotYetDone_CallerAnsweredOnlyAfterIt()
    {
        using var release = new ManualResetEventSlim();
        using var entered = new ManualResetEventSlim();
        var signals = new StoreSignals();
        // Signals are raised on the sync thread just after the callers are answered, so the test waits for them, not with them.
        var finished = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        signals.WorkflowFinished += (id, _) => finished.TrySetResult(id);
        using var sync = new WalSync(signals, Metrics, () => { entered.Set(); release.Wait(TimeSpan.FromSeconds(30)); });
        var op = Executed(42);
        var effects = new Effects();
        effects.WorkflowFinished("wf-1");

        sync.Committed([op], effects);
        Assert.True(entered.Wait(TimeSpan.FromSeconds(10)));

        // The sync is held inside its call: nothing can have answered the caller yet.
        Assert.False(op.Task.IsCompleted);
        Assert.False(finished.Task.IsCompleted);
        release.Set();
        Assert.Equal(42, await op.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("wf-1", await finished.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, sync.Syncs);
    }

    [Fact]
    public async Task Committed_SyncFails_CallerAndEveryLaterWriteGetTheError()
    {
        var signals = new StoreSignals();
        using var sync = new WalSync(signals, Metrics, () => throw new IOException("disk gone"));
        var first = Executed(1);

        sync.Committed([first], new Effects());

        var error = await Assert.ThrowsAsync<WriterBrokenException>(() => first.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.IsType<IOException>(error.InnerException);
        var later = Executed(2);
        Assert.True(sync.Refused([later]));
        await Assert.ThrowsAsync<WriterBrokenException>(() => later.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Dispose_BatchesWaiting_SyncedAndAnsweredFirst()
    {
        var syncs = 0;
        var sync = new WalSync(new StoreSignals(), Metrics, () => { Thread.Sleep(20); Interlocked.Increment(ref syncs); });
        var ops = Enumerable.Range(0, 5).Select(Executed).ToList();
        foreach (var op in ops)
        {
            sync.Committed([op], new Effects());
        }

        sync.Dispose();

        Assert.All(ops, op => Assert.True(op.Task.IsCompletedSuccessfully));
        var results = await Task.WhenAll(ops.Select(o => o.Task));
        Assert.Equal([0, 1, 2, 3, 4], results);
        Assert.InRange(syncs, 1, 5);
    }

    [Fact]
    public async Task Store_FullSynchronousOnFile_PipelinedAndDataSurvivesReopen()
    {
        await using (var store = await _db.OpenAsync())
        {
            Assert.NotNull(store.WalSyncs);
            await Task.WhenAll(Enumerable.Range(0, 50).Select(i => store.CreateWorkflowAsync(Workflow($"wf-{i}"))));
            Assert.InRange(store.WalSyncs!.Value, 1, 50);
            Assert.Equal("1", await SynchronousPragmaAsync(store));
        }
        await using var reopened = await _db.OpenAsync();
        for (var i = 0; i < 50; i++)
        {
            Assert.NotNull(await reopened.GetWorkflowAsync($"wf-{i}"));
        }
    }

    [Fact]
    public async Task Store_PipelinedSyncOff_CommitsSyncThemselves()
    {
        var options = _db.Options();
        options.PipelinedSync = false;
        await using var store = new SqliteStore(options, new StoreSignals());
        await store.InitializeAsync();

        await store.CreateWorkflowAsync(Workflow("wf-1"));

        Assert.Null(store.WalSyncs);
        Assert.NotNull(await store.GetWorkflowAsync("wf-1"));
        Assert.Equal("2", await SynchronousPragmaAsync(store));
    }

    private static WriteOp<int> Executed(int value)
    {
        var op = new WriteOp<int>(_ => value, CancellationToken.None);
        op.Execute(null!);
        return op;
    }

    private static NewWorkflow Workflow(string id) => new(id, "Order", "1", [], new Dictionary<string, string>(), null, null, T0);

    /// <summary>The writer connection's <c>PRAGMA synchronous</c> (1 = NORMAL, 2 = FULL), read through the store's own writer.</summary>
    private static Task<string> SynchronousPragmaAsync(SqliteStore store) =>
        store.WriteAsync(ctx => Convert.ToString(ctx.Sql.Scalar("PRAGMA synchronous"), System.Globalization.CultureInfo.InvariantCulture)!, CancellationToken.None);
}
