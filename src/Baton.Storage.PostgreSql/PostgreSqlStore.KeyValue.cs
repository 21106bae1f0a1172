namespace Baton.Storage.PostgreSql;

public sealed partial class PostgreSqlStore
{
    /// <inheritdoc />
    public async Task<string?> GetValueAsync(string key, CancellationToken cancellationToken = default) =>
        (await ReadScalarAsync("SELECT value FROM kv WHERE key = @key", cancellationToken, ("@key", key)).ConfigureAwait(false)) as string;

    /// <inheritdoc />
    public Task<string> GetOrAddValueAsync(string key, string value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        return WriteAsync(
            ctx =>
            {
                ctx.Sql.Exec("INSERT INTO kv (key, value) VALUES (@key, @value) ON CONFLICT (key) DO NOTHING", ("@key", key), ("@value", value));
                return (string)ctx.Sql.Scalar("SELECT value FROM kv WHERE key = @key", ("@key", key))!;
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
                "INSERT INTO kv (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                ("@key", key), ("@value", value)),
            cancellationToken);
    }

    /// <inheritdoc />
    public Task EnsureSchemaAsync(string schemaId, string schema, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schemaId);
        ArgumentNullException.ThrowIfNull(schema);
        return WriteAsync(
            ctx => ctx.Sql.Exec("INSERT INTO schemas (schema_id, schema) VALUES (@id, @schema) ON CONFLICT (schema_id) DO NOTHING", ("@id", schemaId), ("@schema", schema)),
            cancellationToken);
    }

    /// <inheritdoc />
    public async Task<string?> GetSchemaAsync(string schemaId, CancellationToken cancellationToken = default) =>
        (await ReadScalarAsync("SELECT schema FROM schemas WHERE schema_id = @id", cancellationToken, ("@id", schemaId)).ConfigureAwait(false)) as string;
}
