namespace Baton.Storage.Sqlite;

public sealed partial class SqliteStore
{
    /// <inheritdoc />
    public Task<string?> GetValueAsync(string key, CancellationToken cancellationToken = default) =>
        ReadAsync(sql => sql.Scalar("SELECT value FROM kv WHERE key = $key", ("$key", key)) as string, cancellationToken);

    /// <inheritdoc />
    public Task<string> GetOrAddValueAsync(string key, string value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        return WriteAsync(
            ctx =>
            {
                ctx.Sql.Exec("INSERT OR IGNORE INTO kv (key, value) VALUES ($key, $value)", ("$key", key), ("$value", value));
                return (string)ctx.Sql.Scalar("SELECT value FROM kv WHERE key = $key", ("$key", key))!;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task SetValueAsync(string key, string value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        return WriteAsync(
            ctx => ctx.Sql.Exec(
                "INSERT INTO kv (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                ("$key", key), ("$value", value)),
            cancellationToken);
    }

    /// <inheritdoc />
    public Task EnsureSchemaAsync(string schemaId, string schema, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schemaId);
        ArgumentNullException.ThrowIfNull(schema);
        return WriteAsync(
            ctx => ctx.Sql.Exec("INSERT OR IGNORE INTO schemas (schema_id, schema) VALUES ($id, $schema)", ("$id", schemaId), ("$schema", schema)),
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<string?> GetSchemaAsync(string schemaId, CancellationToken cancellationToken = default) =>
        ReadAsync(sql => sql.Scalar("SELECT schema FROM schemas WHERE schema_id = $id", ("$id", schemaId)) as string, cancellationToken);
}
