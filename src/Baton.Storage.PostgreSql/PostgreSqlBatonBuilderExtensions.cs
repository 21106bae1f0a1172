using Baton.Storage.PostgreSql;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Baton.Engine.Hosting;

/// <summary>Selects the PostgreSQL store, for several Baton nodes sharing one database.</summary>
public static class PostgreSqlBatonBuilderExtensions
{
    /// <summary>
    /// Keeps all durable state in one PostgreSQL database shared by every node, e.g.
    /// <c>"Host=db;Database=baton;Username=baton;Password=..."</c>. Nodes claim work with <c>SKIP LOCKED</c> and wake each other
    /// with <c>LISTEN/NOTIFY</c>; the schema is migrated at start under an advisory lock.
    /// </summary>
    public static BatonBuilder UsePostgreSql(this BatonBuilder builder, string connectionString, Action<PostgreSqlStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var options = new PostgreSqlStoreOptions { ConnectionString = connectionString };
        configure?.Invoke(options);
        options.Validate();
        return builder.UseStore(context => new PostgreSqlStore(options, context.Signals, context.Time, context.Services.GetService<ILogger<PostgreSqlStore>>()));
    }
}
