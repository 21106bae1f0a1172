using System.Diagnostics;

namespace Baton.EndToEnd.Tests;

/// <summary>The durability worker as a real child process that can be killed with SIGKILL.</summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _errors = [];

    private WorkerProcess(Process process) => _process = process;

    public Task Done => _done.Task;

    public string Errors
    {
        get
        {
            lock (_errors) return string.Join('\n', _errors);
        }
    }

    public static WorkerProcess Start(string directory, int count)
    {
        var worker = Path.Combine(AppContext.BaseDirectory, "Baton.EndToEnd.Worker.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(worker);
        info.ArgumentList.Add(directory);
        info.ArgumentList.Add(count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var result = new WorkerProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data == "DONE") result._done.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (result._errors) result._errors.Add(e.Data);
        };
        process.Exited += (_, _) =>
        {
            // Exited can come before the last lines of output are delivered; this drains them, so a DONE printed just before
            // the exit wins over the exit.
            process.WaitForExit();
            result._done.TrySetException(new InvalidOperationException($"worker exited with {process.ExitCode}: {result.Errors}"));
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void Kill()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
