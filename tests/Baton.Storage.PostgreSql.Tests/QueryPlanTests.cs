using Baton.Engine.Storage;
using Baton.Storage.PostgreSql.Internal;
using Baton.Storage.Relational;
using Npgsql;
using Xunit;

namespace Baton.Storage.PostgreSql.Tests;

/// <summary>
/// The plans of the queries whose cost must not grow with the number of open tasks, as the store runs them: the task claim's
/// queries read their partial index in claim order (a claim must cost the tasks it takes, not a sort of the whole scheduled
/// backlog); the lookups of one workflow's tasks read that workflow's entries, not every open task; a user task's role rows
/// are deleted through their task's entries; a listing of all tasks, or of open tasks only, scans one index in listing order.
/// The tables here are tiny, where a sequential scan and a sort would be cheapest; with sequential scans off for the test's
/// own connection, the plan shows which index answers.
/// </summary>
public sealed class QueryPlanTests(PostgresServerFixture server)
{
    [Theory]
    [InlineData(nameof(TaskPick.ReadySql), "ix_tasks_scheduled")]
    [InlineData(nameof(TaskPick.NextSql), "ix_tasks_scheduled")]
    [InlineData(nameof(TaskPick.ExpiredSql), "ix_tasks_running")]
    public async Task ClaimQuery_OnMigratedDatabase_ScansItsIndexWithoutSort(string query, string index)
    {
        var sql = query switch
        {
            nameof(TaskPick.ReadySql) => TaskPick.ReadySql,
            nameof(TaskPick.NextSql) => TaskPick.NextSql,
            _ => TaskPick.ExpiredSql,
        };
        var cs = await server.CreateDatabaseAsync();

        var plan = await PlanAsync(cs, PostgreSqlDialect.Instance.Render(sql));

        Assert.Contains(" using " + index + " on tasks", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("Sort", plan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenTasksOfWorkflow_OnMigratedDatabase_ReadsThatWorkflowsTasks()
    {
        var cs = await server.CreateDatabaseAsync();

        var plan = await PlanAsync(cs, PostgreSqlDialect.Instance.Render(Mutations.OpenTasksOfWorkflowSql));

        Assert.Contains(" using ix_tasks_workflow on tasks", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("Sort", plan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListTasksOfWorkflow_OpenOnly_ReadsThatWorkflowsTasks()
    {
        var cs = await server.CreateDatabaseAsync();
        var (sql, _) = RelationalStore.ListTasksSql(new TaskListQuery { WorkflowId = "wf-1", OpenOnly = true, Limit = 10 });

        var plan = await PlanAsync(cs, PostgreSqlDialect.Instance.Render(sql));

        Assert.Contains(" using ix_tasks_workflow on tasks", plan, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, false, false, "ix_tasks_created")]
    [InlineData(null, false, true, "ix_tasks_created")]
    [InlineData("Billing", false, false, "ix_tasks_service")]
    [InlineData("Billing", false, true, "ix_tasks_service")]
    [InlineData(null, true, false, "ix_tasks_open")]
    [InlineData(null, true, true, "ix_tasks_open")]
    [InlineData("Billing", true, false, "ix_tasks_service_open")]
    [InlineData("Billing", true, true, "ix_tasks_service_open")]
    public async Task ListTasks_AllOrOpenOnly_ScansOneIndexInListingOrder(string? service, bool openOnly, bool newestFirst, string index)
    {
        var cs = await server.CreateDatabaseAsync();
        var (sql, _) = RelationalStore.ListTasksSql(new TaskListQuery { ServiceName = service, OpenOnly = openOnly, NewestFirst = newestFirst, Limit = 10 });

        var plan = await PlanAsync(cs, PostgreSqlDialect.Instance.Render(sql), sortsOff: true);

        Assert.Contains(" using " + index + " on tasks", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("Sort", plan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteRoles_OnMigratedDatabase_ReadsThatTasksRoles()
    {
        var cs = await server.CreateDatabaseAsync();

        var plan = await PlanAsync(cs, PostgreSqlDialect.Instance.Render(Mutations.DeleteRolesSql));

        // An index scan or a bitmap scan, as the planner likes; either way through the task's entries, not the primary key's.
        Assert.Matches(@"(using|Bitmap Index Scan on) ix_user_task_roles_task", plan);
    }

    /// <summary>The lines of <c>EXPLAIN</c>, with every parameter the query binds.</summary>
    private static async Task<string> PlanAsync(string connectionString, string sql, bool sortsOff = false)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var off = new NpgsqlCommand(sortsOff ? "SET enable_seqscan = off; SET enable_sort = off" : "SET enable_seqscan = off", connection))
        {
            await off.ExecuteNonQueryAsync();
        }
        await using var cmd = new NpgsqlCommand("EXPLAIN (COSTS OFF) " + sql, connection);
        foreach (var (name, value) in new (string, object)[] { ("service", "Billing"), ("owner", "node-a"), ("now", 1000L), ("max", 256), ("wf", "wf-1"), ("limit", 10), ("id", "task-1") })
        {
            if (sql.Contains("@" + name, StringComparison.Ordinal))
            {
                cmd.Parameters.AddWithValue(name, value);
            }
        }
        await using var reader = await cmd.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }
        return string.Join('\n', lines);
    }
}
