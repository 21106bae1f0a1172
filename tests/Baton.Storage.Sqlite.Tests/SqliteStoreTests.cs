using System.Text.Json;
using Baton.Engine.Storage;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Baton.Storage.Sqlite.Tests;

/// <summary>Behaviour specific to the SQLite store: migrations, the lock file, leases at start, group commit, durability.</summary>
public sealed class SqliteStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    private static NewWorkflow Workflow(string id) => new(id, "Order", "1", ["t"], new Dictionary<string, string>(), null, null, T0);

    private static NewTask Task(string workflowId, string taskId) => new()
    {
        TaskId = taskId,
        WorkflowId = workflowId,
        CommandId = 1,
        ServiceName = "Billing",
        MethodName = "Charge",
        Arguments = "[]",
        IsDelegated = false,
        CreatedAt = T0,
    };

    private static async Task CreateWithTaskAsync(SqliteStore store, string workflowId, string taskId)
    {
        await store.CreateWorkflowAsync(Workflow(workflowId));
        var claim = (await store.ClaimWorkflowsAsync("setup", 100, T0, T0.AddMinutes(1))).Single(c => c.Workflow.Id == workflowId);
        var status = await store.CommitStepsAsync([new WorkflowStep
        {
            WorkflowId = workflowId, ExpectedVersion = claim.Workflow.Version, Owner = "setup", State = WorkflowState.Running, At = T0,
            Tasks = [Task(workflowId, taskId)],
        }]);
        Assert.Equal([StepCommitStatus.Committed], status);
    }

    [Fact]
    public async Task InitializeAsync_NewThenReopened_MigrationsAppliedOnce()
    {
        await using (var store = await _db.OpenAsync())
        {
            Assert.Equal([1, 2, 3, 4, 5], store.AppliedMigrations);
        }
        await using (var store = await _db.OpenAsync())
        {
            Assert.Empty(store.AppliedMigrations);
        }
        await using var connection = new SqliteConnection($"Data Source={_db.FilePath};Pooling=False");
        connection.Open();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM schema_version";
        Assert.Equal(5L, (long)(await cmd.ExecuteScalarAsync())!);
        cmd.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string)(await cmd.ExecuteScalarAsync())!);
    }

    /// <summary>
    /// A database of schema version 4 with an open and a finished task: migration 5 builds the open-task indexes over the
    /// open one only, and every listing answers from the new indexes.
    /// </summary>
    [Fact]
    public async Task InitializeAsync_Version4DatabaseWithTasks_Migration5IndexesThemAndListingsAnswer()
    {
        await using (var store = await _db.OpenAsync())
        {
            await CreateWithTaskAsync(store, "wf-1", "t-1");
            await CreateWithTaskAsync(store, "wf-2", "t-2");
            var resolved = await store.ResolveTaskAsync(new TaskResolution
            {
                TaskId = "t-1", Kind = TaskResolutionKind.Complete, Result = "42", Source = new AuditSource("alice", "http"), At = T0,
            });
            Assert.Equal(TaskResolutionStatus.Applied, resolved.Status);
        }
        // Back to version 4: the two indexes as migration 1 made them, the four of migration 5 gone, and no row for it.
        Exec(
            "DROP INDEX ix_tasks_created; DROP INDEX ix_tasks_service; DROP INDEX ix_tasks_open; DROP INDEX ix_tasks_service_open; " +
            "CREATE INDEX ix_tasks_service_open ON tasks (service_name, open, created_at, task_id); " +
            "CREATE INDEX ix_tasks_open ON tasks (open, created_at, task_id); " +
            "DELETE FROM schema_version WHERE version = 5");

        await using (var store = await _db.OpenAsync())
        {
            Assert.Equal([5], store.AppliedMigrations);
            async Task<string[]> Ids(TaskListQuery query) => [.. (await store.ListTasksAsync(query)).Select(t => t.TaskId)];
            Assert.Equal(["t-1", "t-2"], await Ids(new TaskListQuery()));
            Assert.Equal(["t-2", "t-1"], await Ids(new TaskListQuery { ServiceName = "Billing", NewestFirst = true }));
            Assert.Equal(["t-2"], await Ids(new TaskListQuery { OpenOnly = true }));
            Assert.Equal(["t-2"], await Ids(new TaskListQuery { OpenOnly = true, ServiceName = "Billing" }));
            Assert.Equal(["t-1"], await Ids(new TaskListQuery { State = TaskState.Completed }));
        }
        Assert.EndsWith("ON tasks (created_at, task_id) WHERE open = 1", Scalar("SELECT sql FROM sqlite_master WHERE name = 'ix_tasks_open'"), StringComparison.Ordinal);
        Assert.EndsWith("ON tasks (service_name, created_at, task_id) WHERE open = 1", Scalar("SELECT sql FROM sqlite_master WHERE name = 'ix_tasks_service_open'"), StringComparison.Ordinal);
    }

    private void Exec(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={_db.FilePath};Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private string Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={_db.FilePath};Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return (string)cmd.ExecuteScalar()!;
    }

    [Fact]
    public async Task InitializeAsync_FileInUse_RefusedWithClearError()
    {
        await using var first = await _db.OpenAsync();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _db.OpenAsync());

        Assert.Contains(".lock", error.Message, StringComparison.Ordinal);
        Assert.Contains("already in use", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InitializeAsync_AfterFirstDisposed_Opens()
    {
        var first = await _db.OpenAsync();
        await first.DisposeAsync();

        await using var second = await _db.OpenAsync();

        Assert.Null(await second.GetWorkflowAsync("x"));
    }

    [Fact]
    public async Task InitializeAsync_Reopen_LeasesOfPreviousProcessCleared()
    {
        await using (var store = await _db.OpenAsync())
        {
            await CreateWithTaskAsync(store, "wf-1", "t-1");
            await store.CreateWorkflowAsync(Workflow("wf-2"));
            Assert.Single((await store.ClaimTasksAsync("node-a", ["Billing"], 10, T0, T0.AddHours(1))).Tasks);
            Assert.Single(await store.ClaimWorkflowsAsync("node-a", 10, T0, T0.AddHours(1)));
        }

        await using var reopened = await _db.OpenAsync();

        var task = await reopened.GetTaskAsync("t-1");
        Assert.Equal((TaskState.Running, (string?)null, (DateTimeOffset?)null), (task!.State, task.LeaseOwner, task.LeaseUntil));
        var reclaimed = await reopened.ClaimTasksAsync("node-a", ["Billing"], 10, T0.AddSeconds(1), T0.AddHours(1));
        Assert.Equal(2, Assert.Single(reclaimed.Tasks).Attempt);
        Assert.Equal("wf-2", Assert.Single(await reopened.ClaimWorkflowsAsync("node-a", 10, T0.AddSeconds(1), T0.AddHours(1))).Workflow.Id);
    }

    [Fact]
    public async Task DisposeAsync_Reopen_DataSurvives()
    {
        await using (var store = await _db.OpenAsync())
        {
            await CreateWithTaskAsync(store, "wf-1", "t-1");
            await store.SetValueAsync("k", "v");
        }

        await using var reopened = await _db.OpenAsync();

        Assert.Equal(2, (await reopened.GetWorkflowAsync("wf-1"))!.Version);
        Assert.Single(await reopened.GetHistoryAsync("wf-1"));
        Assert.Equal(TaskState.Scheduled, (await reopened.GetTaskAsync("t-1"))!.State);
        Assert.Equal("v", await reopened.GetValueAsync("k"));
    }

    [Fact]
    public async Task WriteAsync_ManyConcurrentOperations_AllCompleteInFewerBatches()
    {
        await using var store = await _db.OpenAsync();
        var before = store.WriteBatches;

        await System.Threading.Tasks.Task.WhenAll(Enumerable.Range(0, 500).Select(i => store.SetValueAsync("k" + i, "v" + i)));

        Assert.Equal("v499", await store.GetValueAsync("k499"));
        Assert.True(store.WriteBatches - before < 500, $"{store.WriteBatches - before} batches for 500 writes");
    }

    [Fact]
    public async Task WriteAsync_FailingOperationInBatch_OnlyItFails()
    {
        await using var store = await _db.OpenAsync();
        using var gate = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        var blocker = store.WriteAsync(_ => { started.Set(); return gate.Wait(TimeSpan.FromSeconds(30)); }, CancellationToken.None);
        Assert.True(started.Wait(TimeSpan.FromSeconds(30)));
        var first = store.SetValueAsync("a", "1");
        var failing = store.WriteAsync<int>(ctx =>
        {
            ctx.Sql.Exec("INSERT INTO kv (key, value) VALUES ('b', '2')");
            throw new InvalidOperationException("boom");
        }, CancellationToken.None);
        var last = store.SetValueAsync("c", "3");
        var batchesBefore = store.WriteBatches;

        gate.Set();
        await blocker;
        await first;
        await last;
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => failing);

        Assert.Equal("boom", error.Message);
        Assert.Equal("1", await store.GetValueAsync("a"));
        Assert.Null(await store.GetValueAsync("b"));
        Assert.Equal("3", await store.GetValueAsync("c"));
        // One batch: run straight (no savepoints), rolled back at the failure, then run again with each operation isolated.
        Assert.Equal(batchesBefore + 2, store.WriteBatches);
    }

    [Fact]
    public async Task CommitSteps_DuplicateTaskId_CallFailsAndNothingWritten()
    {
        await using var store = await _db.OpenAsync();
        await CreateWithTaskAsync(store, "wf-1", "t-1");
        await store.CreateWorkflowAsync(Workflow("wf-2"));
        var claim = Assert.Single(await store.ClaimWorkflowsAsync("n", 10, T0, T0.AddMinutes(1)));

        await Assert.ThrowsAsync<SqliteException>(() => store.CommitStepsAsync([new WorkflowStep
        {
            WorkflowId = "wf-2", ExpectedVersion = claim.Workflow.Version, Owner = "n", State = WorkflowState.Running, At = T0,
            Tasks = [Task("wf-2", "t-1")],
        }]));

        Assert.Equal(1, (await store.GetWorkflowAsync("wf-2"))!.Version);
    }

    [Fact]
    public async Task Signals_CommitMakingWork_Raised()
    {
        var signals = new StoreSignals();
        var finished = new TaskCompletionSource<(string, WorkflowRecord?)>(TaskCreationOptions.RunContinuationsAsynchronously);
        signals.WorkflowFinished += (id, record) => finished.TrySetResult((id, record));
        await using var store = await _db.OpenAsync(signals);
        await store.CreateWorkflowAsync(Workflow("wf-1"));

        await store.CancelWorkflowAsync(new WorkflowCancellation("wf-1", "x", new AuditSource("a", "b"), T0));

        // Raised right after the batch's callers are answered, on the writer's thread, with the canceled row.
        var (id, record) = await finished.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("wf-1", id);
        Assert.Equal(JsonSerializer.Serialize(await store.GetWorkflowAsync("wf-1")), JsonSerializer.Serialize(record));
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public async Task Signals_FinishingStep_NoticeCarriesTheRowOnlyWhenTheStepHasItsCurrentRecord(bool withRecord, bool staleRecord)
    {
        var signals = new StoreSignals();
        var finished = new TaskCompletionSource<WorkflowRecord?>(TaskCreationOptions.RunContinuationsAsynchronously);
        signals.WorkflowFinished += (_, record) => finished.TrySetResult(record);
        await using var store = await _db.OpenAsync(signals);
        await store.CreateWorkflowAsync(Workflow("wf-1"));
        var claim = Assert.Single(await store.ClaimWorkflowsAsync("n", 10, T0, T0.AddMinutes(1)));
        var claimed = staleRecord ? claim.Workflow with { Version = claim.Workflow.Version - 1 } : claim.Workflow;

        await store.CommitStepsAsync([new WorkflowStep
        {
            WorkflowId = "wf-1", ExpectedVersion = claim.Workflow.Version, Owner = "n", State = WorkflowState.Completed,
            Result = "\"done\"", At = T0.AddSeconds(1.2345), Claimed = withRecord ? claimed : null,
        }]);

        var notice = await finished.Task.WaitAsync(TimeSpan.FromSeconds(10));
        if (!withRecord || staleRecord)
        {
            // Without the record the step was computed from, the store cannot know the row: the notice says only which one.
            Assert.Null(notice);
            return;
        }
        // Field for field (tags and metadata are collections, which records compare by reference).
        Assert.Equal(JsonSerializer.Serialize(await store.GetWorkflowAsync("wf-1")), JsonSerializer.Serialize(notice));
        Assert.Equal((WorkflowState.Completed, "\"done\"", claim.Workflow.Version + 1), (notice!.State, notice.Result, notice.Version));
    }

    [Fact]
    public async Task SharedMemoryDatabase_CreateAndRead_Works()
    {
        var options = new SqliteStoreOptions { ConnectionString = $"Data Source=file:{Guid.NewGuid():N}?mode=memory&cache=shared" };
        await using var store = new SqliteStore(options, new StoreSignals());
        await store.InitializeAsync();

        await store.CreateWorkflowAsync(Workflow("wf-1"));

        Assert.NotNull(await store.GetWorkflowAsync("wf-1"));
    }

    [Fact]
    public async Task SharedMemoryDatabase_ReadsBesideWrites_WaitForTheTableLockInsteadOfFailing()
    {
        // A shared-cache database locks whole tables between its connections, and SQLite's busy timeout does not cover those
        // locks: the store must wait for them itself.
        var options = new SqliteStoreOptions { ConnectionString = $"Data Source=file:{Guid.NewGuid():N}?mode=memory&cache=shared" };
        await using var store = new SqliteStore(options, new StoreSignals());
        await store.InitializeAsync();
        using var stop = new CancellationTokenSource();

        var readers = Enumerable.Range(0, 4).Select(r => System.Threading.Tasks.Task.Run(async () =>
        {
            var reads = 0;
            while (!stop.IsCancellationRequested)
            {
                await store.GetWorkflowAsync("wf-" + (reads % 50));
                reads++;
            }
            return reads;
        })).ToList();
        for (var i = 0; i < 10; i++)
        {
            await System.Threading.Tasks.Task.WhenAll(Enumerable.Range(0, 50).Select(j => store.CreateWorkflowAsync(Workflow($"wf-{i}-{j}"))));
        }
        await stop.CancelAsync();

        Assert.All(await System.Threading.Tasks.Task.WhenAll(readers), reads => Assert.True(reads > 0));
        Assert.NotNull(await store.GetWorkflowAsync("wf-9-49"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Data Source=:memory:")]
    public void Constructor_InvalidConnectionString_ArgumentException(string connectionString) =>
        Assert.Throws<ArgumentException>(() => new SqliteStore(new SqliteStoreOptions { ConnectionString = connectionString }, new StoreSignals()));

    [Fact]
    public void Constructor_ZeroBatchSize_ArgumentException() =>
        Assert.Throws<ArgumentException>(() => new SqliteStore(new SqliteStoreOptions { ConnectionString = "Data Source=x.db", MaxBatchSize = 0 }, new StoreSignals()));

    [Fact]
    public void Constructor_ZeroCheckpointPages_ArgumentException() =>
        Assert.Throws<ArgumentException>(() => new SqliteStore(new SqliteStoreOptions { ConnectionString = "Data Source=x.db", CheckpointPages = 0 }, new StoreSignals()));

    [Theory]
    [InlineData(2, true)]
    [InlineData(100_000, false)]
    public async Task CheckpointPages_WithoutBackgroundCheckpoints_CommitsCopyTheLogBackOnlyOnceItIsThatLong(int pages, bool copiedBack)
    {
        var options = _db.Options();
        options.CheckpointPages = pages;
        options.BackgroundCheckpoints = false;
        await using var store = new SqliteStore(options, new StoreSignals());
        await store.InitializeAsync();
        var before = new FileInfo(_db.FilePath).Length;

        await System.Threading.Tasks.Task.WhenAll(Enumerable.Range(0, 2000).Select(i => store.CreateWorkflowAsync(Workflow("wf-" + i))));

        // About a megabyte of new pages: copied into the database file by the commits themselves, or all still only in the log.
        Assert.Null(store.BackgroundCheckpointsRun);
        var after = new FileInfo(_db.FilePath).Length;
        if (copiedBack)
        {
            Assert.True(after > before + 500_000, $"{before} -> {after}");
        }
        else
        {
            Assert.Equal(before, after);
        }
    }

    [Fact]
    public async Task BackgroundCheckpoints_LogLongerThanCheckpointPages_CheckpointsRunAndTheLogIsCopiedBack()
    {
        var options = _db.Options();
        options.CheckpointPages = 2;
        await using var store = new SqliteStore(options, new StoreSignals());
        await store.InitializeAsync();
        var before = new FileInfo(_db.FilePath).Length;

        await System.Threading.Tasks.Task.WhenAll(Enumerable.Range(0, 2000).Select(i => store.CreateWorkflowAsync(Workflow("wf-" + i))));

        // The checkpointer runs on its own low-priority thread, after the commits that asked for it: wait for the copy to land
        // and for the checkpointer to count one (the writer's own safety-net checkpoint can grow the file first).
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((new FileInfo(_db.FilePath).Length <= before + 500_000 || store.BackgroundCheckpointsRun == 0) && DateTime.UtcNow < deadline)
        {
            await System.Threading.Tasks.Task.Delay(20);
        }
        Assert.True(new FileInfo(_db.FilePath).Length > before + 500_000, $"{before} -> {new FileInfo(_db.FilePath).Length}");
        Assert.True(store.BackgroundCheckpointsRun > 0);
    }

    [Theory]
    [InlineData(SqliteSynchronous.Full, true)]
    [InlineData(SqliteSynchronous.Normal, true)]
    [InlineData(SqliteSynchronous.Off, false)]
    public async Task BackgroundCheckpoints_OnLinux_SyncTheDatabaseFileOnceTheLogIsLongUnlessTheStoreRunsWithoutSyncs(SqliteSynchronous synchronous, bool synced)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "the store syncs files itself on Linux only");
        var options = _db.Options();
        options.CheckpointPages = 2;
        options.Synchronous = synchronous;
        await using var store = new SqliteStore(options, new StoreSignals());
        await store.InitializeAsync();

        await System.Threading.Tasks.Task.WhenAll(Enumerable.Range(0, 2000).Select(i => store.CreateWorkflowAsync(Workflow("wf-" + i))));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((store.BackgroundCheckpointsRun == 0 || (synced && store.BackgroundDatabaseSyncs == 0)) && DateTime.UtcNow < deadline)
        {
            await System.Threading.Tasks.Task.Delay(20);
        }

        // The checkpointer syncs after a checkpoint that found the log three thresholds long (6 pages here; 2,000 workflows
        // write far more between two restarts), then counts the checkpoint: one sync may be counted before its checkpoint.
        var syncs = store.BackgroundDatabaseSyncs;
        var checkpoints = store.BackgroundCheckpointsRun;
        Assert.True(checkpoints > 0);
        if (synced)
        {
            Assert.True(syncs > 0 && syncs <= checkpoints + 1, $"{syncs} syncs, {checkpoints} checkpoints");
        }
        else
        {
            Assert.Equal(0, syncs);
        }
    }

    [Fact]
    public async Task BackgroundCheckpoints_LogShorterThanCheckpointPages_NothingCopiedBack()
    {
        var options = _db.Options();
        options.CheckpointPages = 100_000;
        await using var store = new SqliteStore(options, new StoreSignals());
        await store.InitializeAsync();
        var before = new FileInfo(_db.FilePath).Length;

        await System.Threading.Tasks.Task.WhenAll(Enumerable.Range(0, 2000).Select(i => store.CreateWorkflowAsync(Workflow("wf-" + i))));

        // Neither the checkpointer (its threshold) nor the writer (four times it) copied anything back.
        Assert.Equal(0, store.BackgroundCheckpointsRun);
        Assert.Equal(before, new FileInfo(_db.FilePath).Length);
    }

    [Fact]
    public async Task BackgroundCheckpoints_EveryBatchAsksForOne_ReadsBesideThemAndReopenSeeEveryCommit()
    {
        var options = _db.Options();
        options.CheckpointPages = 1;
        await using (var store = new SqliteStore(options, new StoreSignals()))
        {
            await store.InitializeAsync();
            var writes = System.Threading.Tasks.Task.WhenAll(Enumerable.Range(0, 1000).Select(async i =>
            {
                await store.CreateWorkflowAsync(Workflow("wf-" + i));
                // Read back at once, while checkpoints copy the log beside the writer.
                Assert.NotNull(await store.GetWorkflowAsync("wf-" + i));
            }));
            await writes;
            // The checkpointer counts a checkpoint once it and its syncs are done, on its own low-priority thread.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (store.BackgroundCheckpointsRun == 0 && DateTime.UtcNow < deadline)
            {
                await System.Threading.Tasks.Task.Delay(20);
            }
            Assert.True(store.BackgroundCheckpointsRun > 0);
        }
        await using var reopened = await _db.OpenAsync();
        for (var i = 0; i < 1000; i++)
        {
            Assert.NotNull(await reopened.GetWorkflowAsync("wf-" + i));
        }
    }

    [Fact]
    public async Task BackgroundCheckpoints_OnLinux_TheCheckpointerRunsTenNiceStepsBelowTheWriter()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "thread priorities are read from /proc");
        await using var store = await _db.OpenAsync();

        // Thread names are cut to 15 characters in /proc. Other tests' stores may run beside this one: every checkpointer
        // thread of the process must be below every writer thread, once it has started.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var threads = ThreadNices();
            var writers = threads.Where(t => t.Name == "Baton SQLite wr").Select(t => t.Nice).ToList();
            var checkpointers = threads.Where(t => t.Name == "Baton SQLite ch").Select(t => t.Nice).ToList();
            if (writers.Count > 0 && checkpointers.Count > 0 && checkpointers.All(c => c == Math.Min(19, writers.Max() + 10)))
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"writers {string.Join(",", writers)}, checkpointers {string.Join(",", checkpointers)}");
            await System.Threading.Tasks.Task.Delay(20);
        }
    }

    private static List<(string Name, int Nice)> ThreadNices()
    {
        var threads = new List<(string, int)>();
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                // After the name: state is field 3 of stat(5), nice field 19.
                var fields = stat[(close + 2)..].Split(' ');
                threads.Add((stat[(open + 1)..close], int.Parse(fields[16], System.Globalization.CultureInfo.InvariantCulture)));
            }
            catch (IOException)
            {
                // The thread ended meanwhile.
            }
        }
        return threads;
    }

    [Theory]
    [InlineData(10_000, 40_000)]
    [InlineData(int.MaxValue, int.MaxValue)]
    public void WriterThreshold_BesideTheCheckpointer_FourTimesTheThresholdAtMostIntMax(int threshold, int writer) =>
        Assert.Equal(writer, Internal.WalCheckpointer.WriterThreshold(threshold));
}
