namespace Baton.Bench.Tests;

/// <summary>
/// Every scenario of the harness, run as its users run it but small: it finishes, prints the result line RESULTS.md quotes,
/// with figures that make sense together, and leaves no database behind. The figures' values are not checked (speed is
/// measured by the benchmark, not by tests); their presence, their order and their consistency are.
/// </summary>
[Collection(nameof(BenchProcesses))]
public sealed class ScenarioTests
{
    [Fact]
    public async Task Drt_InProcess_EveryWorkflowCompletedAndFiguresReported()
    {
        var run = await BenchRun.StartAsync("drt", "--n", "300", "--c", "50", "--warmup", "100");

        AssertDrt(run, "sqlite-inproc");
        Assert.Contains(run.Output, l => l.StartsWith("  warmup workflows=100 rounds=1 ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Drt_OverHttp_EveryWorkflowCompletedThroughTheEndpoint()
    {
        var run = await BenchRun.StartAsync("drt", "--completion", "http", "--n", "300", "--c", "50", "--warmup", "100");

        AssertDrt(run, "sqlite-http");
    }

    [Fact]
    public async Task Drt_OnPostgreSql_RunsOnAPrivateCluster()
    {
        var run = await BenchRun.StartAsync("drt", "--store", "postgres", "--n", "100", "--c", "20", "--warmup", "50");

        AssertDrt(run, "postgres-inproc");
    }

    [Fact]
    public async Task CompletionLoad_TwoLoads_EachReportedAndTheHighestSustained()
    {
        var run = await BenchRun.StartAsync("completion-load", "--rates", "100,200", "--duration", "1", "--warmup", "200", "--connections", "8");

        Assert.True(run.ExitCode == 0, run.ToString());
        var levels = run.Output.Where(l => l.StartsWith("  offered=", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, levels.Count);
        foreach (var (level, rate) in levels.Zip([100, 200]))
        {
            Assert.StartsWith($"  offered={rate}/s achieved=", level, StringComparison.Ordinal);
            Assert.Equal(0, ResultLine.Number(level, "errors"));
            Assert.InRange(ResultLine.Number(level, "achieved"), 0.95 * rate, 1.05 * rate);
            AssertOrdered(level, "p50", "p99", "p999");
            AssertOrdered(level, "server_p50", "server_p99", "server_p999");
            Assert.Matches(@" server_writer_p99=[0-9.]+/[0-9.]+/[0-9.]+ms ", level);
            Assert.Matches(@" steal=([0-9.]+%|\?) ", level);
        }
        Assert.Matches(
            @"^COMPLETE baton-sqlite-http max_sustained=200/s peak_achieved=[0-9]+/s sustained_p50=[0-9.]+ms sustained_p99=[0-9.]+ms sustained_p999=[0-9.]+ms at_2000=not_reached server_rss=[0-9]+mb client=httpclient$",
            run.ResultLine);
        AssertNoDatabaseLeft(run);
    }

    [Fact]
    public async Task CompletionLoad_DurableEchoWithRawClient_FloorMeasured()
    {
        var run = await BenchRun.StartAsync(
            "completion-load", "--endpoint", "durable-echo", "--client", "raw", "--rates", "100", "--duration", "1", "--warmup", "100", "--connections", "4");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"^COMPLETE baton-sqlite-http-durable-echo max_sustained=100/s .* client=raw$", run.ResultLine);
        AssertNoDatabaseLeft(run);
    }

    [Fact]
    public async Task TimerStorm_HundredDeadlines_EveryTaskTimedOutAndLatenessReported()
    {
        var run = await BenchRun.StartAsync("timer-storm", "--n", "100", "--c", "50");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"^TIMERS baton-sqlite N=100 created_in=[0-9.]+s all_created_before_deadline=yes lateness_p50=[0-9.]+ms lateness_p99=[0-9.]+ms lateness_max=[0-9.]+ms rss=[0-9]+mb$", run.ResultLine);
        AssertOrdered(run.ResultLine, "lateness_p50", "lateness_p99", "lateness_max");
        AssertNoDatabaseLeft(run);
    }

    [Fact]
    public async Task LongHistory_TwoHundredSteps_EachStepItsOwnResultAndRatioReported()
    {
        var run = await BenchRun.StartAsync("long-history", "--n", "200");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"^LONG baton-sqlite N=200 step_at_100=[0-9.]+ms step_at_200=[0-9.]+ms ratio=[0-9.]+ total=[0-9.]+s rss=[0-9]+mb$", run.ResultLine);
        AssertNoDatabaseLeft(run);
    }

    [Fact]
    public async Task OpenTasks_TwoThousand_ServerRestartedAndOldestQueried()
    {
        var run = await BenchRun.StartAsync("open-tasks", "--n", "2000");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(
            @"^OPEN baton-sqlite N=2000 create=[0-9.]+s create_rate=[0-9]+/s rss_open=[0-9]+mb rss_open_nogc=[0-9]+mb startup_empty=[0-9.]+ms startup=[0-9.]+ms startup_internal=[0-9.]+ms rss_started=[0-9]+mb rss_serving=[0-9]+mb oldest100_query=[0-9.]+ms lookup_by_id=[0-9.]+ms db=[0-9]+mb$",
            run.ResultLine);
        Assert.True(ResultLine.Number(run.ResultLine, "startup_internal") <= ResultLine.Number(run.ResultLine, "startup"), run.ResultLine);
        AssertNoDatabaseLeft(run);
    }

    [Fact]
    public async Task Runs_Three_FreshProcessesThenTheirMedian()
    {
        var run = await BenchRun.StartAsync("long-history", "--n", "50", "--runs", "3");

        Assert.True(run.ExitCode == 0, run.ToString());
        var runs = run.Output.Where(l => l.StartsWith("  run ", StringComparison.Ordinal) && l.Contains("LONG ", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, runs.Count);
        Assert.All(runs, l => Assert.Contains("(load average ", l, StringComparison.Ordinal));
        var totals = runs.Select(l => ResultLine.Number(l, "total")).Order().ToList();
        Assert.StartsWith("LONG baton-sqlite N=50 ", run.ResultLine, StringComparison.Ordinal);
        Assert.Equal(totals[1], ResultLine.Number(run.ResultLine, "total"));
    }

    [Theory]
    [InlineData("drt --store mysql", "baton-bench: unknown store 'mysql'")]
    [InlineData("completion-load --rates 100,fast", "baton-bench: 'fast' is not a number")]
    [InlineData("", "baton-bench: a scenario is required")]
    public async Task Main_BadCommandLine_Exit2WithTheReason(string commandLine, string message)
    {
        var run = await BenchRun.StartAsync(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Errors, StringComparison.Ordinal);
        Assert.Empty(run.Output);
    }

    private static void AssertDrt(BenchRun run, string variant)
    {
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches($"^DRT baton-{variant} N=[0-9]+ C=[0-9]+ throughput=[0-9]+/s p50=[0-9.]+ms p99=[0-9.]+ms rss=[0-9]+mb ", run.ResultLine);
        // A workflow whose result is not its own (n != i) fails the run; a completion call that failed is counted.
        Assert.DoesNotContain("completion_errors=", run.ResultLine, StringComparison.Ordinal);
        Assert.True(ResultLine.Number(run.ResultLine, "throughput") > 0, run.ResultLine);
        AssertOrdered(run.ResultLine, "p50", "p99");
        AssertNoDatabaseLeft(run);
    }

    private static void AssertOrdered(string line, params string[] keys)
    {
        var values = keys.Select(k => ResultLine.Number(line, k)).ToList();
        Assert.True(values.SequenceEqual(values.Order()), $"{string.Join(" <= ", keys)} does not hold in: {line}");
    }

    private static void AssertNoDatabaseLeft(BenchRun run) => Assert.True(run.LeftBehind.Count == 0, $"left behind: {string.Join(", ", run.LeftBehind)}");
}

/// <summary>The harness's runs load both cores: one at a time, so that none is starved past its timeout.</summary>
[CollectionDefinition(nameof(BenchProcesses), DisableParallelization = true)]
public sealed class BenchProcesses;
