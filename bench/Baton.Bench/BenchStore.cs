using System.Globalization;
using Baton.Engine.Hosting;
using Baton.Shared;
using Microsoft.Extensions.Configuration;

namespace Baton.Bench;

/// <summary>
/// The store of one run: a fresh SQLite file (synchronous=FULL, WAL: the defaults), or a fresh database on a private
/// PostgreSQL cluster that the bench starts itself from the system's binaries, with PostgreSQL's durable defaults
/// (<c>fsync=on</c>, <c>synchronous_commit=on</c>) on a free loopback port.
/// </summary>
internal sealed class BenchStore : IAsyncDisposable
{
    private readonly PrivatePostgresCluster? _cluster;

    private BenchStore(string kind, string target, PrivatePostgresCluster? cluster, int? pgWriters)
    {
        PgWriters = pgWriters;
        Kind = kind;
        Target = target;
        _cluster = cluster;
    }

    /// <summary><c>sqlite</c> or <c>postgres</c>.</summary>
    public string Kind { get; }

    /// <summary>PostgreSQL writer connections, or null for the store's default.</summary>
    public int? PgWriters { get; }

    /// <summary>The SQLite file path, or the PostgreSQL connection string (loopback, no password).</summary>
    public string Target { get; }

    public static async Task<BenchStore> CreateAsync(BenchOptions options, string name)
    {
        if (options.Store == "sqlite") return new BenchStore("sqlite", options.NewDatabase(name), null, null);
        var cluster = await PrivatePostgresCluster.StartAsync("baton-bench-pg-", name, ["max_connections=200", "shared_buffers=512MB"]);
        var connection = await cluster.CreateDatabaseAsync("baton_" + name.Replace('-', '_') + "_" + DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture));
        return new BenchStore("postgres", connection, cluster, options.PgWriters);
    }

    /// <summary>
    /// Configures an engine for a store described by kind and target (the server child gets them on its command line). Store
    /// settings in the environment (<c>Baton__Store__CheckpointPages=1000</c>...) reach the in-process engines too, as they
    /// reach the server's, so that one build can be compared with itself under other settings.
    /// </summary>
    public static BatonBuilder Use(BatonBuilder builder, string kind, string target, int? pgWriters) =>
        kind == "sqlite"
            ? builder.UseSqlite($"Data Source={target}", o => StoreSettings.Bind(o))
            : builder.UsePostgreSql(target, o =>
            {
                StoreSettings.Bind(o);
                o.WriterConnections = pgWriters ?? o.WriterConnections;
            });

    private static IConfigurationSection StoreSettings { get; } =
        new ConfigurationBuilder().AddEnvironmentVariables().Build().GetSection("Baton:Store");

    /// <summary>The server's command-line settings for this store.</summary>
    public static IEnumerable<string> ServerArgs(string kind, string target, int? pgWriters)
    {
        if (kind == "sqlite")
        {
            yield return $"--Baton:Store:ConnectionString=Data Source={target}";
            yield break;
        }
        yield return "--Baton:Store:Provider=PostgreSql";
        yield return $"--Baton:Store:ConnectionString={target}";
        if (pgWriters is { } w) yield return $"--Baton:Store:WriterConnections={w.ToString(CultureInfo.InvariantCulture)}";
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
        if (Kind == "sqlite") BenchOptions.DeleteDatabase(Target);
    }
}
