using System.Diagnostics;

namespace Baton.Bench.Scenarios;

/// <summary>
/// Open tasks: N delegated tasks left open (fan-out workflows of up to 1,000 tasks each). Reports the time to create
/// them, RSS with them open, engine start-up with them in the store, the oldest-100-open-tasks-of-one-service query
/// and a lookup by task id.
/// </summary>
internal static class OpenTasks
{
    private const int PerWorkflow = 1_000;

    public static async Task<string> RunAsync(BenchOptions options)
    {
        var n = options.N ?? 1_000_000;
        var db = options.NewDatabase("open");
        try
        {
            var sample = new List<string>();
            double createSeconds;
            long rssOpen;
            await using (var host = await BenchHost.StartAsync(db))
            {
                var seen = 0;
                var delegated = Task.Run(async () =>
                {
                    await foreach (var r in host.External.Requests.ReadAllAsync())
                    {
                        if (seen % 997 == 0) sample.Add(r.TaskId);
                        if (++seen == n) return;
                    }
                });
                var started = Stopwatch.GetTimestamp();
                var workflows = (n + PerWorkflow - 1) / PerWorkflow;
                using (var slots = new SemaphoreSlim(Math.Min(options.C, 16)))
                {
                    var starts = new List<Task>();
                    for (var w = 0; w < workflows; w++)
                    {
                        await slots.WaitAsync();
                        var size = Math.Min(PerWorkflow, n - w * PerWorkflow);
                        starts.Add(Task.Run(async () =>
                        {
                            try { await host.Client.StartWorkflowAsync<FanOutWorkflow>(new DrtInput(size)); }
                            finally { slots.Release(); }
                        }));
                    }
                    await Task.WhenAll(starts);
                }
                await delegated;
                createSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
                rssOpen = Measure.RssMb();
            }
            // A new engine on the same file: start-up time, then the queries.
            GC.Collect();
            var startup = Stopwatch.GetTimestamp();
            await using var restarted = await BenchHost.StartAsync(db);
            var startupMs = Stopwatch.GetElapsedTime(startup).TotalMilliseconds;
            var query = new List<double>();
            for (var i = 0; i < 21; i++)
            {
                var t = Stopwatch.GetTimestamp();
                var page = await restarted.Client.ListTasksAsync(new TaskQuery { ServiceName = "Service", OpenOnly = true, Limit = 100, Order = TaskOrder.OldestFirst });
                query.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                if (page.Items.Count != Math.Min(100, n)) throw new InvalidOperationException($"query returned {page.Items.Count} tasks");
            }
            var lookups = new List<double>();
            foreach (var id in sample.Take(200))
            {
                var t = Stopwatch.GetTimestamp();
                var task = await restarted.Client.GetTaskAsync(id);
                lookups.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                if (task.State != TaskState.Delegated) throw new InvalidOperationException($"task {id} is {task.State}");
            }
            GC.Collect();
            var rssRestarted = Measure.RssMb();
            return $"OPEN baton-{options.Store} N={n} create={createSeconds:0.0}s create_rate={n / createSeconds:0}/s rss_open={rssOpen}mb " +
                $"startup={Measure.F(startupMs)}ms rss_after_restart={rssRestarted}mb oldest100_query={Measure.F(Measure.Percentile(query, 50))}ms " +
                $"lookup_by_id={Measure.F(Measure.Percentile(lookups, 50))}ms db={new FileInfo(db).Length / (1024 * 1024)}mb";
        }
        finally
        {
            BenchOptions.DeleteDatabase(db);
        }
    }
}
