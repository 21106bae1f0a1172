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

    // One statement each, so the check and the write are atomic on both engines: SQLite has a single writer, and PostgreSQL
    // re-evaluates an UPDATE's WHERE on the newest row version after waiting for a concurrent writer's lock (and a concurrent
    // INSERT of the same key makes ON CONFLICT DO NOTHING insert nothing).
    public Task<bool> CompareAndSetValueAsync(string key, string? expected, string value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        return WriteAsync(
            ctx => expected is null
                ? ctx.Sql.Exec("INSERT INTO kv (key, value) VALUES (@key, @value) ON CONFLICT (key) DO NOTHING", ("@key", key), ("@value", value)) == 1
                : ctx.Sql.Exec("UPDATE kv SET value = @value WHERE key = @key AND value = @expected", ("@key", key), ("@value", value), ("@expected", expected)) == 1,
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
