using Npgsql;

namespace Baton.MultiNode.Worker;

/// <summary>
/// The outside payment gateway's own durable state, in its own table of the shared database: charges it was asked for, and
/// which node delivered their webhook. Any node delivers any undelivered charge (rows locked with SKIP LOCKED while it calls).
/// </summary>
public sealed class Gateway(NpgsqlDataSource dataSource, string node)
{
    public const string Schema =
        "CREATE TABLE IF NOT EXISTS gateway_charges (task_id TEXT PRIMARY KEY, i INTEGER NOT NULL, requests INTEGER NOT NULL DEFAULT 1, " +
        "delivered_by TEXT, deliveries INTEGER NOT NULL DEFAULT 0)";

    public async Task EnqueueAsync(string taskId, int i)
    {
        await using var cmd = dataSource.CreateCommand(
            "INSERT INTO gateway_charges (task_id, i) VALUES (@t, @i) ON CONFLICT (task_id) DO UPDATE SET requests = gateway_charges.requests + 1");
        cmd.Parameters.AddWithValue("t", taskId);
        cmd.Parameters.AddWithValue("i", i);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Delivers up to a batch of webhooks in one transaction; a kill before the commit makes another node re-send them.</summary>
    public async Task<int> DeliverAsync(Func<string, int, Task> send)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var batch = new List<(string TaskId, int I)>();
        await using (var select = new NpgsqlCommand(
            "SELECT task_id, i FROM gateway_charges WHERE delivered_by IS NULL ORDER BY task_id LIMIT 20 FOR UPDATE SKIP LOCKED", connection, transaction))
        await using (var reader = await select.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                batch.Add((reader.GetString(0), reader.GetInt32(1)));
            }
        }
        foreach (var (taskId, i) in batch)
        {
            await send(taskId, i);
            await using var mark = new NpgsqlCommand(
                "UPDATE gateway_charges SET delivered_by = @n, deliveries = deliveries + 1 WHERE task_id = @t", connection, transaction);
            mark.Parameters.AddWithValue("n", node);
            mark.Parameters.AddWithValue("t", taskId);
            await mark.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
        return batch.Count;
    }
}
