using System.Diagnostics;

namespace Baton.Bench.Scenarios;

/// <summary>
/// Timer storm: N delegated tasks whose deadlines all fall in the same second (spread over its milliseconds); nobody
/// completes them. Lateness of each TimedOut transition = its audit time minus its deadline.
/// </summary>
internal static class TimerStorm
{
    public static async Task<string> RunAsync(BenchOptions options)
    {
        var n = options.N ?? 10_000;
        var db = options.NewDatabase("timers");
        try
        {
            await using var host = await BenchHost.StartAsync(db);
            var taskIds = new List<string>(n);
            var delegated = Task.Run(async () =>
            {
                await foreach (var r in host.External.Requests.ReadAllAsync())
                {
                    taskIds.Add(r.TaskId);
                    if (taskIds.Count == n) return;
                }
            });
            // Leave time to create every task before the storm second: 5 s plus 1 s per 1,000 tasks.
            var now = host.Engine.Time.GetUtcNow();
            var second = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second, TimeSpan.Zero).AddSeconds(5 + n / 1000);
            var created = Stopwatch.GetTimestamp();
            using (var slots = new SemaphoreSlim(options.C, options.C))
            {
                var starts = new List<Task>(n);
                for (var i = 0; i < n; i++)
                {
                    await slots.WaitAsync();
                    var input = new DrtInput(i, second.AddMilliseconds(i % 1000));
                    starts.Add(Task.Run(async () =>
                    {
                        try { await host.Client.StartWorkflowAsync<DeadlineWorkflow>(input); }
                        finally { slots.Release(); }
                    }));
                }
                await Task.WhenAll(starts);
            }
            await delegated;
            var createSeconds = Stopwatch.GetElapsedTime(created).TotalSeconds;
            var readyBefore = host.Engine.Time.GetUtcNow() < second;
            // Wait for every TimedOut transition.
            var lateness = new List<double>(n);
            foreach (var id in taskIds)
            {
                var details = await WaitTimedOutAsync(host, id);
                var timedOut = details.Audit.Last(a => a.Kind == "TimedOut");
                lateness.Add((timedOut.At - details.DeadlineAt!.Value).TotalMilliseconds);
            }
            return $"TIMERS baton-{options.Store} N={n} created_in={createSeconds:0.0}s all_created_before_deadline={(readyBefore ? "yes" : "NO")} " +
                $"lateness_p50={Measure.F(Measure.Percentile(lateness, 50))}ms lateness_p99={Measure.F(Measure.Percentile(lateness, 99))}ms " +
                $"lateness_max={Measure.F(lateness.Max())}ms rss={Measure.PeakRssMb()}mb";
        }
        finally
        {
            BenchOptions.DeleteDatabase(db);
        }
    }

    private static async Task<TaskDetails> WaitTimedOutAsync(BenchHost host, string taskId)
    {
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 600;
        while (true)
        {
            var details = await host.Client.GetTaskAsync(taskId);
            if (details.State == TaskState.TimedOut) return details;
            if (details.State is TaskState.Completed or TaskState.Failed or TaskState.Canceled)
                throw new InvalidOperationException($"task {taskId} ended {details.State}, not TimedOut");
            if (Stopwatch.GetTimestamp() > deadline) throw new TimeoutException($"task {taskId} never timed out");
            await Task.Delay(100);
        }
    }
}
