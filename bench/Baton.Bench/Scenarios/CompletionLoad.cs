using System.Diagnostics;
using System.Net;

namespace Baton.Bench.Scenarios;

/// <summary>
/// Completion endpoint under load: a server child process on the run's store; before each offered load the child creates
/// rate × duration DRT workflows whose delegated tasks stay open. An open-loop generator (requests sent on a fixed
/// schedule whatever the answers, so a slow server cannot slow the offered load down) then posts
/// <c>POST /api/tasks/Service/{taskId}/complete</c> once per task with a completer-role key over pooled loopback
/// connections. Latency = answer received − scheduled send time (queueing in the client counts: no coordinated omission).
/// With <c>--endpoint echo</c> or <c>durable-echo</c> the same load goes to one of the bench's <see cref="FloorEndpoints"/>
/// instead (the tasks are still created, so the server holds the same workflows): the floor under the figures.
/// Loads go up until one is not sustained (achieved &lt; 95% of offered, or p99 &gt; 1 s, or any error). Before each load
/// the child runs a full GC (unless <c>--settle false</c>), so that the promotion of the just-created workflows, which a
/// server creating them over time would spread out, does not all fall into the measured window.
/// </summary>
internal static class CompletionLoad
{
    public static async Task<string> RunAsync(BenchOptions options)
    {
        await using var store = await BenchStore.CreateAsync(options, "load");
        await using var server = await ServerProcess.StartAsync(options, store);
        var completerKey = await CreateCompleterKeyAsync(server);
        using ICompletionSender client = options.Client == "raw"
            ? new RawLoadClient(server.BaseUrl, completerKey, options.Connections, Prefix(options.Endpoint))
            : new CompletionClient(server.BaseUrl, completerKey, options.Connections, Prefix(options.Endpoint));
        await WarmUpAsync(server, client, options.Warmup);
        var results = new List<Level>();
        foreach (var rate in options.Rates)
        {
            var count = rate * options.Duration;
            var (ids, createSeconds) = await server.CreateTasksAsync(count, 1, 1);
            await Task.Delay(500); // let the workflow steps of the creation settle
            if (options.Settle) await server.CollectAsync();
            var gcBefore = await server.GcAsync();
            var window = Stopwatch.GetTimestamp();
            var clientCpuBefore = OwnCpu();
            var steal = HostSteal.Start();
            await server.LatencyAsync(); // starts the window
            if (options.AllocTypes > 0) await server.SampleAllocationsAsync(true);
            if (options.GcPhases) await server.RecordGcPhasesAsync(true);
            var level = await RunLevelAsync(client, ids, rate);
            if (options.AllocTypes > 0) await server.SampleAllocationsAsync(false);
            if (options.GcPhases) await server.RecordGcPhasesAsync(false);
            var serverTimes = await server.LatencyAsync();
            var gc = (await server.GcAsync()).Since(gcBefore);
            var windowMs = Stopwatch.GetElapsedTime(window).TotalMilliseconds;
            var cpu = gc.CpuMs / windowMs * 100;
            // The load generator's own CPU in the window: on two cores, what it takes the server cannot have.
            var clientCpu = (OwnCpu() - clientCpuBefore).TotalMilliseconds / windowMs * 100;
            // What the server allocates per request decides how often a collection pauses it (push 21).
            var allocPerRequest = gc.AllocatedBytes / 1024.0 / ids.Count;
            var stolen = steal.Since();
            results.Add(level);
            Console.WriteLine(FormattableString.Invariant(
                $"  offered={rate}/s achieved={level.Achieved:0}/s p50={Measure.F(level.P50)}ms p99={Measure.F(level.P99)}ms p999={Measure.F(level.P999)}ms errors={level.Errors} send_late_p99={Measure.F(level.SendLateP99)}ms from_send_p99={Measure.F(level.FromSendP99)}ms created_in={createSeconds:0.0}s {serverTimes} {gc} server_cpu={cpu:0}% client_cpu={clientCpu:0}% server_alloc_per_req={allocPerRequest:0.0}kb steal={stolen} load={Load()}"));
            if (!level.Sustained) break;
        }
        var best = results.Where(l => l.Sustained).MaxBy(l => l.Offered);
        var at2000 = results.FirstOrDefault(l => l.Offered == 2000);
        var target = at2000 is null ? "not_reached" : at2000.Sustained ? FormattableString.Invariant($"p99_{Measure.F(at2000.P99)}ms") : "unsustained";
        return FormattableString.Invariant(
            $"COMPLETE baton-{options.Store}-http{(options.Endpoint == "complete" ? "" : "-" + options.Endpoint)} max_sustained={best?.Offered ?? 0}/s peak_achieved={results.Max(l => l.Achieved):0}/s ") +
            FormattableString.Invariant($"sustained_p50={Measure.F(best?.P50 ?? double.NaN)}ms sustained_p99={Measure.F(best?.P99 ?? double.NaN)}ms sustained_p999={Measure.F(best?.P999 ?? double.NaN)}ms ") +
            $"at_2000={target} server_rss={server.RssNowMb()}mb client={options.Client}";
    }

    /// <summary>The route prefix of <paramref name="endpoint"/> (see <see cref="FloorEndpoints"/>).</summary>
    private static string Prefix(string endpoint) => endpoint == "complete" ? "/api/tasks" : $"/bench/{endpoint}";

    /// <summary>
    /// Warm-up (not reported): rounds of <see cref="WarmUpRound"/> completions at <see cref="WarmUpRate"/>/s, until a round
    /// leaves the server's JIT nearly idle (under <see cref="JitQuietMs"/> of compilation; at most <see cref="MaxWarmUpRounds"/>),
    /// or exactly <paramref name="completions"/> when given. The tiered JIT recompiles the hot paths in the background for tens
    /// of seconds of load (instrumented tier, then optimized); a short warm-up left it using a third of the server's CPU inside
    /// the measured window.
    /// </summary>
    private static async Task WarmUpAsync(ServerProcess server, ICompletionSender client, int? completions)
    {
        var rounds = 0;
        var done = 0;
        var jit = await server.JitAsync();
        var roundJitMs = double.NaN;
        do
        {
            var size = completions is { } n ? Math.Min(WarmUpRound, n - done) : WarmUpRound;
            if (size <= 0) break;
            var (ids, _) = await server.CreateTasksAsync(size, 1, 1);
            await RunLevelAsync(client, ids, WarmUpRate);
            var now = await server.JitAsync();
            roundJitMs = now.Ms - jit.Ms;
            jit = now;
            done += size;
            rounds++;
        }
        while (completions is null ? roundJitMs >= JitQuietMs && rounds < MaxWarmUpRounds : done < completions);
        Console.WriteLine(FormattableString.Invariant(
            $"  warmup completions={done} rounds={rounds} server_jit_methods={jit.Methods} server_jit_ms={jit.Ms:0} last_round_jit_ms={roundJitMs:0}"));
    }

    private const int WarmUpRound = 10_000;
    private const int WarmUpRate = 2_000;
    private const double JitQuietMs = 100;
    private const int MaxWarmUpRounds = 8;

    /// <summary>
    /// One offered load's figures; <c>SendLateP99</c> is the p99 of how late a send started after its scheduled time (the
    /// pacer's and the client's share), <c>FromSendP99</c> the p99 of answer received − send started.
    /// </summary>
    private sealed record Level(int Offered, double Achieved, double P50, double P99, double P999, int Errors, double SendLateP99, double FromSendP99)
    {
        public bool Sustained => Achieved >= 0.95 * Offered && P99 <= 1000 && Errors == 0;
    }

    /// <summary>
    /// Sends one completion per id at <paramref name="rate"/> per second from a dedicated pacing thread: every send that is
    /// due goes out, then the thread sleeps until the next one is due (<see cref="PreciseSleep"/>). It never spins: a
    /// busy-waiting pacer took one of the machine's two cores away from the server at 500/s and more. Latency is counted from
    /// the scheduled time, so a send that leaves late (the pacer waiting for a core) counts against the server.
    /// </summary>
    private static async Task<Level> RunLevelAsync(ICompletionSender client, List<string> ids, int rate)
    {
        var latencies = new double[ids.Count];
        var lateness = new double[ids.Count];
        var errors = 0;
        var sends = new Task[ids.Count];
        var start = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 100;
        long Due(int i) => start + (long)(i * (double)Stopwatch.Frequency / rate);
        var pacer = new Thread(() =>
        {
            var i = 0;
            while (i < ids.Count)
            {
                var now = Stopwatch.GetTimestamp();
                for (; i < ids.Count && Due(i) <= now; i++)
                {
                    var k = i;
                    sends[k] = SendAsync(client, ids[k], k, Due(k), latencies, lateness, () => Interlocked.Increment(ref errors));
                }
                if (i < ids.Count) PreciseSleep.Until(Due(i));
            }
        }) { IsBackground = true, Name = "bench-pacer" };
        pacer.Start();
        await Task.Run(pacer.Join);
        await Task.WhenAll(sends);
        var end = Stopwatch.GetTimestamp();
        var list = latencies.ToList();
        var late = lateness.ToList();
        var fromSend = latencies.Select((l, i) => l - lateness[i]).ToList();
        return new Level(rate, ids.Count / Stopwatch.GetElapsedTime(start, end).TotalSeconds,
            Measure.Percentile(list, 50), Measure.Percentile(list, 99), Measure.Percentile(list, 99.9), errors,
            Measure.Percentile(late, 99), Measure.Percentile(fromSend, 99));
    }

    private static async Task SendAsync(ICompletionSender client, string taskId, int n, long due, double[] latencies, double[] lateness, Action error)
    {
        lateness[n] = Measure.Ms(due, Stopwatch.GetTimestamp());
        try
        {
            var status = await client.CompleteAsync("Service", taskId, n).ConfigureAwait(false);
            if (status != HttpStatusCode.OK) error();
        }
        catch (HttpRequestException)
        {
            error();
        }
        latencies[n] = Measure.Ms(due, Stopwatch.GetTimestamp());
    }

    /// <summary>Creates a completer-role key through the API with the admin key.</summary>
    private static async Task<string> CreateCompleterKeyAsync(ServerProcess server)
    {
        using var admin = new CompletionClient(server.BaseUrl, server.AdminKey, 1);
        using var response = await admin.Http.PostAsync("/api/keys", new StringContent("""{"name":"bench-completer","roles":["completer"]}""", System.Text.Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("key").GetString()!;
    }

    /// <summary>The CPU this process (the load generator) has used so far, all threads, user and kernel.</summary>
    private static TimeSpan OwnCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    /// <summary>The 1-minute load average of the machine.</summary>
    public static string Load() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
}
