using System.Text.RegularExpressions;
using Baton.Engine.Storage;
using Baton.Storage.Relational;
using Baton.Storage.Sqlite.Internal;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Baton.Storage.Sqlite.Tests;

/// <summary>
/// The plans of the queries whose cost must not grow with the number of open tasks, as the store runs them: the task claim's
/// queries read their partial index in claim order (a claim must cost the tasks it takes, not a sort of the whole scheduled
/// backlog, which made creating many open tasks quadratic); the lookups of one workflow's tasks search that workflow's
/// entries (a scan of every open task made each finishing workflow cost the writer as much as the open backlog); a user
/// task's role rows are deleted through their task's entries; task listings walk one index in listing order (or the tag's rows)
/// instead of sorting every matching task, and open-only listings walk the indexes that hold open tasks only.
/// </summary>
public sealed class QueryPlanTests : IDisposable
{
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Theory]
    [InlineData(nameof(TaskPick.ReadySql), "ix_tasks_scheduled (service_name=? AND ready_at<?)")]
    [InlineData(nameof(TaskPick.NextSql), "ix_tasks_scheduled (service_name=? AND ready_at>?)")]
    [InlineData(nameof(TaskPick.ExpiredSql), "ix_tasks_running (service_name=?)")]
    public async Task ClaimQuery_OnMigratedDatabase_SearchesItsIndexWithoutSort(string query, string expected)
    {
        var sql = query switch
        {
            nameof(TaskPick.ReadySql) => TaskPick.ReadySql,
            nameof(TaskPick.NextSql) => TaskPick.NextSql,
            _ => TaskPick.ExpiredSql,
        };
        await (await _db.OpenAsync()).DisposeAsync();

        var plan = await PlanAsync(SqliteDialect.Instance.Render(sql));

        // Whether SQLite also reports the index as covering depends on its version; the search and the order do not.
        Assert.Matches(@"^SEARCH tasks USING (COVERING )?INDEX " + Regex.Escape(expected) + "$", plan);
        Assert.DoesNotContain("TEMP B-TREE", plan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenTasksOfWorkflow_OnMigratedDatabase_SearchesThatWorkflowsTasks()
    {
        await (await _db.OpenAsync()).DisposeAsync();

        var plan = await PlanAsync(SqliteDialect.Instance.Render(Mutations.OpenTasksOfWorkflowSql));

        Assert.Equal("SEARCH tasks USING INDEX ix_tasks_workflow (workflow_id=?)", plan);
    }

    [Theory]
    [InlineData(true, null)]
    [InlineData(false, TaskState.Delegated)]
    [InlineData(false, null)]
    public async Task ListTasksOfWorkflow_WithOpenOrStateFilter_SearchesThatWorkflowsTasks(bool openOnly, TaskState? state)
    {
        await (await _db.OpenAsync()).DisposeAsync();
        var (sql, _) = RelationalStore.ListTasksSql(new TaskListQuery { WorkflowId = "wf-1", OpenOnly = openOnly, State = state, Limit = 10 });

        var plan = await PlanAsync(SqliteDialect.Instance.Render(sql));

        Assert.Equal("SEARCH tasks USING INDEX ix_tasks_workflow (workflow_id=?)", plan);
    }

    [Theory]
    [InlineData(null, false, false, "SCAN tasks USING INDEX ix_tasks_created")]
    [InlineData(null, false, true, "SCAN tasks USING INDEX ix_tasks_created")]
    [InlineData("Billing", false, false, "SEARCH tasks USING INDEX ix_tasks_service (service_name=?)")]
    [InlineData("Billing", false, true, "SEARCH tasks USING INDEX ix_tasks_service (service_name=?)")]
    [InlineData(null, true, false, "SCAN tasks USING INDEX ix_tasks_open")]
    [InlineData(null, true, true, "SCAN tasks USING INDEX ix_tasks_open")]
    [InlineData("Billing", true, false, "SEARCH tasks USING INDEX ix_tasks_service_open (service_name=?)")]
    [InlineData("Billing", true, true, "SEARCH tasks USING INDEX ix_tasks_service_open (service_name=?)")]
    public async Task ListTasks_AllOrOpenOnly_WalksOneIndexInListingOrder(string? service, bool openOnly, bool newestFirst, string expected)
    {
        await (await _db.OpenAsync()).DisposeAsync();
        var (sql, _) = RelationalStore.ListTasksSql(new TaskListQuery { ServiceName = service, OpenOnly = openOnly, NewestFirst = newestFirst, Limit = 10 });

        var plan = await PlanAsync(SqliteDialect.Instance.Render(sql));

        Assert.Equal(expected, plan);
    }

    /// <summary>A later page (a cursor, and an upper bound on creation) still walks the same index, from the cursor on.</summary>
    [Theory]
    [InlineData(null, false, "ix_tasks_created (created_at<?)")]
    [InlineData("Billing", false, "ix_tasks_service (service_name=? AND created_at<?)")]
    [InlineData(null, true, "ix_tasks_open (created_at<?)")]
    [InlineData("Billing", true, "ix_tasks_service_open (service_name=? AND created_at<?)")]
    public async Task ListTasks_LaterPage_SearchesTheSameIndexFromTheCursor(string? service, bool openOnly, string expected)
    {
        await (await _db.OpenAsync()).DisposeAsync();
        var query = new TaskListQuery { ServiceName = service, OpenOnly = openOnly, NewestFirst = true, After = (DateTimeOffset.UnixEpoch, "t-1"), Limit = 10 };
        var (sql, _) = RelationalStore.ListTasksSql(query);

        var plan = await PlanAsync(SqliteDialect.Instance.Render(sql));

        Assert.Equal("SEARCH tasks USING INDEX " + expected, plan);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ListTasks_ByState_SearchesThatStatesEntriesInListingOrder(bool newestFirst)
    {
        await (await _db.OpenAsync()).DisposeAsync();
        var (sql, _) = RelationalStore.ListTasksSql(new TaskListQuery { State = TaskState.Failed, NewestFirst = newestFirst, Limit = 10 });

        var plan = await PlanAsync(SqliteDialect.Instance.Render(sql));

        Assert.Equal("SEARCH tasks USING INDEX ix_tasks_state (state=?)", plan);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData(TaskState.Delegated, true)]
    public async Task ListTasks_ByTag_WalksThatTagsRowsInOrder(TaskState? state, bool newestFirst)
    {
        await (await _db.OpenAsync()).DisposeAsync();
        var query = new TaskListQuery { Tag = "red", State = state, ServiceName = "Billing", NewestFirst = newestFirst, After = (DateTimeOffset.UnixEpoch, "t-1"), Limit = 10 };
        var (sql, _) = RelationalStore.ListTasksSql(query);

        var plan = await PlanAsync(SqliteDialect.Instance.Render(sql));

        Assert.Matches(@"^SEARCH g USING PRIMARY KEY \(tag=\? AND created_at[<>]\?\)\nSEARCH t USING INDEX sqlite_autoindex_tasks_1 \(task_id=\?\)$", plan);
    }

    [Fact]
    public async Task ListTasks_ByTagOfWorkflow_ProbesTheTagForEachTaskOfTheWorkflow()
    {
        await (await _db.OpenAsync()).DisposeAsync();
        var (sql, _) = RelationalStore.ListTasksSql(new TaskListQuery { Tag = "red", WorkflowId = "wf-1", Limit = 10 });

        var plan = await PlanAsync(SqliteDialect.Instance.Render(sql));

        Assert.Equal("SEARCH tasks USING INDEX ix_tasks_workflow (workflow_id=?)\nSEARCH g EXISTS USING PRIMARY KEY (tag=? AND created_at=? AND task_id=?)", plan);
    }

    [Fact]
    public async Task DeleteRoles_OnMigratedDatabase_SearchesThatTasksRoles()
    {
        await (await _db.OpenAsync()).DisposeAsync();

        var plan = await PlanAsync(SqliteDialect.Instance.Render(Mutations.DeleteRolesSql));

        Assert.Matches(@"^SEARCH user_task_roles USING (COVERING )?INDEX ix_user_task_roles_task \(task_id=\?\)$", plan);
    }

    [Theory]
    [InlineData(InboxSort.Due)]
    [InlineData(InboxSort.Age)]
    public async Task Inbox_VisibleThroughRoles_ProbesTheRoleKeyPerTask(InboxSort sort)
    {
        await (await _db.OpenAsync()).DisposeAsync();
        var (sql, _) = RelationalStore.ListUserTasksSql(new UserTaskListQuery
        {
            VisibleTo = new UserTaskAccess("alice", ["manager", "clerk"], Override: false), Sort = sort, Limit = 10,
        });

        var plan = await PlanAsync(SqliteDialect.Instance.Render(sql));

        // Not every open task of those roles collected into a list first: one key probe per candidate task.
        Assert.Matches(@"SEARCH r USING (COVERING INDEX ix_user_task_roles_task|PRIMARY KEY) \((task_id=\? AND role=\?|role=\? AND task_id=\?)\)", plan);
        Assert.DoesNotContain("LIST SUBQUERY", plan, StringComparison.Ordinal);
    }

    /// <summary>The details of <c>EXPLAIN QUERY PLAN</c>, one line each, with every parameter the query binds.</summary>
    private async Task<string> PlanAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={_db.FilePath};Pooling=False");
        connection.Open();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var (name, value) in new (string, object)[] { ("@service", "Billing"), ("@owner", "node-a"), ("@now", 1000L), ("@max", 256), ("@wf", "wf-1"), ("@state", "Delegated"), ("@limit", 10), ("@id", "task-1"), ("@tag", "red"), ("@afterAt", 0L), ("@afterId", "t-1"), ("@user", "alice"), ("@r0", "manager"), ("@r1", "clerk") })
        {
            if (sql.Contains(name, StringComparison.Ordinal))
            {
                cmd.Parameters.AddWithValue(name, value);
            }
        }
        await using var reader = await cmd.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(3));
        }
        return string.Join('\n', lines);
    }
}
