using Baton.Storage.PostgreSql.Internal;
using Baton.Storage.Relational;
using Npgsql;
using Xunit;

namespace Baton.Storage.PostgreSql.Tests;

/// <summary>
/// The task claim's queries, as the store runs them, read their partial index in claim order: a claim must cost the tasks it
/// takes, not a sort of the whole scheduled backlog. The tables here are tiny, where a sequential scan and a sort would be
/// cheapest; with sequential scans off for the test's own connection, the plan shows which index answers in order.
/// </summary>
public sealed class ClaimPlanTests(PostgresServerFixture server)
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

    /// <summary>The lines of <c>EXPLAIN</c>, with every parameter the claim binds.</summary>
    private static async Task<string> PlanAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var off = new NpgsqlCommand("SET enable_seqscan = off", connection))
        {
            await off.ExecuteNonQueryAsync();
        }
        await using var cmd = new NpgsqlCommand("EXPLAIN (COSTS OFF) " + sql, connection);
        foreach (var (name, value) in new (string, object)[] { ("service", "Billing"), ("owner", "node-a"), ("now", 1000L), ("max", 256) })
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
