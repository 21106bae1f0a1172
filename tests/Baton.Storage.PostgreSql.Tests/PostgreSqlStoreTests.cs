using Baton.Engine;
using Baton.Engine.Hosting;
using Baton.Engine.Storage;
using Baton.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Xunit;

namespace Baton.Storage.PostgreSql.Tests;

/// <summary>Behaviour specific to the PostgreSQL store: migrations under a lock, notifications between nodes, SKIP LOCKED claims, reconnects.</summary>
public sealed class PostgreSqlStoreTests(PostgresServerFixture server)
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static NewWorkflow Workflow(string id) => new(id, "Order", "1", ["t"], new Dictionary<string, string>(), null, null, T0);

    private static NewTask NewTask(string workflowId, string taskId) => new()
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

    private static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Creates <paramref name="workflowId"/> and commits its first step, which dispatches <paramref name="tasks"/>.</summary>
    private static async Task DispatchAsync(PostgreSqlStore store, string workflowId, params NewTask[] tasks)
    {
        await store.CreateWorkflowAsync(Workflow(workflowId));
        var claim = Assert.Single(await store.ClaimWorkflowsAsync("n", 10, T0, T0.AddMinutes(1)));
        Assert.Equal([StepCommitStatus.Committed], await store.CommitStepsAsync([new WorkflowStep
        {
            WorkflowId = workflowId, ExpectedVersion = claim.Workflow.Version, Owner = "n", State = WorkflowState.Running, At = T0,
            Tasks = tasks,
        }]));
    }

    /// <summary>Awaits a condition with a deadline (no fixed sleeps).</summary>
    private static async Task<T> WithinAsync<T>(Task<T> task, TimeSpan timeout) => await task.WaitAsync(timeout);

    [Fact]
    public async Task Write_OperationFailsInsideABatch_OnlyItFailsAndTheOthersCommit()
    {
        var cs = await server.CreateDatabaseAsync();
        // One writer, so that the operations queued together run in one batch, in order.
        await using var store = await TestDatabase.OpenAsync(cs, writerConnections: 1);
        using var gate = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        var blocker = store.WriteAsync(_ => { started.Set(); return gate.Wait(TimeSpan.FromSeconds(30)); }, CancellationToken.None);
        Assert.True(started.Wait(TimeSpan.FromSeconds(30)));
        var first = store.SetValueAsync("a", "1");
        // An error raised by the server aborts the whole transaction: the batch must run again with the others isolated from it.
        var failing = store.WriteAsync<int>(ctx =>
        {
            ctx.Sql.Exec("INSERT INTO kv (key, value) VALUES ('b', '2')");
            return (int)ctx.Sql.Long("SELECT 1 / 0")!.Value;
        }, CancellationToken.None);
        var last = store.SetValueAsync("c", "3");

        gate.Set();
        await WithinAsync(blocker, TimeSpan.FromSeconds(30));
        await first.WaitAsync(TimeSpan.FromSeconds(30));
        await last.WaitAsync(TimeSpan.FromSeconds(30));
        var error = await Assert.ThrowsAsync<PostgresException>(() => failing);

        Assert.Equal(PostgresErrorCodes.DivisionByZero, error.SqlState);
        Assert.Equal("1", await store.GetValueAsync("a"));
        Assert.Null(await store.GetValueAsync("b"));
        Assert.Equal("3", await store.GetValueAsync("c"));
    }

    [Fact]
    public async Task Writes_Listened_EachWaitOnceAndEveryBatchSizedAndTimed()
    {
        var cs = await server.CreateDatabaseAsync();
        using var metrics = new MetricsListener(Relational.StoreMetrics.MeterName, "db.namespace", new NpgsqlConnectionStringBuilder(cs).Database);
        await using (var store = await TestDatabase.OpenAsync(cs, maxBatchSize: 4))
        {
            await Task.WhenAll(Enumerable.Range(0, 12).Select(i => store.SetValueAsync("k" + i, "v")));
        }
        // Disposed: the writers have recorded everything (callers may be answered a moment before).

        var sizes = metrics.Values(Relational.StoreMetrics.WriteBatchSize);
        Assert.Equal(12, metrics.Values(Relational.StoreMetrics.WriteQueueWait).Count);
        Assert.Equal(12, sizes.Sum());
        Assert.All(sizes, size => Assert.InRange(size, 1, 4));
        Assert.Equal(sizes.Count, metrics.Values(Relational.StoreMetrics.WriteBatchDuration).Count);
        // The commit waits for the disk inside the batch: no separate sync.
        Assert.Empty(metrics.Values(Relational.StoreMetrics.WriteSyncWait));
    }

    [Fact]
    public async Task Write_HeldWrites_TravelWithTheNextStatementThatSeesThem()
    {
        var cs = await server.CreateDatabaseAsync();
        await using var store = await TestDatabase.OpenAsync(cs);
        var roundTrips = store.WriteRoundTrips;

        var seen = await store.WriteAsync(ctx =>
        {
            ctx.Sql.Send("INSERT INTO kv (key, value) VALUES ('a', '1')");
            ctx.Sql.Send("INSERT INTO kv (key, value) VALUES ('b', '2')");
            return ctx.Sql.Long("SELECT COUNT(*) FROM kv WHERE key IN ('a', 'b')");
        }, CancellationToken.None);

        Assert.Equal(2, seen);
        // BEGIN; the two inserts with the count; COMMIT. Each on its own would have been two round trips more.
        Assert.Equal(3, store.WriteRoundTrips - roundTrips);
        Assert.Equal(2, store.HeldWrites);
        Assert.Equal("1", await store.GetValueAsync("a"));
        Assert.Equal("2", await store.GetValueAsync("b"));
    }

    [Fact]
    public async Task Write_HeldStatementReturningRows_GoesAheadOfAQueryWhoseRowsAreRead()
    {
        var cs = await server.CreateDatabaseAsync();
        await using var store = await TestDatabase.OpenAsync(cs);
        var roundTrips = store.WriteRoundTrips;

        var value = await store.WriteAsync(ctx =>
        {
            // A SELECT of a function for its effect returns a row nobody reads, as the writer's pg_notify does.
            ctx.Sql.Send("SELECT pg_notify('elsewhere', 'x')");
            ctx.Sql.Send("INSERT INTO kv (key, value) VALUES ('a', '1')");
            return ctx.Sql.Scalar("SELECT value FROM kv WHERE key = 'a'");
        }, CancellationToken.None);

        Assert.Equal("1", value);
        // BEGIN; the held statements; the query; COMMIT.
        Assert.Equal(4, store.WriteRoundTrips - roundTrips);
    }

    [Fact]
    public async Task ResolveTask_OpenDelegatedTask_OneRoundTripBetweenBeginAndCommit()
    {
        var cs = await server.CreateDatabaseAsync();
        await using var store = await TestDatabase.OpenAsync(cs);
        await DispatchAsync(store, "wf-r", NewTask("wf-r", "t-r") with { IsDelegated = true });
        var roundTrips = store.WriteRoundTrips;

        var outcome = await store.ResolveTaskAsync(new TaskResolution
        {
            TaskId = "t-r", Kind = TaskResolutionKind.Complete, Result = "{\"ok\":true}", Source = new AuditSource("svc", "test"), At = T0.AddMinutes(1),
        });

        // BEGIN; the completion's update; COMMIT with the audit entry and the message (marking the workflow and delivering
        // it in one statement).
        Assert.Equal(TaskResolutionStatus.Applied, outcome.Status);
        Assert.Equal(3, store.WriteRoundTrips - roundTrips);
        var message = Assert.Single((await store.ClaimWorkflowsAsync("n", 10, T0.AddMinutes(2), T0.AddMinutes(3)))).Messages.Single();
        Assert.Equal(InboxMessageKind.TaskCompleted, message.Kind);
        Assert.Equal("t-r", message.RefId);
    }

    public enum HeldWriteFailure
    {
        /// <summary>The held write fails with the next operation's first statement.</summary>
        MidBatch,

        /// <summary>The held write of the batch's last operation fails with the commit.</summary>
        AtCommit,

        /// <summary>The operation throws after holding writes (one of which would fail): they are never sent.</summary>
        OperationThrows,
    }

    [Theory]
    [InlineData(HeldWriteFailure.MidBatch)]
    [InlineData(HeldWriteFailure.AtCommit)]
    [InlineData(HeldWriteFailure.OperationThrows)]
    public async Task Write_HeldWriteOfOneOperationFails_OnlyThatOperationFailsAndTheOthersCommit(HeldWriteFailure failure)
    {
        var cs = await server.CreateDatabaseAsync();
        // One writer, so that the operations queued together run in one batch, in order.
        await using var store = await TestDatabase.OpenAsync(cs, writerConnections: 1);
        await store.SetValueAsync("taken", "0");
        using var gate = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        var blocker = store.WriteAsync(_ => { started.Set(); return gate.Wait(TimeSpan.FromSeconds(30)); }, CancellationToken.None);
        Assert.True(started.Wait(TimeSpan.FromSeconds(30)));

        // Queued behind the blocker, so that they run in one batch.
        var first = store.SetValueAsync("a", "1");
        var failing = store.WriteAsync(ctx =>
        {
            ctx.Sql.Send("INSERT INTO kv (key, value) VALUES ('b', '2')");
            ctx.Sql.Send("INSERT INTO kv (key, value) VALUES ('taken', 'again')");
            return failure == HeldWriteFailure.OperationThrows ? throw new InvalidOperationException("after holding writes") : 0;
        }, CancellationToken.None);
        var last = failure == HeldWriteFailure.AtCommit ? Task.CompletedTask : store.SetValueAsync("c", "3");
        gate.Set();

        await WithinAsync(blocker, TimeSpan.FromSeconds(30));
        await first.WaitAsync(TimeSpan.FromSeconds(30));
        await last.WaitAsync(TimeSpan.FromSeconds(30));
        if (failure == HeldWriteFailure.OperationThrows)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => failing);
        }
        else
        {
            var error = await Assert.ThrowsAsync<PostgresException>(() => failing);
            Assert.Equal(PostgresErrorCodes.UniqueViolation, error.SqlState);
        }
        Assert.Equal("1", await store.GetValueAsync("a"));
        Assert.Null(await store.GetValueAsync("b"));
        Assert.Equal("0", await store.GetValueAsync("taken"));
        Assert.Equal(failure == HeldWriteFailure.AtCommit ? null : "3", await store.GetValueAsync("c"));
    }

    [Fact]
    public async Task Write_DeadlockedByAnotherTransaction_BatchRunsAgainAndCallerGetsTheResult()
    {
        var cs = await server.CreateDatabaseAsync();
        await using var store = await TestDatabase.OpenAsync(cs);
        await DispatchAsync(
            store, "wf-d",
            NewTask("wf-d", "y") with { IsDelegated = true, CommandId = 1, DeadlineAt = T0.AddMinutes(1) },
            NewTask("wf-d", "x") with { IsDelegated = true, CommandId = 2, DeadlineAt = T0.AddMinutes(2) });

        // Another transaction holds x; TimeoutBetween times out y, then waits for x; the other then wants y: a deadlock,
        // which the store's backend detects first (the other waits 10 s before looking) and is aborted by.
        await using var other = new NpgsqlConnection(cs);
        await other.OpenAsync();
        await using (var setup = new NpgsqlCommand("SET deadlock_timeout = '10s'; BEGIN; SELECT 1 FROM tasks WHERE task_id = 'x' FOR UPDATE", other))
        {
            await setup.ExecuteNonQueryAsync();
        }
        var timeouts = store.TimeoutTasksBetweenAsync(T0, T0.AddHours(1), new AuditSource("ops", "test"), T0.AddMinutes(5));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await CountAsync(cs, "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()") == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "The store never waited for x.");
            await Task.Delay(10);
        }
        await using (var collide = new NpgsqlCommand("UPDATE tasks SET updated_at = updated_at WHERE task_id = 'y'", other))
        {
            await collide.ExecuteNonQueryAsync();
        }
        await using (var commit = new NpgsqlCommand("COMMIT", other))
        {
            await commit.ExecuteNonQueryAsync();
        }

        var outcome = await WithinAsync(timeouts, TimeSpan.FromSeconds(30));
        Assert.Equal(["y", "x"], outcome.TaskIds);
        Assert.True(store.WriteConflictRetries >= 1);
        Assert.Equal(TaskState.TimedOut, (await store.GetTaskAsync("x"))!.State);
        Assert.Equal(TaskState.TimedOut, (await store.GetTaskAsync("y"))!.State);
    }

    [Fact]
    public async Task Write_TwoWritersLockingRowsInOppositeOrders_EveryCallerAnswered_ALoserRunsAloneAndNeverLosesAgain()
    {
        var cs = await server.CreateDatabaseAsync();
        // Deadlocks are found after deadlock_timeout (1 s by default): shortened for this database, so the test is quick.
        await using (var admin = new NpgsqlConnection(cs))
        {
            await admin.OpenAsync();
            var database = new NpgsqlConnectionStringBuilder(cs).Database;
            await using var set = new NpgsqlCommand($"ALTER DATABASE \"{database}\" SET deadlock_timeout = '20ms'", admin);
            await set.ExecuteNonQueryAsync();
        }
        // Two writers, one operation per batch, so that they run two of them side by side.
        await using var store = await TestDatabase.OpenAsync(cs, maxBatchSize: 1, writerConnections: 2);
        await store.SetValueAsync("a", "-");
        await store.SetValueAsync("b", "-");

        // Half lock a then b, half b then a, with a pause between: side by side, the writers deadlock again and again.
        var writes = Enumerable.Range(0, 40).Select(i => store.WriteAsync(ctx =>
        {
            var (first, second) = i % 2 == 0 ? ("a", "b") : ("b", "a");
            ctx.Sql.Exec("UPDATE kv SET value = @v WHERE key = @k", ("@v", $"{i}"), ("@k", first));
            ctx.Sql.Exec("SELECT pg_sleep(0.01)");
            ctx.Sql.Exec("UPDATE kv SET value = @v WHERE key = @k", ("@v", $"{i}"), ("@k", second));
            return i;
        }, CancellationToken.None)).ToList();

        Assert.Equal(Enumerable.Range(0, 40), await WithinAsync(Task.WhenAll(writes), TimeSpan.FromSeconds(60)));
        Assert.True(store.WriteConflictRetries >= 1, "The writers never deadlocked: the test proves nothing.");
        Assert.Equal(0, store.RepeatedWriteConflicts);
    }

    [Fact]
    public async Task InitializeAsync_TwoStoresConcurrentlyOnEmptyDatabase_MigrateOnce()
    {
        var cs = await server.CreateDatabaseAsync(empty: true);
        var stores = Enumerable.Range(0, 4).Select(_ => new PostgreSqlStore(TestDatabase.Options(cs), new StoreSignals())).ToList();
        try
        {
            await Task.WhenAll(stores.Select(s => s.InitializeAsync()));

            Assert.Equal([1, 2, 3, 4, 5], stores.SelectMany(s => s.AppliedMigrations));
            Assert.Equal(1, await CountAsync(cs, "SELECT COUNT(*) FROM schema_version WHERE version = 1"));
            Assert.Equal(Migrations(), await CountAsync(cs, "SELECT COUNT(*) FROM schema_version"));
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }

    private static long Migrations() => typeof(PostgreSqlStore).Assembly.GetManifestResourceNames().Count(n => n.EndsWith(".sql", StringComparison.Ordinal));

    [Fact]
    public async Task InitializeAsync_Reopened_NothingApplied()
    {
        var cs = await server.CreateDatabaseAsync(empty: true);
        await using (var first = await TestDatabase.OpenAsync(cs))
        {
            Assert.Equal([1, 2, 3, 4, 5], first.AppliedMigrations);
        }
        await using var second = await TestDatabase.OpenAsync(cs);
        Assert.Empty(second.AppliedMigrations);
    }

    [Fact]
    public async Task Notify_WorkflowFinishedOnOneStore_OtherStoreSignalled()
    {
        var cs = await server.CreateDatabaseAsync();
        var otherSignals = new StoreSignals();
        var finished = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        otherSignals.WorkflowFinished += (id, _) => finished.TrySetResult(id);
        await using var node = await TestDatabase.OpenAsync(cs);
        await using var other = await TestDatabase.OpenAsync(cs, otherSignals);

        await node.CreateWorkflowAsync(Workflow("wf-1"));
        var claim = Assert.Single(await node.ClaimWorkflowsAsync("node-a", 10, T0, T0.AddMinutes(1)));
        var status = await node.CommitStepsAsync([new WorkflowStep
        {
            WorkflowId = "wf-1", ExpectedVersion = claim.Workflow.Version, Owner = "node-a", State = WorkflowState.Completed, Result = "1", At = T0,
        }]);

        Assert.Equal([StepCommitStatus.Committed], status);
        Assert.Equal("wf-1", await WithinAsync(finished.Task, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Notify_OwnCommit_RaisedOnceLocallyNotEchoed()
    {
        var cs = await server.CreateDatabaseAsync();
        var signals = new StoreSignals();
        var count = 0;
        // The writer raises its own finish just after answering the commit, so the test waits for that raise, not with it.
        var raisedLocally = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        signals.WorkflowFinished += (id, _) =>
        {
            Interlocked.Increment(ref count);
            if (id == "wf-1")
            {
                raisedLocally.TrySetResult();
            }
        };
        await using var node = await TestDatabase.OpenAsync(cs, signals);
        await using var other = await TestDatabase.OpenAsync(cs);
        var otherSaw = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        await node.CreateWorkflowAsync(Workflow("wf-1"));
        var claim = Assert.Single(await node.ClaimWorkflowsAsync("node-a", 10, T0, T0.AddMinutes(1)));
        await node.CommitStepsAsync([new WorkflowStep
        {
            WorkflowId = "wf-1", ExpectedVersion = claim.Workflow.Version, Owner = "node-a", State = WorkflowState.Completed, Result = "1", At = T0,
        }]);
        await raisedLocally.Task.WaitAsync(TimeSpan.FromSeconds(10));
        // A later notification from the other store proves the first one has been delivered (one connection, in commit order).
        var marker = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        signals.WorkflowFinished += (id, _) =>
        {
            if (id == "wf-2")
            {
                marker.TrySetResult();
            }
        };
        await other.CreateWorkflowAsync(Workflow("wf-2"));
        var claim2 = Assert.Single(await other.ClaimWorkflowsAsync("node-b", 10, T0, T0.AddMinutes(1)));
        await other.CommitStepsAsync([new WorkflowStep
        {
            WorkflowId = "wf-2", ExpectedVersion = claim2.Workflow.Version, Owner = "node-b", State = WorkflowState.Failed, Error = "{}", At = T0,
        }]);
        await marker.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(2, Volatile.Read(ref count)); // wf-1 once (locally), wf-2 once (notified)
    }

    [Fact]
    public async Task ClaimWorkflows_TwoOwnersConcurrently_NeverTheSameWorkflow()
    {
        var cs = await server.CreateDatabaseAsync();
        await using var a = await TestDatabase.OpenAsync(cs);
        await using var b = await TestDatabase.OpenAsync(cs);
        var ids = Enumerable.Range(0, 300).Select(i => $"wf-{i:D3}").ToList();
        await Task.WhenAll(ids.Select(id => a.CreateWorkflowAsync(Workflow(id))));

        async Task<List<string>> DrainAsync(PostgreSqlStore store, string owner)
        {
            var mine = new List<string>();
            while (true)
            {
                var claims = await store.ClaimWorkflowsAsync(owner, 7, T0, T0.AddMinutes(5));
                if (claims.Count == 0)
                {
                    return mine;
                }
                mine.AddRange(claims.Select(c => c.Workflow.Id));
            }
        }

        var results = await Task.WhenAll(DrainAsync(a, "node-a"), DrainAsync(a, "node-a2"), DrainAsync(b, "node-b"), DrainAsync(b, "node-b2"));

        var all = results.SelectMany(r => r).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal(ids, all.Order(StringComparer.Ordinal));
        Assert.All(results, r => Assert.NotEmpty(r));
    }

    [Fact]
    public async Task ClaimTasks_TwoOwnersConcurrently_NeverTheSameTask()
    {
        var cs = await server.CreateDatabaseAsync();
        await using var a = await TestDatabase.OpenAsync(cs);
        await using var b = await TestDatabase.OpenAsync(cs);
        await a.CreateWorkflowAsync(Workflow("wf"));
        var claim = Assert.Single(await a.ClaimWorkflowsAsync("setup", 10, T0, T0.AddMinutes(1)));
        var taskIds = Enumerable.Range(0, 300).Select(i => $"t-{i:D3}").ToList();
        Assert.Equal([StepCommitStatus.Committed], await a.CommitStepsAsync([new WorkflowStep
        {
            WorkflowId = "wf", ExpectedVersion = claim.Workflow.Version, Owner = "setup", State = WorkflowState.Running, At = T0,
            Tasks = taskIds.Select(id => NewTask("wf", id)).ToList(),
        }]));

        async Task<List<TaskRecord>> DrainAsync(PostgreSqlStore store, string owner)
        {
            var mine = new List<TaskRecord>();
            while (true)
            {
                var batch = await store.ClaimTasksAsync(owner, ["Billing"], 7, T0, T0.AddMinutes(5));
                if (batch.Tasks.Count == 0)
                {
                    return mine;
                }
                mine.AddRange(batch.Tasks);
            }
        }

        var results = await Task.WhenAll(DrainAsync(a, "node-a"), DrainAsync(a, "node-a2"), DrainAsync(b, "node-b"), DrainAsync(b, "node-b2"));

        var all = results.SelectMany(r => r).ToList();
        Assert.Equal(taskIds, all.Select(t => t.TaskId).Order(StringComparer.Ordinal));
        Assert.All(all, t => Assert.Equal(1, t.Attempt));
        Assert.Equal(300, await CountAsync(cs, "SELECT COUNT(*) FROM task_audit WHERE kind = 'Started'"));
    }

    [Fact]
    public async Task Logging_ThroughUsePostgreSql_MigrationsThenABrokenListenerAndItsReconnectionReported()
    {
        var cs = await server.CreateDatabaseAsync(empty: true);
        var logger = new RecordingLogger();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(logger.ProviderFor(typeof(PostgreSqlStore).FullName!)));
        services.AddBaton(baton => baton.UsePostgreSql(cs));
        await using var provider = services.BuildServiceProvider();
        var engine = provider.GetRequiredService<BatonEngine>();
        await engine.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            var migrated = await logger.WaitForAsync(2100, TimeSpan.FromSeconds(10));
            Assert.Equal(LogLevel.Information, migrated.Level);
            Assert.Matches("applied versions 1, 2, 3(, [0-9]+)*, now at version [0-9]+", migrated.Message);

            // Only the listener's connection is cut: it is the one whose last statement was its LISTEN.
            await using (var admin = new NpgsqlConnection(server.AdminConnectionString))
            {
                await admin.OpenAsync();
                await using var kill = new NpgsqlCommand(
                    "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = @db AND query LIKE 'LISTEN %'", admin);
                kill.Parameters.AddWithValue("db", new NpgsqlConnectionStringBuilder(cs).Database!);
                Assert.Equal(1L, await kill.ExecuteScalarAsync());
            }

            var broken = await logger.WaitForAsync(2101, TimeSpan.FromSeconds(20));
            Assert.Equal(LogLevel.Warning, broken.Level);
            Assert.NotNull(broken.Exception);
            var back = await logger.WaitForAsync(2102, TimeSpan.FromSeconds(20));
            Assert.Equal(LogLevel.Information, back.Level);
            Assert.Single(logger.Records, r => r.EventId == 2101);
        }
        finally
        {
            await engine.StopAsync(TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task Connections_TerminatedByServer_FailuresReportedThenStoreRecovers()
    {
        var cs = await server.CreateDatabaseAsync();
        var signals = new StoreSignals();
        var finished = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        signals.WorkflowFinished += (id, _) => finished.TrySetResult(id);
        await using var store = await TestDatabase.OpenAsync(cs, signals);
        await using var other = await TestDatabase.OpenAsync(cs);
        await store.SetValueAsync("k", "v0");

        var database = new NpgsqlConnectionStringBuilder(cs).Database;
        await using (var admin = new NpgsqlConnection(server.AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = @db AND pid <> pg_backend_pid()", admin);
            kill.Parameters.AddWithValue("db", database!);
            Assert.True((long)(await kill.ExecuteScalarAsync())! > 0);
        }

        // Every write either fails with an exception (its connection was terminated) or is applied: none is lost silently,
        // and after the first failure the store has dropped its broken connections.
        var failures = 0;
        for (var i = 1; i <= 10; i++)
        {
            try
            {
                await store.SetValueAsync("k", "v" + i);
            }
            catch (NpgsqlException)
            {
                failures++;
                await store.SetValueAsync("k", "v" + i);
            }
        }
        Assert.Equal("v10", await ReadAsync(store));
        Assert.True(failures <= 1, $"{failures} writes failed");

        // The listener reconnected: a workflow finished by another store is still signalled.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!finished.Task.IsCompleted && DateTime.UtcNow < deadline)
        {
            try
            {
                var id = "wf-" + Guid.NewGuid().ToString("N");
                await other.CreateWorkflowAsync(Workflow(id));
                var claim = (await other.ClaimWorkflowsAsync("node-b", 1000, T0, T0.AddMinutes(1))).First(c => c.Workflow.Id == id);
                await other.CommitStepsAsync([new WorkflowStep
                {
                    WorkflowId = id, ExpectedVersion = claim.Workflow.Version, Owner = "node-b", State = WorkflowState.Completed, Result = "1", At = T0,
                }]);
            }
            catch (NpgsqlException)
            {
                // The other store's connections were terminated too: its first use fails, the next works.
            }
            await Task.WhenAny(finished.Task, Task.Delay(200));
        }
        Assert.True(finished.Task.IsCompleted, "No notification reached the store after its listener connection was terminated.");
    }

    private static async Task<string?> ReadAsync(PostgreSqlStore store)
    {
        try
        {
            return await store.GetValueAsync("k");
        }
        catch (NpgsqlException)
        {
            return await store.GetValueAsync("k");
        }
    }
}
