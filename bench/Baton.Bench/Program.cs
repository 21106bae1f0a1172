using System.Diagnostics;
using System.Globalization;
using Baton.Bench;
using Baton.Bench.Scenarios;

// Baton benchmark harness. Examples:
//   dotnet run -c Release --project bench/Baton.Bench -- drt --store sqlite --completion inproc --n 20000 --c 1000
//   dotnet run -c Release --project bench/Baton.Bench -- drt --n 20000 --c 1000 --runs 3     (median of 3 fresh processes)
//   ... -- drt --completion http | drt --store postgres
//   ... -- completion-load [--duration 5] [--rates 500,1000,2000,4000,8000] [--connections 256] [--endpoint echo|durable-echo] [--gc-phases true] [--client raw]
//   ... -- timer-storm --n 10000 | long-history --n 10000 | open-tasks --n 1000000
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (UsageException e)
{
    Console.Error.WriteLine($"baton-bench: {e.Message}");
    return 2;
}

if (options.Runs > 1) return await RunChildrenAsync(options);
if (options.Scenario == "serve") return await Serve.RunAsync(options);
var load = CompletionLoad.Load();

string line = options.Scenario switch
{
    "drt" => await Drt.RunAsync(options),
    "timer-storm" => await TimerStorm.RunAsync(options),
    "long-history" => await LongHistory.RunAsync(options),
    "completion-load" => await CompletionLoad.RunAsync(options),
    _ => await OpenTasks.RunAsync(options),
};
Console.Error.WriteLine($"gc: gen0={GC.CollectionCount(0)} gen1={GC.CollectionCount(1)} gen2={GC.CollectionCount(2)} pause={GC.GetTotalPauseDuration().TotalMilliseconds:0}ms allocated={GC.GetTotalAllocatedBytes() / (1024 * 1024)}mb cpu={Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:0.0}s load={load}->{CompletionLoad.Load()}");
Console.WriteLine(line);
return 0;

// Re-launches this program once per run (fresh process each), then prints every line and the median line: each
// numeric figure is the median of the runs' figures.
static async Task<int> RunChildrenAsync(BenchOptions options)
{
    var childArgs = new List<string>();
    for (var i = 0; i < options.RawArgs.Length; i++)
    {
        if (options.RawArgs[i] == "--runs") { i++; continue; }
        childArgs.Add(options.RawArgs[i]);
    }
    var lines = new List<string>();
    for (var run = 1; run <= options.Runs; run++)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
        var entry = typeof(BenchOptions).Assembly.Location;
        // Under the app host (dotnet run, or bin/Baton.Bench) re-run it; under the muxer (dotnet Baton.Bench.dll) pass the dll.
        var host = Path.GetFileName(Environment.ProcessPath!);
        if (!host.Equals("Baton.Bench", StringComparison.OrdinalIgnoreCase) && !host.Equals("Baton.Bench.exe", StringComparison.OrdinalIgnoreCase)) start.ArgumentList.Add(entry);
        foreach (var a in childArgs) start.ArgumentList.Add(a);
        var loadBefore = CompletionLoad.Load();
        using var child = Process.Start(start)!;
        string? last = null;
        while (await child.StandardOutput.ReadLineAsync() is { } l)
        {
            if (last is not null) Console.WriteLine($"  run {run}: {last}");
            last = l;
        }
        await child.WaitForExitAsync();
        if (last is not null) Console.WriteLine($"  run {run}: {last}   (load average {loadBefore} -> {CompletionLoad.Load()})");
        if (child.ExitCode != 0 || last is null)
        {
            Console.Error.WriteLine($"baton-bench: run {run} failed with exit code {child.ExitCode}");
            return 1;
        }
        lines.Add(last);
    }
    Console.WriteLine(RunLines.Median(lines));
    return 0;
}
