using System.Text.Json;

namespace Baton.Engine.Tests;

/// <summary>First outcome wins; every later call is told the truth.</summary>
public sealed class CompletionRulesTests
{
    private static readonly ApprovalResult Yes = new(true, "fine");

    [Fact]
    public async Task Complete_OpenDelegatedTask_WorkflowFinishesWithTheResult()
    {
        await using var host = await TestHosts.StartAsync();
        var (workflowId, task) = await host.StartApprovalAsync();

        var answer = await host.Client.CompleteDelegatedTaskAsync("ApprovalService", task.TaskId, Yes);

        Assert.False(answer.AlreadyCompleted);
        Assert.Equal(TaskState.Completed, answer.State);
        Assert.Equal("approved: fine", await host.Client.GetResultAsync<string>(workflowId, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Complete_IdenticalRepeat_SucceedsWithAlreadyCompleted()
    {
        await using var host = await TestHosts.StartAsync();
        var (_, task) = await host.StartApprovalAsync();
        await host.Client.CompleteDelegatedTaskAsync("ApprovalService", task.TaskId, Yes);

        var repeat = await host.Client.CompleteDelegatedTaskAsync("ApprovalService", task.TaskId, new ApprovalResult(true, "fine"));

        Assert.True(repeat.AlreadyCompleted);
        Assert.Equal(TaskState.Completed, repeat.State);
    }

    [Fact]
    public async Task Complete_DifferentResultAfterCompletion_ThrowsConflictCarryingRecordedOutcome()
    {
        await using var host = await TestHosts.StartAsync();
        var (workflowId, task) = await host.StartApprovalAsync();
        await host.Client.CompleteDelegatedTaskAsync("ApprovalService", task.TaskId, Yes);

        var conflict = await Assert.ThrowsAsync<TaskOutcomeConflictException>(() =>
            host.Client.CompleteDelegatedTaskAsync("ApprovalService", task.TaskId, new ApprovalResult(false, "no")));

        Assert.Equal(BatonErrorCodes.TaskOutcomeConflict, conflict.ErrorCode);
        Assert.Equal(TaskState.Completed, conflict.Recorded.State);
        Assert.True(conflict.Recorded.Result!.Value.GetProperty("approved").GetBoolean());
        Assert.Equal("approved: fine", await host.Client.GetResultAsync<string>(workflowId, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Fail_AfterCompletion_ThrowsConflict()
    {
        await using var host = await TestHosts.StartAsync();
        var (_, task) = await host.StartApprovalAsync();
        await host.Client.CompleteDelegatedTaskAsync("ApprovalService", task.TaskId, Yes);

        var conflict = await Assert.ThrowsAsync<TaskOutcomeConflictException>(() =>
            host.Client.FailDelegatedTaskAsync("ApprovalService", task.TaskId, new TaskError("Rejected", "budget")));

        Assert.Equal(TaskState.Completed, conflict.Recorded.State);
    }

    [Fact]
    public async Task Fail_IdenticalRepeat_SucceedsWithAlreadyCompleted()
    {
        await using var host = await TestHosts.StartAsync();
        var (workflowId, task) = await host.StartApprovalAsync();
        var error = new TaskError("Rejected", "budget exceeded");
        await host.Client.FailDelegatedTaskAsync("ApprovalService", task.TaskId, error);

        var repeat = await host.Client.FailDelegatedTaskAsync("ApprovalService", task.TaskId, error);

        Assert.True(repeat.AlreadyCompleted);
        Assert.Equal("failed: Rejected: budget exceeded", await host.Client.GetResultAsync<string>(workflowId, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Complete_UnknownTaskOrOtherService_ThrowsNotFound()
    {
        await using var host = await TestHosts.StartAsync();
        var (_, task) = await host.StartApprovalAsync();

        var unknown = await Assert.ThrowsAsync<TaskNotFoundException>(() => host.Client.CompleteDelegatedTaskAsync("ApprovalService", "no-such-task", Yes));
        var otherService = await Assert.ThrowsAsync<TaskNotFoundException>(() => host.Client.CompleteDelegatedTaskAsync("Encoder", task.TaskId, Yes));

        Assert.Equal(BatonErrorCodes.TaskNotFound, unknown.ErrorCode);
        Assert.Equal("Encoder", otherService.ServiceName);
        Assert.Equal(TaskState.Delegated, (await host.Client.GetTaskAsync(task.TaskId)).State);
    }

    [Fact]
    public async Task Complete_TimedOutTask_ThrowsWrongStateNamingTimedOut()
    {
        await using var host = await TestHosts.StartAsync();
        var (_, task) = await host.StartApprovalAsync();
        await host.Client.TimeoutTaskAsync(task.TaskId);

        var wrong = await Assert.ThrowsAsync<TaskWrongStateException>(() => host.Client.CompleteDelegatedTaskAsync("ApprovalService", task.TaskId, Yes));

        Assert.Equal(TaskState.TimedOut, wrong.State);
        Assert.Contains("TimedOut", wrong.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Complete_CanceledTask_ThrowsWrongStateNamingCanceled()
    {
        await using var host = await TestHosts.StartAsync();
        var (workflowId, task) = await host.StartApprovalAsync();
        await host.Client.CancelWorkflowAsync(workflowId, "no longer needed");

        var wrong = await Assert.ThrowsAsync<TaskWrongStateException>(() => host.Client.CompleteDelegatedTaskAsync("ApprovalService", task.TaskId, Yes));

        Assert.Equal(TaskState.Canceled, wrong.State);
    }

    [Fact]
    public async Task Complete_OrdinaryTask_ThrowsNotDelegated()
    {
        var system = new ExternalSystem { ThrowTimes = 100 };
        await using var host = await TestHosts.StartAsync(system);
        var started = await host.Client.StartWorkflowAsync<CalculatorWorkflow>(1);
        var task = await host.WaitForTaskAsync(started.WorkflowId, TaskState.Scheduled);

        await Assert.ThrowsAsync<TaskNotDelegatedException>(() => host.Client.CompleteDelegatedTaskAsync("Calculator", task.TaskId, 5));
    }

    [Fact]
    public async Task Complete_WhileHandlerStillRuns_IsAcceptedAndNotOverwrittenWhenHandlerReturns()
    {
        var system = new ExternalSystem { HoldHandlers = new TaskCompletionSource() };
        await using var host = await TestHosts.StartAsync(system);
        var started = await host.Client.StartWorkflowAsync<ApprovalWorkflow>("fast-webhook");
        await system.HandlerEntered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var running = await host.WaitForTaskAsync(started.WorkflowId, TaskState.Running);

        var answer = await host.Client.CompleteDelegatedTaskAsync("ApprovalService", running.TaskId, Yes);
        system.HoldHandlers.SetResult();

        Assert.Equal(TaskState.Completed, answer.State);
        Assert.Equal("approved: fine", await host.Client.GetResultAsync<string>(started.WorkflowId, TimeSpan.FromSeconds(10)));
        var details = await BatonTestHostExtensions.WaitForAuditAsync(host, running.TaskId, "Completed");
        Assert.Equal(TaskState.Completed, details.State);
        Assert.DoesNotContain(details.Audit, a => a.Kind == "Delegated");
    }

    [Fact]
    public async Task Complete_ResultOfWrongShape_ThrowsFieldErrorsAndTaskStaysOpen()
    {
        await using var host = await TestHosts.StartAsync();
        var (_, task) = await host.StartApprovalAsync();
        var wrong = JsonDocument.Parse("""{"approved":"yes"}""").RootElement;

        var invalid = await Assert.ThrowsAsync<PayloadValidationException>(() => host.Client.CompleteDelegatedTaskAsync("ApprovalService", task.TaskId, wrong));

        Assert.Equal(BatonErrorCodes.ResultInvalid, invalid.ErrorCode);
        Assert.Contains(invalid.Errors, e => e.Path == "$.approved");
        Assert.Contains(invalid.Errors, e => e.Message.Contains("comment", StringComparison.Ordinal));
        Assert.Equal(TaskState.Delegated, (await host.Client.GetTaskAsync(task.TaskId)).State);
        var ok = await host.Client.CompleteDelegatedTaskAsync("ApprovalService", task.TaskId, Yes);
        Assert.False(ok.AlreadyCompleted);
    }

    [Fact]
    public async Task Complete_NullResultForNonNullableType_IsRejected()
    {
        await using var host = await TestHosts.StartAsync();
        var (_, task) = await host.StartApprovalAsync();
        var nullResult = JsonDocument.Parse("null").RootElement;

        var invalid = await Assert.ThrowsAsync<PayloadValidationException>(() => host.Client.CompleteDelegatedTaskAsync("ApprovalService", task.TaskId, nullResult));

        Assert.NotEmpty(invalid.Errors);
        Assert.Equal(TaskState.Delegated, (await host.Client.GetTaskAsync(task.TaskId)).State);
    }
}
