using Microsoft.Data.Sqlite;

namespace Baton.EndToEnd.Worker;

/// <summary>
/// The outside payment gateway's own durable state, in its own SQLite file: charges it was asked for, and whether it
/// has delivered their webhook. It survives kills like a real external system would.
/// </summary>
public sealed class GatewayQueue : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();

    public GatewayQueue(string path)
    {
        _connection = new SqliteConnection($"Data Source={path}");
        _connection.Open();
        Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE IF NOT EXISTS charges (task_id TEXT PRIMARY KEY, i INTEGER NOT NULL, delivered INTEGER NOT NULL DEFAULT 0, requests INTEGER NOT NULL DEFAULT 1);");
    }

    public void Enqueue(string taskId, int i) =>
        Execute("INSERT INTO charges (task_id, i) VALUES ($t, $i) ON CONFLICT(task_id) DO UPDATE SET requests = requests + 1;", ("$t", taskId), ("$i", i));

    public List<(string TaskId, int I)> Undelivered()
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT task_id, i FROM charges WHERE delivered = 0 ORDER BY rowid LIMIT 50;";
            using var reader = command.ExecuteReader();
            var list = new List<(string, int)>();
            while (reader.Read()) list.Add((reader.GetString(0), reader.GetInt32(1)));
            return list;
        }
    }

    public void MarkDelivered(string taskId) => Execute("UPDATE charges SET delivered = 1 WHERE task_id = $t;", ("$t", taskId));

    public void Dispose() => _connection.Dispose();

    private void Execute(string sql, params (string Name, object Value)[] parameters)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
            command.ExecuteNonQuery();
        }
    }
}
