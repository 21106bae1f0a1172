using Baton.Engine.Storage;

namespace Baton.Storage.Relational;

// IKeyValueStore and ISchemaStore.
internal sealed partial class RelationalStore
{
    public async Task<string?> GetValueAsync(string key, CancellationToken cancellationToken) =>
        await _runner.ReadScalarAsync("SELECT value FROM kv WHERE key = @key", [("@key", key)], cancellationToken).ConfigureAwait(false) as string;

    public Task<string> GetOrAddValueAsync(string key, string value, CancellationToken cancellationToken)
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

    public Task SetValueAsync(string key, string value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        return WriteAsync(
            ctx => ctx.Sql.Exec(
                "INSERT INTO kv (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                ("@key", key), ("@value", value)),
            cancellationToken);
    }

    public Task EnsureSchemaAsync(string schemaId, string schema, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schemaId);
        ArgumentNullException.ThrowIfNull(schema);
        return WriteAsync(
            ctx => ctx.Sql.Exec("INSERT INTO schemas (schema_id, schema) VALUES (@id, @schema) ON CONFLICT (schema_id) DO NOTHING", ("@id", schemaId), ("@schema", schema)),
            cancellationToken);
    }

    public async Task<string?> GetSchemaAsync(string schemaId, CancellationToken cancellationToken) =>
        await _runner.ReadScalarAsync("SELECT schema FROM schemas WHERE schema_id = @id", [("@id", schemaId)], cancellationToken).ConfigureAwait(false) as string;
}
