using Baton.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Baton.Engine.Hosting;

/// <summary>Selects the embedded SQLite store.</summary>
public static class SqliteBatonBuilderExtensions
{
    /// <summary>Keeps all durable state in one SQLite file (WAL mode), e.g. <c>"Data Source=baton.db"</c>.</summary>
    public static BatonBuilder UseSqlite(this BatonBuilder builder, string connectionString, Action<SqliteStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var options = new SqliteStoreOptions { ConnectionString = connectionString };
        configure?.Invoke(options);
        options.Validate();
        return builder.UseStore(context => new SqliteStore(options, context.Signals, context.Time, context.Services.GetService<ILogger<SqliteStore>>()));
    }
}
