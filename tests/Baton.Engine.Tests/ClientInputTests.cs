using System.Text.Json;
using Baton.Testing;

namespace Baton.Engine.Tests;

/// <summary>Starting workflows, bad input and tokens through the public client: typed errors, nothing changed.</summary>
public sealed class ClientInputTests
{
    [Fact]
    public async Task Start_SameIdAndInput_ReturnsExistingInstance()
    {
        await using var host = await TestHosts.StartAsync();
        var first = await host.Client.StartWorkflowAsync<ApprovalWorkflow>("doc-7", "order-7");
        var again = await host.Client.StartWorkflowAsync<ApprovalWorkflow>("doc-7", "order-7");

        Assert.False(first.AlreadyExisted);
        Assert.True(again.AlreadyExisted);
        Assert.Equal("order-7", again.WorkflowId);
        await host.WaitForTaskAsync("order-7");
        Assert.Single((await host.Client.ListTasksAsync(new TaskQuery { WorkflowId = "order-7" })).Items);
    }

    [Fact]
    public async Task Start_SameIdOtherInput_ThrowsConflict()
    {
        await using var host = await TestHosts.StartAsync();
        await host.Client.StartWorkflowAsync<ApprovalWorkflow>("doc-7", "order-8");

        var conflict = await Assert.ThrowsAsync<WorkflowIdConflictException>(() => host.Client.StartWorkflowAsync<ApprovalWorkflow>("doc-other", "order-8"));
        Assert.Equal(BatonErrorCodes.WorkflowIdConflict, conflict.ErrorCode);
    }

    [Fact]
    public async Task Start_UnknownWorkflowOrWrongInputType_ThrowsTypedErrorAndCreatesNothing()
    {
        await using var host = await TestHosts.StartAsync();

        var unknown = await Assert.ThrowsAsync<UnknownWorkflowTypeException>(() =>
            host.Client.StartWorkflowAsync(new StartWorkflowRequest { Workflow = "NoSuchWorkflow", Id = "w1" }));
        var wrongType = await Assert.ThrowsAsync<PayloadValidationException>(() =>
            host.Client.StartWorkflowAsync(new StartWorkflowRequest { Workflow = "CalculatorWorkflow", Id = "w2", Input = JsonDocument.Parse("\"abc\"").RootElement }));

        Assert.Contains("ApprovalWorkflow", unknown.Message, StringComparison.Ordinal);
        Assert.Equal(BatonErrorCodes.InputInvalid, wrongType.ErrorCode);
        await Assert.ThrowsAsync<WorkflowNotFoundException>(() => host.Client.GetWorkflowAsync("w1"));
        await Assert.ThrowsAsync<WorkflowNotFoundException>(() => host.Client.GetWorkflowAsync("w2"));
    }

    [Fact]
    public async Task Complete_OversizedResult_ThrowsPayloadTooLargeAndTaskStaysOpen()
    {
        await using var host = await TestHosts.StartAsync();
        var (_, task) = await host.StartApprovalAsync();

        var huge = new ApprovalResult(true, new string('x', 2 * 1024 * 1024));
        var tooLarge = await Assert.ThrowsAsync<PayloadTooLargeException>(() => host.Client.CompleteDelegatedTaskAsync("ApprovalService", task.TaskId, huge));

        Assert.Equal(BatonErrorCodes.PayloadTooLarge, tooLarge.ErrorCode);
        Assert.Equal(TaskState.Delegated, (await host.Client.GetTaskAsync(task.TaskId)).State);
    }

    [Fact]
    public async Task Calls_NullOrEmptyArguments_ThrowArgumentErrors()
    {
        await using var host = await TestHosts.StartAsync();

        await Assert.ThrowsAsync<ArgumentNullException>(() => host.Client.CompleteDelegatedTaskAsync("ApprovalService", null!, new ApprovalResult(true, "")));
        await Assert.ThrowsAsync<ArgumentException>(() => host.Client.CompleteDelegatedTaskAsync("", "id", new ApprovalResult(true, "")));
        await Assert.ThrowsAsync<ArgumentNullException>(() => host.Client.StartWorkflowAsync(null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => host.Client.FailDelegatedTaskAsync("ApprovalService", "id", null!));
        await Assert.ThrowsAsync<TaskNotFoundException>(() => host.Client.GetTaskAsync("nope"));
        await Assert.ThrowsAsync<WorkflowNotFoundException>(() => host.Client.CancelWorkflowAsync("nope"));
        var badCursor = await Assert.ThrowsAsync<BatonException>(() => host.Client.ListTasksAsync(new TaskQuery { Cursor = "garbage!" }));
        Assert.Equal(BatonErrorCodes.InvalidArgument, badCursor.ErrorCode);
        await Assert.ThrowsAsync<BatonException>(() => host.Client.ListTasksAsync(new TaskQuery { Limit = 0 }));
    }

    [Fact]
    public async Task Token_CompletesItsTaskAndForgedOrOtherTokensAreRejected()
    {
        var system = new ExternalSystem();
        await using var host = await TestHosts.StartAsync(system);
        var (workflowA, _) = await host.StartApprovalAsync("a");
        var (_, taskB) = await host.StartApprovalAsync("b");
        var tokenA = system.Requests.First(r => r.WorkflowId == workflowA).Token;
        var parts = tokenA.Split('.');

        var forgedSignature = string.Join('.', parts[0], parts[1], parts[2], new string('A', parts[3].Length));
        var otherTask = string.Join('.', parts[0], parts[1], Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(taskB.TaskId)).TrimEnd('=').Replace('+', '-').Replace('/', '_'), parts[3]);
        foreach (var bad in new[] { forgedSignature, otherTask, tokenA[..^4], "not-a-token", "bt1.zz.aa.bb" })
        {
            var rejected = await Assert.ThrowsAsync<InvalidTaskTokenException>(() => host.Client.CompleteDelegatedTaskAsync(bad, new ApprovalResult(true, "forged")));
            Assert.Equal(BatonErrorCodes.TokenInvalid, rejected.ErrorCode);
        }
        Assert.Equal(TaskState.Delegated, (await host.Client.GetTaskAsync(taskB.TaskId)).State);

        var ok = await host.Client.CompleteDelegatedTaskAsync(tokenA, new ApprovalResult(true, "by token"));
        Assert.False(ok.AlreadyCompleted);
        Assert.Equal("approved: by token", await host.Client.GetResultAsync<string>(workflowA, TimeSpan.FromSeconds(10)));
        var repeat = await host.Client.CompleteDelegatedTaskAsync(tokenA, new ApprovalResult(true, "by token"));
        Assert.True(repeat.AlreadyCompleted);
    }

    [Fact]
    public async Task ListTasks_ByStateServiceTagAndAge_PagesByCursor()
    {
        await using var host = await TestHosts.StartAsync();
        for (var i = 0; i < 5; i++)
        {
            await host.StartApprovalAsync($"d{i}");
            await host.AdvanceAsync(TimeSpan.FromMinutes(1));
        }

        var first = await host.Client.ListTasksAsync(new TaskQuery { OpenOnly = true, ServiceName = "ApprovalService", Limit = 2 });
        var second = await host.Client.ListTasksAsync(new TaskQuery { OpenOnly = true, ServiceName = "ApprovalService", Limit = 2, Cursor = first.NextCursor });
        var third = await host.Client.ListTasksAsync(new TaskQuery { OpenOnly = true, ServiceName = "ApprovalService", Limit = 2, Cursor = second.NextCursor });
        var byTag = await host.Client.ListTasksAsync(new TaskQuery { Tag = "doc:d3" });
        var old = await host.Client.ListTasksAsync(new TaskQuery { State = TaskState.Delegated, OlderThan = TimeSpan.FromMinutes(3) });
        var newest = await host.Client.ListTasksAsync(new TaskQuery { Order = TaskOrder.NewestFirst, Limit = 1 });

        var all = first.Items.Concat(second.Items).Concat(third.Items).ToList();
        Assert.Equal(5, all.Select(t => t.TaskId).Distinct().Count());
        Assert.Null(third.NextCursor);
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.CreatedAt <= p.Second.CreatedAt));
        Assert.Equal("d3", JsonDocument.Parse((await host.Client.GetTaskAsync(Assert.Single(byTag.Items).TaskId)).Arguments!.Value.GetRawText()).RootElement[0].GetString());
        Assert.Equal(2, old.Items.Count); // dispatched at minutes 0 and 1; now is minute 5
        Assert.Equal(all[^1].TaskId, Assert.Single(newest.Items).TaskId);
    }
}
