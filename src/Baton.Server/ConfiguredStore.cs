using Baton.Engine.Hosting;

namespace Baton.Server;

/// <summary>
/// Picks the server's store from configuration (<c>Baton:Store:*</c>, or <c>Baton__Store__*</c> environment variables):
/// <c>Provider</c> is <c>Sqlite</c> (default, <c>ConnectionString</c> defaults to <c>Data Source=baton.db</c>; <c>Synchronous</c>,
/// <c>PipelinedSync</c>, <c>MaxBatchSize</c>, <c>CheckpointPages</c> and <c>BackgroundCheckpoints</c> optional) or
/// <c>PostgreSql</c> (<c>ConnectionString</c> required; <c>WriterConnections</c>, <c>MaxBatchSize</c> and
/// <c>NotificationChannel</c> optional), so several server nodes can share one PostgreSQL database.
/// </summary>
internal static class ConfiguredStore
{
    public static BatonBuilder UseConfiguredStore(this BatonBuilder builder, IConfiguration configuration)
    {
        var section = configuration.GetSection("Baton:Store");
        var provider = section["Provider"] is { Length: > 0 } p ? p : "Sqlite";
        var connectionString = section["ConnectionString"];
        if (provider.Equals("Sqlite", StringComparison.OrdinalIgnoreCase))
            return builder.UseSqlite(connectionString is { Length: > 0 } ? connectionString : "Data Source=baton.db", options => section.Bind(options));
        if (!provider.Equals("PostgreSql", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"Baton:Store:Provider '{provider}' is not known; use Sqlite or PostgreSql.");
        if (connectionString is not { Length: > 0 })
            throw new InvalidOperationException("Baton:Store:ConnectionString is required for the PostgreSql store (e.g. Host=db;Database=baton;Username=baton;Password=...).");
        return builder.UsePostgreSql(connectionString, options => section.Bind(options));
    }
}
