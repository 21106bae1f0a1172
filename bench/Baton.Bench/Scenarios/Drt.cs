using System.Diagnostics;

namespace Baton.Bench.Scenarios;

/// <summary>
/// Delegated round trip: the client starts N workflows keeping at most C in flight; each delegates one task to the
/// external system, whose completer completes it through the public client API; the client waits for each result.
/// </summary>
internal static class Drt
{
    public static async Task<string> RunAsync(BenchOptions options)
    {
        var n = options.N ?? 20_000;
        var db = options.NewDatabase("drt");
        try
        {
            await using var host = await BenchHost.StartAsync(db);
            using var stop = new CancellationTokenSource();
            var issued = new long[n + (options.Warmup ?? Math.Min(2_000, n))];
            var completer = Task.Run(() => CompleteAsync(host, issued, options.C, stop.Token));
            var warmup = options.Warmup ?? Math.Min(2_000, n);
            // Warm-up batch (not measured): JIT, caches, SQLite pages.
            await RunBatchAsync(host, n, warmup, options.C, issued, null);
            var latencies = new List<double>(n);
            var started = Stopwatch.GetTimestamp();
            await RunBatchAsync(host, 0, n, options.C, issued, latencies);
            var elapsed = Stopwatch.GetElapsedTime(started);
            await stop.CancelAsync();
            await completer;
            var throughput = n / elapsed.TotalSeconds;
            return $"DRT baton-{options.Store}-{options.Completion} N={n} C={options.C} throughput={throughput:0}/s " +
                $"p50={Measure.F(Measure.Percentile(latencies, 50))}ms p99={Measure.F(Measure.Percentile(latencies, 99))}ms rss={Measure.PeakRssMb()}mb";
        }
        finally
        {
            BenchOptions.DeleteDatabase(db);
        }
    }

    /// <summary>Starts workflows first..first+count-1 with at most <paramref name="concurrency"/> in flight and checks each result.</summary>
    private static async Task RunBatchAsync(BenchHost host, int first, int count, int concurrency, long[] issued, List<double>? latencies)
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
                    var start = await host.Client.StartWorkflowAsync<DrtWorkflow>(new DrtInput(i));
                    var result = await host.Client.GetResultAsync<DrtResult>(start.WorkflowId, TimeSpan.FromMinutes(10));
                    var observed = Stopwatch.GetTimestamp();
                    if (result.N != i || !result.Approved) throw new InvalidOperationException($"workflow {i} returned n={result.N}");
                    if (latencies is not null)
                        lock (latencies) latencies.Add(Measure.Ms(Volatile.Read(ref issued[i]), observed));
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
    private static async Task CompleteAsync(BenchHost host, long[] issued, int concurrency, CancellationToken stop)
    {
        using var slots = new SemaphoreSlim(concurrency, concurrency);
        try
        {
            await foreach (var request in host.External.Requests.ReadAllAsync(stop))
            {
                await slots.WaitAsync(stop);
                Volatile.Write(ref issued[request.N], Stopwatch.GetTimestamp());
                _ = CompleteOneAsync(host, request, slots);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private static async Task CompleteOneAsync(BenchHost host, ExternalRequest request, SemaphoreSlim slots)
    {
        try
        {
            await host.Client.CompleteDelegatedTaskAsync("Service", request.TaskId, new DrtResult(true, request.N));
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"completion of {request.TaskId} failed: {e.Message}");
        }
        finally
        {
            slots.Release();
        }
    }
}
