using Baton.Storage.Relational;
using Microsoft.Data.Sqlite;

namespace Baton.Storage.Sqlite.Internal;

/// <summary>Applies the embedded <c>Migrations/NNNN_name.sql</c> scripts newer than <c>schema_version</c>, in order, in one transaction.</summary>
internal static class Migrator
{
    private const string Prefix = "Baton.Storage.Sqlite.Migrations.";

    public static IReadOnlyList<(int Version, string Name)> Available() => MigrationScripts.Available(typeof(Migrator).Assembly, Prefix);

    /// <summary>Returns the versions applied now.</summary>
    public static IReadOnlyList<int> Apply(SqliteConnection connection, long nowMs)
    {
        Exec(connection, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
        var applied = new List<int>();
        Exec(connection, "BEGIN IMMEDIATE");
        try
        {
            long current;
            using (var cmd = connection.CreateCommand())
            {
                cmd.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
                current = (long)cmd.ExecuteScalar()!;
            }
            foreach (var (version, resource) in Available())
            {
                if (version <= current)
                {
                    continue;
                }
                using var stream = typeof(Migrator).Assembly.GetManifestResourceStream(resource)!;
                using var reader = new StreamReader(stream);
                Exec(connection, reader.ReadToEnd());
                using var record = connection.CreateCommand();
                record.CommandText = "INSERT INTO schema_version (version, name, applied_at) VALUES ($v, $n, $a)";
                record.Parameters.AddWithValue("$v", version);
                record.Parameters.AddWithValue("$n", resource[Prefix.Length..]);
                record.Parameters.AddWithValue("$a", nowMs);
                record.ExecuteNonQuery();
                applied.Add(version);
            }
            Exec(connection, "COMMIT");
        }
        catch
        {
            Exec(connection, "ROLLBACK");
            throw;
        }
        return applied;
    }

    private static void Exec(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
