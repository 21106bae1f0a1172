using System.Diagnostics;
using System.Globalization;

namespace Baton.Bench.Scenarios;

/// <summary>
/// The server child process of <c>completion-load</c> and <c>open-tasks</c>: the standalone server composition with the
/// bench workflows on <c>--db</c> (the admin key comes from <c>BATON_ADMIN_KEY</c>); with <c>--endpoint echo</c> or
/// <c>durable-echo</c> also the bench's <see cref="FloorEndpoints"/>. It prints
/// <c>ready &lt;url&gt; &lt;startup ms&gt;</c> once listening, then answers commands read from stdin, one per line:
/// <list type="bullet">
/// <item><c>create &lt;n&gt; &lt;per workflow&gt; &lt;every&gt;</c>: starts workflows (DRT for 1, fan-out otherwise) until
/// n more tasks are delegated, printing <c>task &lt;id&gt;</c> for every <c>every</c>-th, then <c>created &lt;n&gt; &lt;seconds&gt;</c>;</item>
/// <item><c>rss</c>: full GC, then <c>rss &lt;MiB&gt;</c>;</item>
/// <item><c>collect</c>: full GC, then <c>collected</c>;</item>
/// <item><c>gc</c>: <c>gc &lt;pause ms&gt; &lt;gen0&gt; &lt;gen1&gt; &lt;gen2&gt; &lt;cpu ms&gt; &lt;allocated bytes&gt;</c>, the GC pause time,
/// collections, processor time (all threads) and bytes allocated (all threads) since the start;</item>
/// <item><c>jit</c>: <c>jit &lt;methods&gt; &lt;ms&gt;</c>, the methods the JIT compiled since the start and the time it took;</item>
/// <item><c>latency</c>: <c>latency &lt;p50&gt; &lt;p99&gt; &lt;p99.9&gt; &lt;count&gt; &lt;queue wait&gt; &lt;batch&gt; &lt;sync wait&gt;</c>,
/// the server-side durations in ms of the requests since the previous <c>latency</c>, then the p99 in ms of the store
/// writer's queue wait, batch duration and sync wait over the same time (see <see cref="ServerLatency"/>);</item>
/// <item><c>alloc-start</c>, <c>alloc-report</c> (with <c>--alloc-types T</c>): start counting allocation ticks, then stop
/// and print the T most allocated types to stderr; each answers <c>alloc ok</c>;</item>
/// <item><c>gc-phases-start</c>, <c>gc-phases-report</c> (with <c>--gc-phases true</c>): start recording collections, then
/// stop and print each one's phases to stderr (see <see cref="GcPhases"/>); each answers <c>gc-phases ok</c>;</item>
/// <item><c>quit</c> (or end of input): stops.</item>
/// </list>
/// </summary>
internal static class Serve
{
    public static async Task<int> RunAsync(BenchOptions options)
    {
        var started = Stopwatch.GetTimestamp();
        using var latency = new ServerLatency();
        var adminKey = Environment.GetEnvironmentVariable("BATON_ADMIN_KEY") ?? throw new UsageException("serve needs BATON_ADMIN_KEY");
        // Only a child started for a floor measures one: the others (and their start-up) are the plain server composition.
        // The durable floor's log sits beside the store's file, on the same disk (in the temporary directory for PostgreSQL).
        using var floorLog = options.Endpoint != "durable-echo" ? null
            : new DurableLog(options.Store == "sqlite" ? options.Db + ".floor" : Path.Combine(Path.GetTempPath(), $"baton-bench-floor-{Environment.ProcessId}"));
        await using var server = await BenchServer.StartAsync(options.Store, options.Db!, options.PgWriters, adminKey,
            options.Endpoint == "complete" ? null : app => FloorEndpoints.Map(app, floorLog));
        var startupMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        Console.WriteLine(FormattableString.Invariant($"ready {server.BaseUrl} {startupMs:0.0}"));
        using var allocations = options.AllocTypes > 0 ? new AllocationSampler() : null;
        using var gcPhases = options.GcPhases ? new GcPhases() : null;
        var sequence = 0;
        while (Console.ReadLine() is { } line)
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (words.FirstOrDefault())
            {
                case "create":
                    var n = int.Parse(words[1], CultureInfo.InvariantCulture);
                    var per = int.Parse(words[2], CultureInfo.InvariantCulture);
                    var every = int.Parse(words[3], CultureInfo.InvariantCulture);
                    var seconds = await CreateAsync(server, n, per, every, sequence);
                    sequence += n;
                    Console.WriteLine(FormattableString.Invariant($"created {n} {seconds:0.000}"));
                    break;
                case "rss":
                    FullCollect();
                    Console.WriteLine(FormattableString.Invariant($"rss {Measure.RssMb()}"));
                    break;
                case "collect":
                    FullCollect();
                    Console.WriteLine("collected");
                    break;
                case "gc":
                    using (var self = Process.GetCurrentProcess())
                    {
                        Console.WriteLine(FormattableString.Invariant(
                            $"gc {GC.GetTotalPauseDuration().TotalMilliseconds:0.0} {GC.CollectionCount(0)} {GC.CollectionCount(1)} {GC.CollectionCount(2)} {self.TotalProcessorTime.TotalMilliseconds:0} {GC.GetTotalAllocatedBytes()}"));
                    }
                    break;
                case "jit":
                    Console.WriteLine(FormattableString.Invariant(
                        $"jit {System.Runtime.JitInfo.GetCompiledMethodCount()} {System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:0.0}"));
                    break;
                case "latency":
                    var (p50, p99, p999, count, queueWait, batch, syncWait) = latency.TakeWindow();
                    Console.WriteLine(FormattableString.Invariant($"latency {p50:0.000} {p99:0.000} {p999:0.000} {count} {queueWait:0.000} {batch:0.000} {syncWait:0.000}"));
                    break;
                case "alloc-start" or "alloc-report" when allocations is not null:
                    allocations.Sampling = words[0] == "alloc-start";
                    if (!allocations.Sampling) Console.Error.WriteLine(allocations.Report(options.AllocTypes));
                    Console.WriteLine("alloc ok");
                    break;
                case "gc-phases-start" or "gc-phases-report" when gcPhases is not null:
                    gcPhases.Sampling = words[0] == "gc-phases-start";
                    if (!gcPhases.Sampling) Console.Error.WriteLine(gcPhases.Report());
                    Console.WriteLine("gc-phases ok");
                    break;
                case "quit":
                    return 0;
                default:
                    Console.WriteLine($"error unknown command '{line}'");
                    break;
            }
        }
        return 0;
    }

    private static void FullCollect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>Starts workflows until <paramref name="n"/> more tasks reach the external system; returns the seconds it took.</summary>
    private static async Task<double> CreateAsync(BenchServer server, int n, int per, int every, int first)
    {
        var started = Stopwatch.GetTimestamp();
        var delegated = Task.Run(async () =>
        {
            var seen = 0;
            await foreach (var r in server.External.Requests.ReadAllAsync())
            {
                if (seen % every == 0) Console.WriteLine($"task {r.TaskId}");
                if (++seen == n) return;
            }
        });
        var workflows = (n + per - 1) / per;
        using (var slots = new SemaphoreSlim(per == 1 ? 1000 : 16))
        {
            var starts = new List<Task>(workflows);
            for (var w = 0; w < workflows; w++)
            {
                await slots.WaitAsync();
                var size = Math.Min(per, n - w * per);
                var index = first + w;
                starts.Add(Task.Run(async () =>
                {
                    try
                    {
                        if (per == 1) await server.Client.StartWorkflowAsync<DrtWorkflow>(new DrtInput(index));
                        else await server.Client.StartWorkflowAsync<FanOutWorkflow>(new DrtInput(size));
                    }
                    finally
                    {
                        slots.Release();
                    }
                }));
            }
            await Task.WhenAll(starts);
        }
        await delegated;
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }
}
