using System.Text.RegularExpressions;
using Baton.Storage.Relational;
using Baton.Storage.Sqlite.Internal;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Baton.Storage.Sqlite.Tests;

/// <summary>
/// The task claim's queries, as the store runs them, read their partial index in claim order: a claim must cost the tasks it
/// takes, not a sort of the whole scheduled backlog (which made creating many open tasks quadratic).
/// </summary>
public sealed class ClaimPlanTests : IDisposable
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

    /// <summary>The details of <c>EXPLAIN QUERY PLAN</c>, one line each, with every parameter the claim binds.</summary>
    private async Task<string> PlanAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={_db.FilePath};Pooling=False");
        connection.Open();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var (name, value) in new (string, object)[] { ("@service", "Billing"), ("@owner", "node-a"), ("@now", 1000L), ("@max", 256) })
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
