using System.Diagnostics;
using System.Text;

namespace Baton.Bench.Tests;

/// <summary>
/// One run of the harness as its users start it: <c>dotnet Baton.Bench.dll SCENARIO ...</c> in a process of its own, with a
/// private <c>--dir</c> for its databases; what the run left there is noted in <see cref="LeftBehind"/>, then deleted.
/// </summary>
internal sealed record BenchRun(int ExitCode, IReadOnlyList<string> Output, string Errors, IReadOnlyList<string> LeftBehind)
{
    /// <summary>The last line the run printed: its result line (or, with <c>--runs</c>, the median line).</summary>
    public string ResultLine => Output.Count > 0 ? Output[^1] : "";

    public static async Task<BenchRun> StartAsync(params string[] args)
    {
        var directory = Path.Combine(Path.GetTempPath(), "baton-bench-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Baton.Bench.dll"));
        foreach (var arg in args) info.ArgumentList.Add(arg);
        if (args.Length > 0 && !args.Contains("--dir"))
        {
            info.ArgumentList.Add("--dir");
            info.ArgumentList.Add(directory);
        }
        using var process = Process.Start(info)!;
        var output = new List<string>();
        var errors = new StringBuilder();
        var reading = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line) lock (output) output.Add(line);
        });
        var readingErrors = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line) lock (errors) errors.AppendLine(line);
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"baton-bench {string.Join(' ', args)} did not finish in 4 minutes; output so far:\n{string.Join('\n', output)}\n{errors}");
        }
        await Task.WhenAll(reading, readingErrors);
        var leftBehind = Directory.GetFiles(directory);
        Directory.Delete(directory, recursive: true);
        return new BenchRun(process.ExitCode, output, errors.ToString(), leftBehind);
    }

    /// <summary>Everything the run printed, for assertion messages.</summary>
    public override string ToString() => $"exit {ExitCode}\n{string.Join('\n', Output)}\n--- stderr ---\n{Errors}";
}
