using System.Globalization;
using Baton.Shared;
using Baton.Storage.PostgreSql.Tests;
using Npgsql;
using Xunit;

[assembly: AssemblyFixture(typeof(PostgresServerFixture))]

namespace Baton.Storage.PostgreSql.Tests;

/// <summary>
/// A PostgreSQL server for the whole test assembly, with no manual step: the server named by <c>BATON_TEST_POSTGRES</c> (a
/// connection string) when set, or else a private throwaway cluster made with the system's binaries
/// (<c>/usr/lib/postgresql/&lt;version&gt;/bin</c>) in a temp directory, on a free loopback port, as the <c>postgres</c> user when
/// the tests run as root. Each test store gets a fresh database. When no server can be had the tests fail with the reason.
/// </summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    private const string DirPrefix = "baton-pg-";
    private readonly SemaphoreSlim _createLock = new(1, 1);
    private readonly List<string> _databases = [];
    private PrivatePostgresCluster? _cluster;
    private int _counter;
    private string? _template;

    /// <summary>Connection string of the maintenance database (<c>postgres</c>).</summary>
    public string AdminConnectionString { get; private set; } = string.Empty;

    private readonly string _name;

    /// <summary>The assembly-wide server.</summary>
    public PostgresServerFixture()
        : this("shared")
    {
    }

    /// <summary>A separate server, for tests that stop or restart it.</summary>
    internal PostgresServerFixture(string name) => _name = name;

    /// <summary>Restarts the private server (fast shutdown: open connections are dropped), as an outage would.</summary>
    internal Task RestartAsync() =>
        (_cluster ?? throw new InvalidOperationException("Only a private test server can be restarted.")).RestartAsync();

    public async ValueTask InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable("BATON_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(external))
        {
            AdminConnectionString = external;
            await PrivatePostgresCluster.WaitUntilReadyAsync(external, TimeSpan.FromSeconds(30));
            return;
        }
        if (PrivatePostgresCluster.FindBinaries() is null)
        {
            throw new InvalidOperationException(
                "No PostgreSQL for the tests: set BATON_TEST_POSTGRES to a connection string, or install the server binaries " +
                "(bash eng/prepare-test-machine.sh installs the Debian package 'postgresql').");
        }
        // Tests need no durability across machine crashes: no fsync, for speed.
        _cluster = await PrivatePostgresCluster.StartAsync(DirPrefix, _name,
            ["fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=400"]);
        AdminConnectionString = _cluster.AdminConnectionString;
    }

    /// <summary>
    /// Creates a fresh database and returns its connection string: empty when <paramref name="empty"/>, else a copy of a database
    /// the store has already migrated (faster: most tests do not test migrations).
    /// </summary>
    public async Task<string> CreateDatabaseAsync(bool empty = false)
    {
        var name = "baton_t" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "_" + Interlocked.Increment(ref _counter).ToString(CultureInfo.InvariantCulture);
        await _createLock.WaitAsync();
        try
        {
            var template = empty ? "template0" : await MigratedTemplateAsync();
            await using var connection = new NpgsqlConnection(AdminConnectionString);
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\" STRATEGY FILE_COPY", connection);
            await cmd.ExecuteNonQueryAsync();
            _databases.Add(name);
        }
        finally
        {
            _createLock.Release();
        }
        var builder = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = true };
        return builder.ConnectionString;
    }

    /// <summary>A database migrated once by a store, used as the template of the others; called under the create lock.</summary>
    private async Task<string> MigratedTemplateAsync()
    {
        if (_template is not null)
        {
            return _template;
        }
        var name = "baton_t" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "_template";
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE template0", connection);
            await cmd.ExecuteNonQueryAsync();
        }
        _databases.Add(name);
        var builder = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = false };
        await using (var store = new PostgreSqlStore(new PostgreSqlStoreOptions { ConnectionString = builder.ConnectionString }, new Baton.Engine.Storage.StoreSignals()))
        {
            await store.InitializeAsync();
        }
        _template = name;
        return name;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_cluster is null)
        {
            await DropDatabasesAsync();
        }
        else
        {
            await _cluster.DisposeAsync();
        }
        _createLock.Dispose();
    }

    private async Task DropDatabasesAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(AdminConnectionString);
            await connection.OpenAsync();
            foreach (var name in _databases)
            {
                await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
                await cmd.ExecuteNonQueryAsync();
            }
        }
        catch (NpgsqlException)
        {
            // Best effort on a shared server.
        }
    }
}
