using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Baton.Client;
using Baton.Samples.Approval;
using Microsoft.Data.Sqlite;

namespace Baton.EndToEnd.Tests;

/// <summary>The approval workflow hosted in an ASP.NET Core app (its own process), started and completed from this process through Baton.Client.</summary>
public sealed class ApprovalWebSampleTests
{
    private const string ApiKey = "bk_sample_approval_system_key_0123456789";

    [Fact]
    public async Task HostedApprovalWorkflow_CompletedFromAnotherProcessThroughBatonClient_Approves()
    {
        var directory = Directory.CreateTempSubdirectory("baton-web-").FullName;
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "ApprovalWeb.dll"), "--urls", $"http://127.0.0.1:{port}",
                     "--Database", Path.Combine(directory, "approval-web.db"), "--ApiKey", ApiKey })
            info.ArgumentList.Add(arg);
        using var host = Process.Start(info)!;
        host.OutputDataReceived += (_, _) => { };
        host.ErrorDataReceived += (_, _) => { };
        host.BeginOutputReadLine();
        host.BeginErrorReadLine();
        try
        {
            var client = new BatonHttpClient(new BatonHttpClientOptions { BaseAddress = new Uri($"http://127.0.0.1:{port}"), ApiKey = ApiKey });
            var started = await RetryUntilUpAsync(() => client.StartWorkflowAsync<DocumentWorkflow>(
                new DocumentRequest("contract-77", "manager@example.com", TimeSpan.FromDays(7)), "web-contract-77"));

            var task = await Testing.BatonTestHost.WaitUntilAsync(async () =>
                (await client.ListTasksAsync(new TaskQuery { WorkflowId = started.WorkflowId, State = TaskState.Delegated })).Items.FirstOrDefault(),
                TimeSpan.FromSeconds(30), "the delegated approval task");
            var answer = await client.CompleteDelegatedTaskAsync(task.ServiceName, task.TaskId, new ApprovalResult(true, "signed remotely"));
            var repeat = await client.CompleteDelegatedTaskAsync(task.ServiceName, task.TaskId, new ApprovalResult(true, "signed remotely"));
            var conflict = await Assert.ThrowsAsync<TaskOutcomeConflictException>(() =>
                client.CompleteDelegatedTaskAsync(task.ServiceName, task.TaskId, new ApprovalResult(false, "changed my mind")));

            Assert.False(answer.AlreadyCompleted);
            Assert.True(repeat.AlreadyCompleted);
            Assert.Equal(TaskState.Completed, conflict.Recorded.State);
            Assert.Equal("contract-77: approved (signed remotely)", await client.GetResultAsync<string>(started.WorkflowId, TimeSpan.FromSeconds(30)));
        }
        finally
        {
            host.Kill(entireProcessTree: true);
            await host.WaitForExitAsync();
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<T> RetryUntilUpAsync<T>(Func<Task<T>> call)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (e is HttpRequestException or BatonException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
