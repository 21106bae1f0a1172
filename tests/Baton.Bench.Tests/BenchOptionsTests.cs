namespace Baton.Bench.Tests;

/// <summary>The harness's command line: the issue's defaults, and a clear refusal of anything it cannot run.</summary>
public sealed class BenchOptionsTests
{
    [Fact]
    public void Parse_ScenarioAlone_TheIssuesConfiguration()
    {
        var options = BenchOptions.Parse(["drt"]);

        Assert.Equal(("drt", "sqlite", "inproc", null, 1000, 1, null), (options.Scenario, options.Store, options.Completion, options.N, options.C, options.Runs, options.Warmup));
        Assert.Equal([100, 200, 500, 1000, 2000, 4000, 8000], options.Rates);
        Assert.Equal((5, 256, true, "complete", "httpclient", false, 0), (options.Duration, options.Connections, options.Settle, options.Endpoint, options.Client, options.GcPhases, options.AllocTypes));
    }

    [Fact]
    public void Parse_EveryOption_Read()
    {
        var options = BenchOptions.Parse([
            "completion-load", "--store", "postgres", "--n", "20,000", "--c", "200", "--runs", "3", "--warmup", "500", "--dir", "/tmp/x",
            "--duration", "2", "--connections", "16", "--rates", "100,2000", "--settle", "false", "--endpoint", "durable-echo",
            "--client", "raw", "--pg-writers", "2", "--alloc-types", "10", "--gc-phases", "true",
        ]);

        Assert.Equal(("postgres", 20_000, 200, 3, 500, "/tmp/x"), (options.Store, options.N, options.C, options.Runs, options.Warmup, options.Directory));
        Assert.Equal((2, 16, false, "durable-echo", "raw", 2, 10, true), (options.Duration, options.Connections, options.Settle, options.Endpoint, options.Client, options.PgWriters, options.AllocTypes, options.GcPhases));
        Assert.Equal([100, 2000], options.Rates);
    }

    [Theory]
    [InlineData("", "a scenario is required")]
    [InlineData("--n 5", "a scenario is required")]
    [InlineData("benchmark-everything", "unknown scenario 'benchmark-everything'")]
    [InlineData("drt --n", "--n needs a value")]
    [InlineData("drt --n many", "'many' is not a number")]
    [InlineData("drt --n 0", "must be positive")]
    [InlineData("completion-load --duration 0", "must be positive")]
    [InlineData("completion-load --rates 100,0", "must be positive")]
    [InlineData("drt --bogus 1", "unknown option --bogus")]
    [InlineData("drt --store mysql", "unknown store 'mysql'")]
    [InlineData("drt --completion grpc", "unknown completion 'grpc'")]
    [InlineData("timer-storm --store postgres", "timer-storm runs on --store sqlite only")]
    [InlineData("completion-load --endpoint void", "unknown endpoint 'void'")]
    [InlineData("drt --endpoint echo", "--endpoint is for completion-load")]
    [InlineData("drt --gc-phases true", "--gc-phases is for completion-load")]
    [InlineData("completion-load --gc-phases yes", "--gc-phases takes true or false, not 'yes'")]
    [InlineData("completion-load --client curl", "unknown client 'curl'")]
    [InlineData("drt --client raw", "--client is for completion-load")]
    [InlineData("serve", "serve needs --db")]
    [InlineData("open-tasks --store postgres --synthetic-from 10", "--synthetic-from is for open-tasks on sqlite")]
    [InlineData("long-history --alloc-types 5", "--alloc-types takes a count of types, for drt or completion-load")]
    public void Parse_CommandLineThatCannotRun_UsageErrorWithTheReason(string commandLine, string reason)
    {
        var error = Assert.Throws<UsageException>(() => BenchOptions.Parse(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }
}
