using System.Text.Json;
using Baton.AspNetCore.Tests;
using Baton.Client;

namespace Baton.Cli.Tests;

/// <summary>The baton command and the HTTP client against a running server on loopback.</summary>
public sealed class CliTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await BatonCli.RunAsync([.. args, "--server", server.BaseUrl.ToString(), "--api-key", ServerFixture.AdminKey], output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task WorkflowsStartShowTasksCompleteWait_DelegateWorkflow_Completes()
    {
        var start = await RunAsync("workflows", "start", "Delegate", "--input", """{"job":1}""", "--id", "cli-1", "--json");
        Assert.Equal(0, start.Code);
        Assert.Equal("cli-1", JsonDocument.Parse(start.Output).RootElement.GetProperty("workflowId").GetString());
        using var http = server.Client();
        var taskId = await ServerFixture.DelegatedTaskAsync(http, "cli-1");
        var show = await RunAsync("workflows", "show", "cli-1");
        Assert.Contains(taskId, show.Output, StringComparison.Ordinal);
        var list = await RunAsync("tasks", "list", "--status", "Delegated", "--limit", "500");
        Assert.Contains(taskId, list.Output, StringComparison.Ordinal);
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, """{"approved":"by cli"}""");
        var complete = await RunAsync("tasks", "complete", taskId, "--result", "@" + file);
        File.Delete(file);
        Assert.Equal(0, complete.Code);
        Assert.Contains("Completed", complete.Output, StringComparison.Ordinal);
        var wait = await RunAsync("workflows", "wait", "cli-1", "--timeout", "30s");
        Assert.Equal(0, wait.Code);
        Assert.Contains("by cli", wait.Output, StringComparison.Ordinal);
        var taskShow = await RunAsync("tasks", "show", taskId);
        Assert.Contains("Completed", taskShow.Output, StringComparison.Ordinal);
    }

    private async Task<(int Code, string Output, string Error)> RunAsAsync(string key, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await BatonCli.RunAsync([.. args, "--server", server.BaseUrl.ToString(), "--api-key", key], output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task InboxAndUserTasks_PersonClaimsAndCompletes_OthersRefusedWithOneLine()
    {
        Assert.Equal(0, (await RunAsync("workflows", "start", "UserTask", "--id", "cli-ut",
            "--input", """{"name":"Approve CLI expense","action":"Approve","roles":["manager"],"input":{"amount":12},"priority":7}""")).Code);
        using var http = server.Client();
        var taskId = await ServerFixture.DelegatedTaskAsync(http, "cli-ut");
        var alice = server.Keys["alice"];

        var inbox = await RunAsAsync(alice, "inbox", "--sort", "priority", "--text", "cli expense");
        Assert.Equal(0, inbox.Code);
        Assert.Contains($"{taskId}  Approve CLI expense  [UserTask/Approve]  priority 7", inbox.Output, StringComparison.Ordinal);
        var stranger = await RunAsAsync(server.Keys["bob"], "user-tasks", "claim", taskId);
        Assert.Equal(1, stranger.Code);
        Assert.StartsWith("error: user_task_not_assigned:", stranger.Error, StringComparison.Ordinal);
        Assert.Contains("claimed by alice", (await RunAsAsync(alice, "user-tasks", "claim", taskId)).Output, StringComparison.Ordinal);
        var taken = await RunAsAsync(server.Keys["carol"], "user-tasks", "complete", taskId, """{"ok":true}""");
        Assert.Equal(1, taken.Code);
        Assert.StartsWith("error: user_task_claimed:", taken.Error, StringComparison.Ordinal);
        var released = await RunAsAsync(alice, "user-tasks", "unclaim", taskId, "--json");
        Assert.Equal(0, released.Code);
        Assert.False(JsonDocument.Parse(released.Output).RootElement.TryGetProperty("claimedBy", out var claimant) && claimant.ValueKind != JsonValueKind.Null);
        Assert.Contains("Completed", (await RunAsAsync(alice, "user-tasks", "complete", taskId, """{"ok":true}""")).Output, StringComparison.Ordinal);
        Assert.Contains("No open user tasks.", (await RunAsAsync(alice, "inbox", "--text", "cli expense")).Output, StringComparison.Ordinal);
        var wait = await RunAsync("workflows", "wait", "cli-ut", "--timeout", "30s", "--json");
        Assert.Equal("alice", JsonDocument.Parse(wait.Output).RootElement.GetProperty("result").GetProperty("completedBy").GetString());
    }

    [Fact]
    public async Task WorkflowsWait_ProgressReportedMeanwhile_ShowsEachNewProgressLine()
    {
        Assert.Equal(0, (await RunAsync("workflows", "start", "Delegate", "--input", """{"video":7}""", "--id", "cli-progress")).Code);
        using var http = server.Client();
        var taskId = await ServerFixture.DelegatedTaskAsync(http, "cli-progress");
        Assert.Equal(0, (await RunAsync("tasks", "progress", taskId, "--percent", "40", "--message", "2 of 5 files encoded")).Code);

        var output = new SynchronizedStringWriter();
        var waiting = BatonCli.RunAsync(["workflows", "wait", "cli-progress", "--timeout", "30s", "--server", server.BaseUrl.ToString(), "--api-key", ServerFixture.AdminKey], output, TextWriter.Null);
        await Testing.BatonTestHost.WaitUntilAsync(() => Task.FromResult(output.Text.Contains("40%", StringComparison.Ordinal) ? "" : null), what: "the first progress line");
        Assert.Equal(0, (await RunAsync("tasks", "progress", taskId, "--percent", "80", "--message", "4 of 5 files encoded")).Code);
        await Testing.BatonTestHost.WaitUntilAsync(() => Task.FromResult(output.Text.Contains("80%", StringComparison.Ordinal) ? "" : null), what: "the second progress line");
        Assert.Equal(0, (await RunAsync("tasks", "complete", taskId, "--result", """{"encoded":5}""")).Code);
        var wait = (Code: await waiting, Output: output.Text);

        Assert.Equal(0, wait.Code);
        Assert.Contains($"Delegate/{taskId}: 40% 2 of 5 files encoded", wait.Output, StringComparison.Ordinal);
        Assert.Contains($"Delegate/{taskId}: 80% 4 of 5 files encoded", wait.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TasksFailProgressTimeoutRetry_OpenTasks_ExitCodes()
    {
        var (_, first) = await server.StartApprovalAsync();
        Assert.Equal(0, (await RunAsync("tasks", "progress", first, "--percent", "10", "--message", "started")).Code);
        Assert.Equal(0, (await RunAsync("tasks", "retry", first)).Code);
        var fail = await RunAsync("tasks", "fail", first, "--type", "Declined", "--message", "no");
        Assert.Equal(0, fail.Code);
        var again = await RunAsync("tasks", "complete", first, "--result", """{"approved":true,"comment":"late"}""", "--service", "Approvals");
        Assert.Equal(1, again.Code);
        Assert.StartsWith("error: task_outcome_conflict:", again.Error, StringComparison.Ordinal);
        Assert.Single(again.Error.TrimEnd().Split('\n'));
        var (_, second) = await server.StartApprovalAsync();
        Assert.Equal(0, (await RunAsync("tasks", "timeout", second)).Code);
    }

    [Fact]
    public async Task Errors_OneLineAndNonZero()
    {
        var unknown = await RunAsync("workflows", "show", "nope");
        Assert.Equal(1, unknown.Code);
        Assert.Equal("error: workflow_not_found: No workflow 'nope'.", unknown.Error.Trim());
        var badJson = await RunAsync("tasks", "complete", "x", "--result", "{", "--service", "S");
        Assert.Equal(2, badJson.Code);
        var invalid = await RunAsync("tasks", "complete", "x", "--result", """{"a":1}""", "--service", "Approvals");
        Assert.Equal(1, invalid.Code);
        using var output = new StringWriter();
        using var error = new StringWriter();
        Assert.Equal(1, await BatonCli.RunAsync(["tasks", "list", "--server", server.BaseUrl.ToString(), "--api-key", "bk_wrong"], output, error));
        Assert.StartsWith("error: unauthenticated:", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, await BatonCli.RunAsync(["tasks", "list", "--server", "http://127.0.0.1:1", "--api-key", "k"], output, error));
    }

    [Fact]
    public async Task Keys_CreateListRevoke_RevokedKeyFails()
    {
        var create = await RunAsync("keys", "create", "cli-viewer", "--role", "viewer", "--json");
        Assert.Equal(0, create.Code);
        var created = JsonDocument.Parse(create.Output).RootElement;
        var key = created.GetProperty("key").GetString()!;
        var id = created.GetProperty("info").GetProperty("id").GetString()!;
        Assert.Contains(id, (await RunAsync("keys", "list")).Output, StringComparison.Ordinal);
        using var viewer = new BatonHttpClient(new BatonHttpClientOptions { BaseAddress = server.BaseUrl, ApiKey = key });
        Assert.NotNull(await viewer.ListTasksAsync(new TaskQuery { Limit = 1 }));
        Assert.Equal(0, (await RunAsync("keys", "revoke", id)).Code);
        var refused = await Assert.ThrowsAsync<BatonException>(() => viewer.ListTasksAsync(new TaskQuery { Limit = 1 }));
        Assert.Equal(BatonErrorCodes.Unauthenticated, refused.ErrorCode);
    }

    [Fact]
    public async Task HttpClient_TypedExceptionsFromProblems()
    {
        using var client = new BatonHttpClient(new BatonHttpClientOptions { BaseAddress = server.BaseUrl, ApiKey = ServerFixture.AdminKey });
        await Assert.ThrowsAsync<WorkflowNotFoundException>(() => client.GetWorkflowAsync("nope"));
        await Assert.ThrowsAsync<TaskNotFoundException>(() => client.GetTaskAsync("nope"));
        var (workflowId, taskId) = await server.StartApprovalAsync();
        var invalid = await Assert.ThrowsAsync<PayloadValidationException>(() => client.CompleteDelegatedTaskAsync("Approvals", taskId, BatonJson.ToElement(new { approved = "x" })));
        Assert.NotEmpty(invalid.Errors);
        var done = await client.CompleteDelegatedTaskAsync("Approvals", taskId, new Approval(true, "typed"));
        Assert.False(done.AlreadyCompleted);
        var conflict = await Assert.ThrowsAsync<TaskOutcomeConflictException>(() => client.CompleteDelegatedTaskAsync("Approvals", taskId, new Approval(false, "other")));
        Assert.Equal(TaskState.Completed, conflict.Recorded.State);
        Assert.Equal("typed", (await client.GetResultAsync<Approval>(workflowId, TimeSpan.FromSeconds(30))).Comment);
        await Assert.ThrowsAsync<InvalidTaskTokenException>(() => client.CompleteDelegatedTaskAsync("bt1.a.b.c", BatonJson.ToElement(1)));
    }
}

/// <summary>A StringWriter that can be read while another task writes to it.</summary>
internal sealed class SynchronizedStringWriter : StringWriter
{
    private readonly Lock _gate = new();

    public string Text
    {
        get
        {
            lock (_gate) return ToString();
        }
    }

    public override void Write(char value)
    {
        lock (_gate) base.Write(value);
    }

    public override void Write(string? value)
    {
        lock (_gate) base.Write(value);
    }

    public override Task WriteLineAsync(string? value)
    {
        lock (_gate) base.WriteLine(value);
        return Task.CompletedTask;
    }
}
