using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace Baton.Bench;

/// <summary>
/// The parent's side of a server child process (<c>serve</c>, see <see cref="Scenarios.Serve"/>): starts it on a store,
/// measures its start-up, and drives it through its stdin/stdout command protocol. The admin key is random per child
/// and passed in its environment, never on a command line or in output.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private string? _lastLine; // the child's last answer, for the error when it is not the expected one

    private ServerProcess(Process process, Uri baseUrl, string adminKey, double startupMs, double internalStartupMs)
    {
        _process = process;
        BaseUrl = baseUrl;
        AdminKey = adminKey;
        StartupMs = startupMs;
        InternalStartupMs = internalStartupMs;
    }

    public Uri BaseUrl { get; }

    public string AdminKey { get; }

    /// <summary>From process start to listening, as seen by the parent (includes the .NET runtime's own start).</summary>
    public double StartupMs { get; }

    /// <summary>From the child's Main to listening (host build, store open and migrations, engine start, Kestrel).</summary>
    public double InternalStartupMs { get; }

    public int Pid => _process.Id;

    public static async Task<ServerProcess> StartAsync(BenchOptions options, BenchStore store)
    {
        var adminKey = "bk_bench_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var info = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        var host = Path.GetFileName(Environment.ProcessPath!);
        if (!host.Equals("Baton.Bench", StringComparison.OrdinalIgnoreCase) && !host.Equals("Baton.Bench.exe", StringComparison.OrdinalIgnoreCase))
            info.ArgumentList.Add(typeof(ServerProcess).Assembly.Location);
        foreach (var a in (string[])["serve", "--store", store.Kind, "--db", store.Target]) info.ArgumentList.Add(a);
        if (store.PgWriters is { } w)
        {
            info.ArgumentList.Add("--pg-writers");
            info.ArgumentList.Add(w.ToString(CultureInfo.InvariantCulture));
        }
        if (options.AllocTypes > 0)
        {
            info.ArgumentList.Add("--alloc-types");
            info.ArgumentList.Add(options.AllocTypes.ToString(CultureInfo.InvariantCulture));
        }
        if (options.GcPhases)
        {
            info.ArgumentList.Add("--gc-phases");
            info.ArgumentList.Add("true");
        }
        if (options.Endpoint != "complete")
        {
            info.ArgumentList.Add("--endpoint");
            info.ArgumentList.Add(options.Endpoint);
        }
        info.Environment["BATON_ADMIN_KEY"] = adminKey;
        // The child stands in for Baton.Server, whose runtimeconfig asks for Server GC; the bench's own is workstation GC.
        // An explicit DOTNET_gcServer in the bench's environment still decides.
        if (Environment.GetEnvironmentVariable("DOTNET_gcServer") is null) info.Environment["DOTNET_gcServer"] = "1";
        var started = Stopwatch.GetTimestamp();
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the server child");
        var ready = await process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the server child exited before it was ready");
        var startupMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var words = ready.Split(' ');
        if (words is not ["ready", _, _]) throw new InvalidOperationException($"unexpected line from the server child: {ready}");
        return new ServerProcess(process, new Uri(words[1]), adminKey, startupMs, double.Parse(words[2], CultureInfo.InvariantCulture));
    }

    /// <summary>Has the child create <paramref name="n"/> open delegated tasks; returns every <paramref name="every"/>-th id and the seconds taken.</summary>
    public async Task<(List<string> Ids, double Seconds)> CreateTasksAsync(int n, int perWorkflow, int every)
    {
        await _process.StandardInput.WriteLineAsync(FormattableString.Invariant($"create {n} {perWorkflow} {every}"));
        await _process.StandardInput.FlushAsync();
        var ids = new List<string>(n / every + 1);
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("task ", StringComparison.Ordinal)) ids.Add(line[5..]);
            else if (line.StartsWith("created ", StringComparison.Ordinal)) return (ids, double.Parse(line.Split(' ')[2], CultureInfo.InvariantCulture));
            else throw new InvalidOperationException($"unexpected line from the server child: {line}");
        }
        throw new InvalidOperationException("the server child exited while creating tasks");
    }

    /// <summary>The child's resident set after a full GC, in MiB.</summary>
    public async Task<long> RssAfterGcAsync() =>
        await CommandAsync("rss") is ["rss", var mb] ? long.Parse(mb, CultureInfo.InvariantCulture) : throw Unexpected();

    /// <summary>Has the child run a full blocking GC (what a scenario's set-up left in the young generations is promoted now).</summary>
    public async Task CollectAsync()
    {
        if (await CommandAsync("collect") is not ["collected"]) throw Unexpected();
    }

    /// <summary>The child's JIT so far: methods compiled and the time spent compiling them (all threads), in ms.</summary>
    public async Task<(long Methods, double Ms)> JitAsync() =>
        await CommandAsync("jit") is ["jit", var methods, var ms]
            ? (long.Parse(methods, CultureInfo.InvariantCulture), double.Parse(ms, CultureInfo.InvariantCulture))
            : throw Unexpected();

    /// <summary>The child's GC and CPU so far: total pause time, collections of each generation, processor time, bytes allocated.</summary>
    public async Task<ServerGc> GcAsync() =>
        await CommandAsync("gc") is ["gc", var pause, var gen0, var gen1, var gen2, var cpu, var allocated]
            ? new ServerGc(double.Parse(pause, CultureInfo.InvariantCulture), int.Parse(gen0, CultureInfo.InvariantCulture),
                int.Parse(gen1, CultureInfo.InvariantCulture), int.Parse(gen2, CultureInfo.InvariantCulture), double.Parse(cpu, CultureInfo.InvariantCulture),
                long.Parse(allocated, CultureInfo.InvariantCulture))
            : throw Unexpected();

    /// <summary>Starts (true) or stops the child's allocation sampling; on stopping it prints its most allocated types to its stderr (ours).</summary>
    public async Task SampleAllocationsAsync(bool on)
    {
        if (await CommandAsync(on ? "alloc-start" : "alloc-report") is not ["alloc", "ok"]) throw Unexpected();
    }

    /// <summary>Starts (true) or stops the child's record of its collections; on stopping it prints them to its stderr (ours).</summary>
    public async Task RecordGcPhasesAsync(bool on)
    {
        if (await CommandAsync(on ? "gc-phases-start" : "gc-phases-report") is not ["gc-phases", "ok"]) throw Unexpected();
    }

    /// <summary>The child's own durations of the requests it answered since the previous call (see <see cref="ServerLatency"/>).</summary>
    public async Task<ServerRequestTimes> LatencyAsync() =>
        await CommandAsync("latency") is ["latency", var p50, var p99, var p999, var count, var queueWait, var batch, var syncWait]
            ? new ServerRequestTimes(double.Parse(p50, CultureInfo.InvariantCulture), double.Parse(p99, CultureInfo.InvariantCulture),
                double.Parse(p999, CultureInfo.InvariantCulture), int.Parse(count, CultureInfo.InvariantCulture),
                double.Parse(queueWait, CultureInfo.InvariantCulture), double.Parse(batch, CultureInfo.InvariantCulture), double.Parse(syncWait, CultureInfo.InvariantCulture))
            : throw Unexpected();

    /// <summary>Sends one command and returns the words of its one-line answer.</summary>
    private async Task<string[]> CommandAsync(string command)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
        _lastLine = await _process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the server child exited");
        return _lastLine.Split(' ');
    }

    private InvalidOperationException Unexpected() => new($"unexpected line from the server child: {_lastLine}");

    /// <summary>The child's resident set as it is (no GC), in MiB, from /proc.</summary>
    public long RssNowMb()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _process.StandardInput.WriteLineAsync("quit");
            _process.StandardInput.Close();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            _process.Kill();
        }
        _process.Dispose();
    }
}

/// <summary>GC and CPU figures of the server child, cumulative since it started; subtract two to get a window's.</summary>
internal sealed record ServerGc(double PauseMs, int Gen0, int Gen1, int Gen2, double CpuMs, long AllocatedBytes)
{
    public ServerGc Since(ServerGc earlier) =>
        new(PauseMs - earlier.PauseMs, Gen0 - earlier.Gen0, Gen1 - earlier.Gen1, Gen2 - earlier.Gen2, CpuMs - earlier.CpuMs, AllocatedBytes - earlier.AllocatedBytes);

    public override string ToString() => FormattableString.Invariant($"server_gc_pause={PauseMs:0}ms server_gcs={Gen0}/{Gen1}/{Gen2}");
}

/// <summary>
/// Request durations measured inside the server child, in ms, and the p99 of its store writer's queue wait, batch duration
/// and sync wait over the same window (<c>server_writer_p99=</c>).
/// </summary>
internal sealed record ServerRequestTimes(double P50, double P99, double P999, int Count, double QueueWaitP99, double BatchP99, double SyncWaitP99)
{
    public override string ToString() =>
        FormattableString.Invariant($"server_p50={Measure.F(P50)}ms server_p99={Measure.F(P99)}ms server_p999={Measure.F(P999)}ms ") +
        FormattableString.Invariant($"server_writer_p99={Measure.F(QueueWaitP99)}/{Measure.F(BatchP99)}/{Measure.F(SyncWaitP99)}ms");
}
