using System.Security.Cryptography;
using Baton.Engine.Tasks;
using Baton.Testing;

namespace Baton.Engine.Tests;

[Service("Slow")]
public interface ISlowService
{
    [Timeout("00:00:05")]
    [Retry(MaxAttempts = 1)]
    Task<int> CrunchAsync(int n);
}

public sealed class SlowService : ISlowService
{
    public async Task<int> CrunchAsync(int n)
    {
        await Task.Delay(Timeout.Infinite, TaskContext.Current!.CancellationToken);
        return n;
    }
}

public sealed class SlowWorkflow : Workflow<int, int>
{
    protected override async Task<int> RunAsync(int n) => await Dispatch((ISlowService s) => s.CrunchAsync(n));
}

public sealed class TimeoutAndTokenTests
{
    [Fact]
    public async Task HandlerTimeout_HandlerOverruns_AttemptFailsAndHandlerIsCanceled()
    {
        await using var host = await TestHosts.StartAsync(more: b => b.AddWorkflow<SlowWorkflow>().AddService<ISlowService, SlowService>());
        var started = await host.Client.StartWorkflowAsync<SlowWorkflow>(7);
        await host.WaitForTaskAsync(started.WorkflowId, TaskState.Running);

        // The handler's timeout is armed on the virtual clock just after the task turns Running: advance in small steps
        // until it fires, rather than racing that moment with one jump.
        var info = await BatonTestHost.WaitUntilAsync(async () =>
        {
            host.Clock.Advance(TimeSpan.FromSeconds(1));
            var current = await host.Client.GetWorkflowAsync(started.WorkflowId);
            return current.State == WorkflowState.Running ? null : current;
        }, what: "the handler timeout to fail the workflow");
        Assert.Equal(WorkflowState.Failed, info.State);
        Assert.Contains("did not finish within its 00:00:05 timeout", info.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_SignedWithRetiredKey_AcceptedDuringGraceThenRejectedAsExpired()
    {
        var oldSecret = RandomNumberGenerator.GetBytes(32);
        var graceEnds = new DateTimeOffset(2026, 1, 1, 1, 0, 0, TimeSpan.Zero);
        var system = new ExternalSystem();
        await using var host = await TestHosts.StartAsync(system, b => b.Configure(o =>
        {
            o.TokenSigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            o.PreviousTokenSigningKeys.Add(new TokenSigningKey("old", oldSecret, graceEnds));
        }));
        var (first, taskA) = await host.StartApprovalAsync("a");
        var (_, taskB) = await host.StartApprovalAsync("b");
        var oldIssuer = new TaskTokenService(new TokenSigningKey("old", oldSecret), [], host.Clock);

        var during = await host.Client.CompleteDelegatedTaskAsync(oldIssuer.Issue(taskA.TaskId), new ApprovalResult(true, "old token"));
        await host.AdvanceAsync(TimeSpan.FromHours(2));
        var expired = await Assert.ThrowsAsync<InvalidTaskTokenException>(() =>
            host.Client.CompleteDelegatedTaskAsync(oldIssuer.Issue(taskB.TaskId), new ApprovalResult(true, "too old")));

        Assert.False(during.AlreadyCompleted);
        Assert.Equal(BatonErrorCodes.TokenExpired, expired.ErrorCode);
        Assert.Equal(TaskState.Delegated, (await host.Client.GetTaskAsync(taskB.TaskId)).State);
        var fresh = system.Requests.Single(r => r.TaskId == taskB.TaskId).Token;
        Assert.False((await host.Client.CompleteDelegatedTaskAsync(fresh, new ApprovalResult(true, "fresh"))).AlreadyCompleted);
        Assert.Equal("approved: old token", await host.Client.GetResultAsync<string>(first, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task TaskContext_WithPublicBaseUrl_CarriesEverythingTheOutsideSystemNeeds()
    {
        var system = new ExternalSystem();
        await using var host = await TestHosts.StartAsync(system, b => b.Configure(o => o.PublicBaseUrl = new Uri("https://baton.example.com/")));
        var (workflowId, task) = await host.StartApprovalAsync("ctx");

        var context = Assert.Single(system.Requests);

        Assert.Equal(("ApprovalService", task.TaskId, workflowId, 1), (context.ServiceName, context.TaskId, context.WorkflowId, context.Attempt));
        Assert.Equal(new Uri($"https://baton.example.com/api/callbacks/{context.Token}"), context.CallbackUrl);
        Assert.Equal(["doc:ctx"], context.Tags);
        Assert.Equal(context.CallbackUrl, (await host.Client.GetTaskAsync(task.TaskId)).CallbackUrl);
    }
}
