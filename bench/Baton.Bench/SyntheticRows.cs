using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Baton.Bench;

/// <summary>
/// Copies every task of a SQLite store (with its audit trail and timers) <c>copies</c> times under new task ids
/// (<c>{id}-c{k}</c>): same workflows, states, times and payloads. Used by open-tasks to reach a million open tasks.
/// </summary>
internal static class SyntheticRows
{
    public static void Multiply(string databasePath, int copies)
    {
        if (copies <= 0) return;
        using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        connection.Open();
        using var tx = connection.BeginTransaction();
        foreach (var table in new[] { "tasks", "task_audit", "timers" })
        {
            var columns = Columns(connection, table).Where(c => c != "id" || table != "timers").ToList();
            var select = string.Join(", ", columns.Select(c => c == "task_id" ? "t.task_id || '-c' || k.i" : "t." + c));
            using var cmd = connection.CreateCommand();
            cmd.CommandText =
                $"WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {copies.ToString(CultureInfo.InvariantCulture)}) " +
                $"INSERT INTO {table} ({string.Join(", ", columns)}) SELECT {select} FROM {table} t, k WHERE t.task_id IS NOT NULL";
            cmd.ExecuteNonQuery();
        }
        tx.Commit();
        using var checkpoint = connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        checkpoint.ExecuteNonQuery();
    }

    private static List<string> Columns(SqliteConnection connection, string table)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT name FROM pragma_table_info('{table}')";
        using var reader = cmd.ExecuteReader();
        var list = new List<string>();
        while (reader.Read()) list.Add(reader.GetString(0));
        return list;
    }
}
