using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
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
    private string? _clusterDir;
    private string? _binDir;
    private bool _asPostgresUser;
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
    internal async Task RestartAsync()
    {
        if (_clusterDir is null) throw new InvalidOperationException("Only a private test server can be restarted.");
        await RunAsync(StartInfo(Path.Combine(_binDir!, "pg_ctl"), ["-D", Path.Combine(_clusterDir, "data"), "-m", "fast", "-w", "-t", "60", "restart"], _asPostgresUser));
    }

    public async ValueTask InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable("BATON_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(external))
        {
            AdminConnectionString = external;
            await WaitUntilReadyAsync(TimeSpan.FromSeconds(30));
            return;
        }
        RemoveLeftovers();
        _binDir = FindBinaries() ?? throw new InvalidOperationException(
            "No PostgreSQL for the tests: set BATON_TEST_POSTGRES to a connection string, or install the server binaries " +
            "(bash eng/prepare-test-machine.sh installs the Debian package 'postgresql').");
        _asPostgresUser = Environment.UserName == "root";
        _clusterDir = Path.Combine(Path.GetTempPath(), DirPrefix + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + _name);
        if (Directory.Exists(_clusterDir))
        {
            Directory.Delete(_clusterDir, recursive: true);
        }
        Directory.CreateDirectory(_clusterDir);
        if (_asPostgresUser)
        {
            await RunAsync("chown", ["-R", "postgres:", _clusterDir], asPostgres: false);
        }
        var data = Path.Combine(_clusterDir, "data");
        await RunAsync(Path.Combine(_binDir, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"], _asPostgresUser);
        var port = FreePort();
        var start = StartInfo(Path.Combine(_binDir, "pg_ctl"),
            ["-D", data, "-l", Path.Combine(_clusterDir, "server.log"), "-w", "-t", "60", "start", "-o",
             $"-p {port} -k {_clusterDir} -h 127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400"],
            _asPostgresUser);
        await RunAsync(start);
        AdminConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false;Timeout=30";
        await WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
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
        if (_clusterDir is null)
        {
            await DropDatabasesAsync();
        }
        else
        {
            try
            {
                await RunAsync(StartInfo(Path.Combine(_binDir!, "pg_ctl"), ["-D", Path.Combine(_clusterDir, "data"), "-m", "immediate", "-w", "stop"], _asPostgresUser));
            }
            finally
            {
                TryDelete(_clusterDir);
            }
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

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(AdminConnectionString);
                await connection.OpenAsync();
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or SocketException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    private static string? FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
        {
            return null;
        }
        return Directory.GetDirectories(root)
            .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0))
            .Where(x => File.Exists(Path.Combine(x.Dir, "postgres")) && File.Exists(Path.Combine(x.Dir, "initdb")))
            .OrderByDescending(x => x.Version)
            .Select(x => x.Dir)
            .FirstOrDefault();
    }

    /// <summary>Removes clusters left by earlier test processes that died without cleaning up (their server is stopped first).</summary>
    private static void RemoveLeftovers()
    {
        foreach (var dir in Directory.GetDirectories(Path.GetTempPath(), DirPrefix + "*"))
        {
            if (!int.TryParse(Path.GetFileName(dir)[DirPrefix.Length..].Split('-')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                || pid == Environment.ProcessId || IsAlive(pid))
            {
                continue;
            }
            var pidFile = Path.Combine(dir, "data", "postmaster.pid");
            if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var postmaster) && IsAlive(postmaster))
            {
                try
                {
                    using var process = Process.GetProcessById(postmaster);
                    process.Kill();
                    process.WaitForExit(10_000);
                }
                catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or System.ComponentModel.Win32Exception)
                {
                }
            }
            TryDelete(dir);
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static ProcessStartInfo StartInfo(string file, IReadOnlyList<string> args, bool asPostgres)
    {
        var info = new ProcessStartInfo(asPostgres ? "runuser" : file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (asPostgres)
        {
            info.ArgumentList.Add("-u");
            info.ArgumentList.Add("postgres");
            info.ArgumentList.Add("--");
            info.ArgumentList.Add(file);
        }
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        return info;
    }

    private static Task RunAsync(string file, IReadOnlyList<string> args, bool asPostgres) => RunAsync(StartInfo(file, args, asPostgres));

    private static async Task RunAsync(ProcessStartInfo info)
    {
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {info.FileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{info.FileName} {string.Join(' ', info.ArgumentList)} exited with {process.ExitCode}: {await stdout} {await stderr}");
        }
    }
}
