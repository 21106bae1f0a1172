using System.Diagnostics;
using System.Globalization;

namespace Baton.Storage.PostgreSql.Tests;

/// <summary>A Baton node (tests/Baton.MultiNode.Worker) as a real child process that can be killed with SIGKILL.</summary>
internal sealed class NodeProcess : IDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _errors = [];

    private NodeProcess(Process process) => _process = process;

    public Task Started => _started.Task;

    public string Errors
    {
        get
        {
            lock (_errors)
            {
                return string.Join('\n', _errors.TakeLast(20));
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public static NodeProcess Start(string connectionString, int index, int nodes, int workflows)
    {
        var worker = Path.Combine(AppContext.BaseDirectory, "Baton.MultiNode.Worker.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(worker);
        info.ArgumentList.Add(connectionString);
        info.ArgumentList.Add(index.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add(nodes.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add(workflows.ToString(CultureInfo.InvariantCulture));
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var result = new NodeProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data == "STARTED")
            {
                result._started.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (result._errors)
                {
                    result._errors.Add(e.Data);
                }
            }
        };
        process.Exited += (_, _) => result._started.TrySetException(new InvalidOperationException($"node {index} exited: {result.Errors}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    /// <summary>SIGKILL: no shutdown code runs, its leases stay until they expire.</summary>
    public void Kill()
    {
        if (_process.HasExited)
        {
            return;
        }
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
