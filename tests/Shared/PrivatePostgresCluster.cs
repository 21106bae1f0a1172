using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Baton.Shared;

/// <summary>
/// A private, throwaway PostgreSQL cluster made with the system's binaries (<c>/usr/lib/postgresql/&lt;version&gt;/bin</c>)
/// in a temp directory, listening on a free loopback port, run as the <c>postgres</c> user when the caller is root.
/// Shared as source by the PostgreSQL tests and the benchmark (linked with <c>&lt;Compile Include=... Link=...&gt;</c>).
/// </summary>
internal sealed class PrivatePostgresCluster : IAsyncDisposable
{
    private readonly string _binDir;
    private readonly bool _asPostgresUser;

    private PrivatePostgresCluster(string directory, string binDir, bool asPostgresUser, int port)
    {
        Directory = directory;
        _binDir = binDir;
        _asPostgresUser = asPostgresUser;
        Port = port;
        AdminConnectionString = $"Host=127.0.0.1;Port={port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Database=postgres;Pooling=false;Timeout=30";
    }

    /// <summary>The cluster's directory (data directory, socket and <c>server.log</c>).</summary>
    public string Directory { get; }

    /// <summary>The loopback port it listens on.</summary>
    public int Port { get; }

    /// <summary>Connection string of the maintenance database (<c>postgres</c>), unpooled.</summary>
    public string AdminConnectionString { get; }

    private string DataDir => Path.Combine(Directory, "data");

    /// <summary>
    /// Creates and starts a cluster in <c>{temp}/{prefix}{pid}-{name}</c>, after removing clusters of earlier processes with
    /// the same prefix that died without cleaning up. <paramref name="settings"/> are extra server settings
    /// (<c>name=value</c>, passed as <c>-c</c>), e.g. <c>fsync=off</c> for tests that do not need durability.
    /// </summary>
    public static async Task<PrivatePostgresCluster> StartAsync(string prefix, string name, IEnumerable<string> settings)
    {
        RemoveLeftovers(prefix);
        var binDir = FindBinaries() ?? throw new InvalidOperationException(
            "No PostgreSQL binaries under /usr/lib/postgresql/<version>/bin (bash eng/prepare-test-machine.sh installs the Debian package 'postgresql').");
        var asPostgres = Environment.UserName == "root";
        var directory = Path.Combine(Path.GetTempPath(), prefix + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + name);
        if (System.IO.Directory.Exists(directory))
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
        System.IO.Directory.CreateDirectory(directory);
        if (asPostgres)
        {
            await RunAsync(StartInfo("chown", ["-R", "postgres:", directory], asPostgres: false)).ConfigureAwait(false);
        }
        var data = Path.Combine(directory, "data");
        await RunAsync(StartInfo(Path.Combine(binDir, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"], asPostgres))
            .ConfigureAwait(false);
        var port = FreePort();
        var options = $"-p {port.ToString(CultureInfo.InvariantCulture)} -k {directory} -h 127.0.0.1" + string.Concat(settings.Select(s => " -c " + s));
        await RunAsync(StartInfo(Path.Combine(binDir, "pg_ctl"),
            ["-D", data, "-l", Path.Combine(directory, "server.log"), "-w", "-t", "60", "start", "-o", options], asPostgres)).ConfigureAwait(false);
        var cluster = new PrivatePostgresCluster(directory, binDir, asPostgres, port);
        await cluster.WaitUntilReadyAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        return cluster;
    }

    /// <summary>Restarts the server (fast shutdown: open connections are dropped), as an outage would.</summary>
    public Task RestartAsync() =>
        RunAsync(StartInfo(Path.Combine(_binDir, "pg_ctl"), ["-D", DataDir, "-m", "fast", "-w", "-t", "60", "restart"], _asPostgresUser));

    /// <summary>Creates an empty database and returns a pooled connection string for it.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync().ConfigureAwait(false);
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE template0", connection);
            await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    /// <summary>Stops the server at once and deletes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync(StartInfo(Path.Combine(_binDir, "pg_ctl"), ["-D", DataDir, "-m", "immediate", "-w", "stop"], _asPostgresUser)).ConfigureAwait(false);
        }
        finally
        {
            TryDelete(Directory);
        }
    }

    /// <summary>Waits until <paramref name="connectionString"/> accepts connections.</summary>
    public static async Task WaitUntilReadyAsync(string connectionString, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync().ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or SocketException && Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(100).ConfigureAwait(false);
            }
        }
    }

    private Task WaitUntilReadyAsync(TimeSpan timeout) => WaitUntilReadyAsync(AdminConnectionString, timeout);

    /// <summary>The newest installed server's <c>bin</c> directory, or null.</summary>
    public static string? FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        if (!System.IO.Directory.Exists(root))
        {
            return null;
        }
        return System.IO.Directory.GetDirectories(root)
            .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0))
            .Where(x => File.Exists(Path.Combine(x.Dir, "postgres")) && File.Exists(Path.Combine(x.Dir, "initdb")))
            .OrderByDescending(x => x.Version)
            .Select(x => x.Dir)
            .FirstOrDefault();
    }

    /// <summary>Removes clusters left by earlier processes that died without cleaning up (their server is stopped first).</summary>
    private static void RemoveLeftovers(string prefix)
    {
        foreach (var dir in System.IO.Directory.GetDirectories(Path.GetTempPath(), prefix + "*"))
        {
            if (!int.TryParse(Path.GetFileName(dir)[prefix.Length..].Split('-')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
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
            System.IO.Directory.Delete(dir, recursive: true);
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

    private static async Task RunAsync(ProcessStartInfo info)
    {
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {info.FileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{info.FileName} {string.Join(' ', info.ArgumentList)} exited with {process.ExitCode}: {await stdout.ConfigureAwait(false)} {await stderr.ConfigureAwait(false)}");
        }
    }
}
