using System.Diagnostics;

namespace Baton.Bench.Tests;

/// <summary>
/// <c>bench/compare.sh</c>, which every A/B comparison in RESULTS.md since push 17 ran: balanced rounds (A, B, B, A), each
/// build's medians over all runs and over the quiet ones (steal of at most 3%). Two stand-in builds print known figures.
/// </summary>
public sealed class CompareScriptTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "baton-compare-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Compare_TwoRounds_BalancedOrderAndMediansOverAllAndQuietRuns()
    {
        // Each build's runs in the order they happen: p99, server p99 and steal of its 1st, 2nd, 3rd and 4th run.
        var a = StandInBuild("a", ["5.0", "7.0", "6.0", "9.0"], ["3.0", "3.1", "3.2", "3.3"], ["0.5", "10.0", "1.0", "2.0"]);
        var b = StandInBuild("b", ["10.0", "12.0", "11.0", "20.0"], ["4.0", "4.1", "4.2", "4.3"], ["4.0", "0.1", "0.2", "0.3"]);

        var (exitCode, output) = await RunAsync(a, b, "2", "--", "completion-load", "--rates", "2000");

        Assert.True(exitCode == 0, output);
        var order = output.Split('\n').Where(l => l.Length > 4 && l[1] == ' ' && l[3] == ' ').Select(l => l[..3]).ToList();
        Assert.Equal(["1 A", "1 B", "1 B", "1 A", "2 A", "2 B", "2 B", "2 A"], order);
        Assert.Contains("median A: throughput=-/s sustained_p99=6.5ms server_p99=3.15ms", output, StringComparison.Ordinal);
        Assert.Contains("median B: throughput=-/s sustained_p99=11.5ms server_p99=4.15ms", output, StringComparison.Ordinal);
        Assert.Contains("median A, steal <= 3%: runs=3 throughput=-/s sustained_p99=6.0ms server_p99=3.2ms", output, StringComparison.Ordinal);
        Assert.Contains("median B, steal <= 3%: runs=3 throughput=-/s sustained_p99=12.0ms server_p99=4.2ms", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compare_DirectoryWithoutABuild_Refused()
    {
        var a = StandInBuild("a", ["5.0"], ["3.0"], ["0.5"]);

        var empty = Directory.CreateDirectory(Path.Combine(_root, "empty")).FullName;

        var (exitCode, output) = await RunAsync(a, empty, "1", "--", "drt");

        Assert.Equal(2, exitCode);
        Assert.Contains("no Baton.Bench in", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compare_NoSeparator_UsageRefused()
    {
        var a = StandInBuild("a", ["5.0"], ["3.0"], ["0.5"]);

        var (exitCode, output) = await RunAsync(a, a, "1", "drt");

        Assert.Equal(2, exitCode);
        Assert.Contains("usage:", output, StringComparison.Ordinal);
    }

    /// <summary>A directory whose <c>Baton.Bench</c> prints a completion-load level line and result line, the next figures each run.</summary>
    private string StandInBuild(string name, string[] p99, string[] serverP99, string[] steal)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_root, name)).FullName;
        var script = Path.Combine(dir, "Baton.Bench");
        File.WriteAllText(script, $$"""
            #!/usr/bin/env bash
            dir=$(dirname "$0")
            n=$(cat "$dir/runs" 2>/dev/null || echo 0)
            echo $((n + 1)) > "$dir/runs"
            p99=({{string.Join(' ', p99)}}); server=({{string.Join(' ', serverP99)}}); steal=({{string.Join(' ', steal)}})
            echo "  offered=2000/s achieved=2000/s p99=${p99[$n]}ms errors=0 server_p99=${server[$n]}ms steal=${steal[$n]}% load=1.0"
            echo "COMPLETE baton-sqlite-http max_sustained=2000/s sustained_p99=${p99[$n]}ms at_2000=p99_${p99[$n]}ms client=httpclient"
            """.Replace("\r\n", "\n", StringComparison.Ordinal));
        if (OperatingSystem.IsWindows()) Assert.Skip("bench/compare.sh is a bash script");
        else File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return dir;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(RepositoryRoot(), "bench", "compare.sh"));
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await errors);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Baton.slnx"))) return dir.FullName;
        }
        throw new InvalidOperationException($"no Baton.slnx above {AppContext.BaseDirectory}");
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
