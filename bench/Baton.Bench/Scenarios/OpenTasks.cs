using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Baton.Bench.Scenarios;

/// <summary>
/// Open tasks: a server child process creates N delegated tasks that stay open (fan-out workflows of up to 1,000 tasks
/// each). Reports the server's start-up on the empty store, the time to create them, the server's RSS with them open (after a full GC), then a fresh server process
/// on the same store: its start-up time (process start to listening, and the server's own part), its RSS, and over
/// loopback HTTP the stale-task query (<c>GET /api/tasks?service=Service&amp;status=open&amp;order=oldest&amp;limit=100</c>)
/// and a task lookup by id (<c>GET /api/tasks/{id}</c>). With <c>--synthetic-from K</c> (SQLite) only K tasks are
/// created through the server; their task, audit and timer rows are then copied with new task ids (same workflows,
/// same states) until there are N, so that start-up, memory and queries can be measured at a size that creation through
/// the engine cannot reach in reasonable time today (see RESULTS.md).
/// </summary>
internal static class OpenTasks
{
    private const int PerWorkflow = 1_000;

    public static async Task<string> RunAsync(BenchOptions options)
    {
        var n = options.N ?? 1_000_000;
        await using var store = await BenchStore.CreateAsync(options, "open");
        List<string> sample;
        double createSeconds;
        long rssOpen, rssOpenNoGc;
        double startupEmpty;
        await using (var first = await ServerProcess.StartAsync(options, store))
        {
            startupEmpty = first.StartupMs;
            (sample, createSeconds) = await first.CreateTasksAsync(options.SyntheticFrom ?? n, PerWorkflow, 997);
            rssOpenNoGc = first.RssNowMb();
            rssOpen = await first.RssAfterGcAsync();
        }
        var real = n;
        if (options.SyntheticFrom is { } k)
        {
            real = k;
            var copies = (n + k - 1) / k - 1;
            var t = Stopwatch.GetTimestamp();
            SyntheticRows.Multiply(store.Target, copies);
            Console.Error.WriteLine($"copied {k} tasks' rows {copies} times in {Stopwatch.GetElapsedTime(t).TotalSeconds:0.0}s");
            n = k * (copies + 1);
        }
        await using var server = await ServerProcess.StartAsync(options, store);
        var rssStarted = server.RssNowMb();
        using var http = new CompletionClient(server.BaseUrl, server.AdminKey, 4);
        var query = new List<double>();
        for (var i = 0; i < 21; i++)
        {
            var t = Stopwatch.GetTimestamp();
            var page = await http.Http.GetFromJsonAsync<JsonElement>("/api/tasks?service=Service&status=open&order=oldest&limit=100");
            query.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            var count = page.GetProperty("items").GetArrayLength();
            if (count != Math.Min(100, n)) throw new InvalidOperationException($"query returned {count} tasks");
        }
        var lookups = new List<double>();
        foreach (var id in sample.Take(200))
        {
            var t = Stopwatch.GetTimestamp();
            var task = await http.Http.GetFromJsonAsync<JsonElement>($"/api/tasks/{id}");
            lookups.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            if (task.GetProperty("state").GetString() != "Delegated") throw new InvalidOperationException($"task {id} is {task.GetProperty("state")}");
        }
        var rssServing = await server.RssAfterGcAsync();
        var size = store.Kind == "sqlite" ? $" db={new FileInfo(store.Target).Length / (1024 * 1024)}mb" : "";
        var created = real == n ? "" : $" created_through_server={real} (rows copied up to N)";
        return $"OPEN baton-{options.Store} N={n} create={createSeconds:0.0}s create_rate={real / createSeconds:0}/s rss_open={rssOpen}mb rss_open_nogc={rssOpenNoGc}mb " +
            $"startup_empty={Measure.F(startupEmpty)}ms startup={Measure.F(server.StartupMs)}ms startup_internal={Measure.F(server.InternalStartupMs)}ms rss_started={rssStarted}mb rss_serving={rssServing}mb " +
            $"oldest100_query={Measure.F(Measure.Percentile(query, 50))}ms lookup_by_id={Measure.F(Measure.Percentile(lookups, 50))}ms{size}{created}";
    }
}
