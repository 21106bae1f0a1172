using System.Globalization;
using Baton.Storage.Relational;
using Npgsql;

namespace Baton.Storage.PostgreSql.Internal;

/// <summary>
/// Applies the embedded <c>Migrations/NNNN_name.sql</c> scripts newer than <c>schema_version</c>, in order, in one transaction
/// that first takes a transaction-level advisory lock: nodes starting together wait for each other and migrate once.
/// </summary>
internal static class Migrator
{
    private const string Prefix = "Baton.Storage.PostgreSql.Migrations.";

    /// <summary>The advisory lock key: "Baton" read as a number, so other applications on the database are unlikely to share it.</summary>
    public const long LockKey = 0x4261746F6E;

    public static IReadOnlyList<(int Version, string Name)> Available() => MigrationScripts.Available(typeof(Migrator).Assembly, Prefix);

    /// <summary>Returns the versions applied now.</summary>
    public static async Task<IReadOnlyList<int>> ApplyAsync(NpgsqlDataSource dataSource, long nowMs, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecAsync(connection, "SELECT pg_advisory_xact_lock(" + LockKey.ToString(CultureInfo.InvariantCulture) + ")", cancellationToken).ConfigureAwait(false);
        await ExecAsync(connection, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)", cancellationToken).ConfigureAwait(false);
        long current;
        await using (var cmd = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM schema_version", connection))
        {
            current = Convert.ToInt64(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }
        var applied = new List<int>();
        foreach (var (version, resource) in Available())
        {
            if (version <= current)
            {
                continue;
            }
            string script;
            await using (var stream = typeof(Migrator).Assembly.GetManifestResourceStream(resource)!)
            using (var reader = new StreamReader(stream))
            {
                script = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            }
            await ExecAsync(connection, script, cancellationToken).ConfigureAwait(false);
            await using var record = new NpgsqlCommand("INSERT INTO schema_version (version, name, applied_at) VALUES (@v, @n, @a)", connection);
            record.Parameters.AddWithValue("v", version);
            record.Parameters.AddWithValue("n", resource[Prefix.Length..]);
            record.Parameters.AddWithValue("a", nowMs);
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            applied.Add(version);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return applied;
    }

    private static async Task ExecAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
