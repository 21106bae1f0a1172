using System.Diagnostics;
using System.Globalization;
using System.Net;
using Baton.Engine;
using Baton.Shared;
using Baton.Storage.Relational;

namespace Baton.Bench.Scenarios;

/// <summary>
/// Delegated round trip: the client starts N workflows keeping at most C in flight; each delegates one task to the
/// external system, whose completer completes it through the public API — the in-process client
/// (<c>--completion inproc</c>) or <c>POST /api/tasks/{service}/{taskId}/complete</c> of a real server on loopback with a
/// completer-role API key (<c>--completion http</c>); the client waits for each result. <c>--store</c> picks SQLite or
/// a private PostgreSQL cluster.
/// </summary>
internal static class Drt
{
    private static int CompletionErrors;

    public static async Task<string> RunAsync(BenchOptions options)
    {
        var n = options.N ?? 20_000;
        // Indexes n.. are the warm-up's: at most MaxWarmUpRounds rounds, or the fixed count asked for.
        var warmupCapacity = options.Warmup ?? MaxWarmUpRounds * Math.Min(WarmUpRound, n);
        await using var store = await BenchStore.CreateAsync(options, "drt");
        BenchHost? host = null;
        BenchServer? server = null;
        CompletionClient? http = null;
        try
        {
            InProcessBatonClient client;
            ExternalSystem external;
            Func<ExternalRequest, Task> complete;
            if (options.Completion == "http")
            {
                server = await BenchServer.StartAsync(store.Kind, store.Target, store.PgWriters);
                http = new CompletionClient(server.BaseUrl, await server.CreateCompleterKeyAsync(), Math.Min(options.Connections, options.C));
                (client, external) = (server.Client, server.External);
                var h = http;
                complete = async r =>
                {
                    var status = await h.CompleteAsync("Service", r.TaskId, r.N);
                    if (status != HttpStatusCode.OK) throw new InvalidOperationException($"HTTP {(int)status}");
                };
            }
            else
            {
                host = await BenchHost.StartAsync(store);
                (client, external) = (host.Client, host.External);
                var c = client;
                complete = r => c.CompleteDelegatedTaskAsync("Service", r.TaskId, new DrtResult(true, r.N));
            }
            using var stop = new CancellationTokenSource();
            var stages = new DrtStages(n + warmupCapacity);
            using var writer = new MetricsListener(StoreMetrics.MeterName, keepValues: false);
            using var executor = new MetricsListener(EngineMetrics.MeterName, keepValues: false);
            using var allocations = options.AllocTypes > 0 ? new AllocationSampler() : null;
            var completer = Task.Run(() => CompleteAllAsync(external, complete, stages, options.C, stop.Token));
            await WarmUpAsync(client, n, options.Warmup, options.C, stages);
            var latencies = new List<double>(n);
            // CPU per workflow is steadier than throughput on a shared machine: it compares builds where wall time cannot.
            writer.Clear();
            executor.Clear();
            var cpuBefore = Environment.CpuUsage.TotalTime;
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
            var pausedBefore = GC.GetTotalPauseDuration();
            var jitMethodsBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
            var jitTimeBefore = System.Runtime.JitInfo.GetCompilationTime();
            var writerBefore = Measure.ThreadsCpu(Measure.IsWriterThread);
            var started = Stopwatch.GetTimestamp();
            var steal = HostSteal.Start();
            allocations?.Sampling = true;
            await RunBatchAsync(client, 0, n, options.C, stages, latencies);
            allocations?.Sampling = false;
            var elapsed = Stopwatch.GetElapsedTime(started);
            var stolen = steal.Since();
            var cpuPerWorkflow = (Environment.CpuUsage.TotalTime - cpuBefore).TotalMicroseconds / n;
            var writerPerWorkflow = (Measure.ThreadsCpu(Measure.IsWriterThread) - writerBefore)?.TotalMicroseconds / n;
            var allocatedPerWorkflow = (GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore) / 1024.0 / n;
            var pausedShare = (GC.GetTotalPauseDuration() - pausedBefore) / elapsed;
            var jitMethods = System.Runtime.JitInfo.GetCompiledMethodCount() - jitMethodsBefore;
            var jitTime = System.Runtime.JitInfo.GetCompilationTime() - jitTimeBefore;
            await stop.CancelAsync();
            await completer;
            if (allocations is not null) Console.Error.WriteLine(allocations.Report(options.AllocTypes));
            var throughput = n / elapsed.TotalSeconds;
            return $"DRT baton-{options.Store}-{options.Completion} N={n} C={options.C} throughput={throughput:0}/s " +
                $"p50={Measure.F(Measure.Percentile(latencies, 50))}ms p99={Measure.F(Measure.Percentile(latencies, 99))}ms rss={Measure.PeakRssMb()}mb " +
                $"cpu_per_wf={cpuPerWorkflow:0}us" + (writerPerWorkflow is { } w ? $" writer_cpu_per_wf={w:0}us" : "") +
                $" steal={stolen} alloc_per_wf={allocatedPerWorkflow:0.0}kb gc_paused={pausedShare * 100:0.0}% jit={jitMethods}/{jitTime.TotalMilliseconds:0}ms {stages} {WriterFigures(writer)} {ExecutorFigures(executor)}" +
                (CompletionErrors > 0 ? $" completion_errors={CompletionErrors}" : "");
        }
        finally
        {
            http?.Dispose();
            if (server is not null) await server.DisposeAsync();
            if (host is not null) await host.DisposeAsync();
        }
    }

    /// <summary>
    /// Warm-up (not measured): JIT, caches, pages, connections. Without <paramref name="fixedCount"/>, rounds of
    /// <see cref="WarmUpRound"/> workflows (N when smaller) until a round leaves the JIT nearly idle (under
    /// <see cref="JitQuietMs"/> of compilation; at most <see cref="MaxWarmUpRounds"/>); else exactly that many workflows in one
    /// batch. The tiered JIT keeps recompiling the hot paths in the background for tens of seconds of load: after a fixed
    /// warm-up of 20,000 workflows it still spent about 2 s of CPU compiling 1,300 methods inside the measured phase.
    /// </summary>
    private static async Task WarmUpAsync(InProcessBatonClient client, int n, int? fixedCount, int concurrency, DrtStages stages)
    {
        var first = n;
        var rounds = 0;
        double roundJitMs;
        do
        {
            var size = fixedCount ?? Math.Min(WarmUpRound, n);
            var jitBefore = System.Runtime.JitInfo.GetCompilationTime();
            await RunBatchAsync(client, first, size, concurrency, stages, null);
            roundJitMs = (System.Runtime.JitInfo.GetCompilationTime() - jitBefore).TotalMilliseconds;
            first += size;
            rounds++;
        }
        while (fixedCount is null && roundJitMs >= JitQuietMs && rounds < MaxWarmUpRounds);
        Console.WriteLine(FormattableString.Invariant($"  warmup workflows={first - n} rounds={rounds} last_round_jit_ms={roundJitMs:0}"));
    }

    private const int WarmUpRound = 10_000;
    private const double JitQuietMs = 100;
    private const int MaxWarmUpRounds = 8;

    private static string Ms(double? seconds) => seconds is { } s ? (s * 1000).ToString("0.00", CultureInfo.InvariantCulture) : "-";

    /// <summary>
    /// Where a write's time goes, as means over the measured phase: <c>writer_ms=</c> the wait for the writer / a batch's
    /// duration / its wait for the sync (SQLite's pipelined sync; <c>-</c> elsewhere), and <c>batch_ops=</c> writes per batch.
    /// </summary>
    private static string WriterFigures(MetricsListener writer) =>
        $"writer_ms={Ms(writer.Mean(StoreMetrics.WriteQueueWait))}/{Ms(writer.Mean(StoreMetrics.WriteBatchDuration))}/" +
        $"{Ms(writer.Mean(StoreMetrics.WriteSyncWait))} batch_ops={writer.Mean(StoreMetrics.WriteBatchSize) ?? 0:0.0}";

    /// <summary>
    /// How the executor's loops spend a turn, as means over the measured phase: <c>executor_ms=</c> a claim / stepping a turn's
    /// workflows / committing them, and <c>turn_wf=</c> workflows per turn (claims and handed-over starts together).
    /// </summary>
    private static string ExecutorFigures(MetricsListener executor) =>
        $"executor_ms={Ms(executor.Mean(EngineMetrics.ClaimDuration))}/{Ms(executor.Mean(EngineMetrics.StepDuration))}/" +
        $"{Ms(executor.Mean(EngineMetrics.CommitDuration))} turn_wf={executor.Mean(EngineMetrics.TurnWorkflows) ?? 0:0.0}";

    /// <summary>Starts workflows first..first+count-1 with at most <paramref name="concurrency"/> in flight and checks each result.</summary>
    private static async Task RunBatchAsync(InProcessBatonClient client, int first, int count, int concurrency, DrtStages stages, List<double>? latencies)
    {
        using var slots = new SemaphoreSlim(concurrency, concurrency);
        var running = new List<Task>(count);
        for (var k = 0; k < count; k++)
        {
            await slots.WaitAsync();
            var i = first + k;
            running.Add(Task.Run(async () =>
            {
                try
                {
                    var startBegan = Stopwatch.GetTimestamp();
                    var start = await client.StartWorkflowAsync<DrtWorkflow>(new DrtInput(i));
                    var startReturned = Stopwatch.GetTimestamp();
                    var result = await client.GetResultAsync<DrtResult>(start.WorkflowId, TimeSpan.FromMinutes(10));
                    var observed = Stopwatch.GetTimestamp();
                    if (result.N != i || !result.Approved) throw new InvalidOperationException($"workflow {i} returned n={result.N}");
                    if (latencies is not null)
                    {
                        lock (latencies) latencies.Add(Measure.Ms(Volatile.Read(ref stages.Issued[i]), observed));
                        stages.Add(i, startBegan, startReturned, observed);
                    }
                }
                finally
                {
                    slots.Release();
                }
            }));
        }
        await Task.WhenAll(running);
    }

    /// <summary>The external system's completer: reads the queue and completes each task, up to <paramref name="concurrency"/> calls at once.</summary>
    private static async Task CompleteAllAsync(ExternalSystem external, Func<ExternalRequest, Task> complete, DrtStages stages, int concurrency, CancellationToken stop)
    {
        using var slots = new SemaphoreSlim(concurrency, concurrency);
        try
        {
            await foreach (var request in external.Requests.ReadAllAsync(stop))
            {
                await slots.WaitAsync(stop);
                Volatile.Write(ref stages.Issued[request.N], Stopwatch.GetTimestamp());
                _ = CompleteOneAsync(complete, request, stages, slots);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Completes one task; like a real external system it retries a call that failed (the completion is idempotent: a
    /// repeat of the same outcome succeeds). Every failed attempt is counted and reported as <c>completion_errors</c>.
    /// </summary>
    private static async Task CompleteOneAsync(Func<ExternalRequest, Task> complete, ExternalRequest request, DrtStages stages, SemaphoreSlim slots)
    {
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await complete(request);
                    Volatile.Write(ref stages.Completed[request.N], Stopwatch.GetTimestamp());
                    return;
                }
                catch (Exception e) when (attempt < 5)
                {
                    Interlocked.Increment(ref CompletionErrors);
                    Console.Error.WriteLine($"completion of {request.TaskId} failed (attempt {attempt}, retrying): {e.GetType().Name}: {e.Message}");
                }
                catch (Exception e)
                {
                    Interlocked.Increment(ref CompletionErrors);
                    Console.Error.WriteLine($"completion of {request.TaskId} failed (attempt {attempt}, giving up): {e.GetType().Name}: {e.Message}");
                    return;
                }
            }
        }
        finally
        {
            slots.Release();
        }
    }
}
