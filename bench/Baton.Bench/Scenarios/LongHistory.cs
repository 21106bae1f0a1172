using System.Diagnostics;

namespace Baton.Bench.Scenarios;

/// <summary>
/// Long history: one workflow doing N sequential delegated tasks, each completed at once by the completer. The cost
/// of step k = time between the k-th and (k+1)-th delegation reaching the external system (a whole round trip:
/// completion, workflow step, dispatch, claim, handler, delegation).
/// </summary>
internal static class LongHistory
{
    public static async Task<string> RunAsync(BenchOptions options)
    {
        var n = options.N ?? 10_000;
        var db = options.NewDatabase("long");
        try
        {
            await using var host = await BenchHost.StartAsync(db);
            var arrivals = new long[n];
            var completer = Task.Run(async () =>
            {
                var k = 0;
                await foreach (var r in host.External.Requests.ReadAllAsync())
                {
                    arrivals[k++] = Stopwatch.GetTimestamp();
                    await host.Client.CompleteDelegatedTaskAsync("Service", r.TaskId, new DrtResult(true, r.N));
                    if (k == n) return;
                }
            });
            var started = Stopwatch.GetTimestamp();
            var start = await host.Client.StartWorkflowAsync<LongWorkflow>(new DrtInput(n));
            var result = await host.Client.GetResultAsync<int>(start.WorkflowId, TimeSpan.FromHours(1));
            var total = Stopwatch.GetElapsedTime(started);
            await completer;
            if (result != n) throw new InvalidOperationException($"{result} of {n} steps saw their own result");
            var early = StepCost(arrivals, Math.Min(100, n / 2));
            var late = StepCost(arrivals, n - 51);
            return $"LONG baton-{options.Store} N={n} step_at_100={Measure.F(early)}ms step_at_{n}={Measure.F(late)}ms " +
                $"ratio={late / early:0.00} total={total.TotalSeconds:0.0}s rss={Measure.PeakRssMb()}mb";
        }
        finally
        {
            BenchOptions.DeleteDatabase(db);
        }
    }

    /// <summary>Median step cost over the 100 steps centred on <paramref name="around"/>.</summary>
    private static double StepCost(long[] arrivals, int around)
    {
        var from = Math.Max(1, around - 50);
        var to = Math.Min(arrivals.Length - 1, around + 50);
        var costs = new List<double>();
        for (var k = from; k <= to; k++) costs.Add(Measure.Ms(arrivals[k - 1], arrivals[k]));
        return Measure.Percentile(costs, 50);
    }
}
