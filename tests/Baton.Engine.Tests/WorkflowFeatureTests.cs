using Baton.Engine.Execution;
using Baton.Testing;

namespace Baton.Engine.Tests;

public sealed class DeterministicWorkflow : Workflow<string, string>
{
    protected override async Task<string> RunAsync(string input)
    {
        var before = $"{Now:O}|{NewGuid()}|{Random.Next(1000)}";
        await Timer(TimeSpan.FromHours(1));
        return $"{before}|{Now:O}|{NewGuid()}|{Random.Next(1000)}";
    }
}

/// <summary>The document workflow after an incompatible change: the timer is started before the approval.</summary>
[Workflow("DocumentWorkflow")]
public sealed class DocumentWorkflowReordered : Workflow<string, string>
{
    protected override async Task<string> RunAsync(string documentId)
    {
        var timeout = Timer(TimeSpan.FromDays(2));
        var approval = Dispatch((IApprovalService s) => s.RequestApprovalAsync(documentId, "manager@example.com"));
        await WhenAny(approval, timeout);
        return approval.IsCompleted ? "approved" : "timeout";
    }
}

public sealed class ParentWorkflow : Workflow<string, string>
{
    protected override async Task<string> RunAsync(string documentId)
    {
        var child = StartChild<ApprovalWorkflow, string, string>(documentId);
        var sum = Dispatch((ICalculatorService s) => s.AddAsync(1, 2));
        await WhenAll(child, sum);
        return $"{await child} / {await sum}";
    }
}

public sealed class SleepyWorkflow : Workflow<string, string>
{
    protected override async Task<string> RunAsync(string input)
    {
        await Task.Delay(10);
        return input;
    }
}

/// <summary>Returns a value System.Text.Json refuses to write (an undefined JsonElement).</summary>
public sealed class UnwritableResultWorkflow : Workflow<int, System.Text.Json.JsonElement>
{
    protected override Task<System.Text.Json.JsonElement> RunAsync(int input) => Task.FromResult(default(System.Text.Json.JsonElement));
}

public sealed class WorkflowFeatureTests
{
    [Fact]
    public async Task Result_SerializerRefusesIt_WorkflowFailsInsteadOfRetryingForever()
    {
        await using var host = await TestHosts.StartAsync(more: b => b.AddWorkflow<UnwritableResultWorkflow>());
        var started = await host.Client.StartWorkflowAsync<UnwritableResultWorkflow>(1);
        var info = await host.WaitForFinishAsync(started.WorkflowId);
        Assert.Equal(WorkflowState.Failed, info.State);
        Assert.Equal("ResultUnserializable", info.Error!.Type);
    }

    private static Task<BatonTestHost> StartAsync(ExternalSystem? system = null) => TestHosts.StartAsync(system, b =>
        b.AddWorkflow<DeterministicWorkflow>().AddWorkflow<ParentWorkflow>().AddWorkflow<SleepyWorkflow>());

    [Fact]
    public async Task Replay_SameCode_ReproducesTheRecordedResult()
    {
        await using var host = await StartAsync();
        var started = await host.Client.StartWorkflowAsync<DeterministicWorkflow>("x");
        await BatonTestHost.WaitUntilAsync(async () => (await host.Client.GetWorkflowHistoryAsync(started.WorkflowId)).Any(e => e.Kind == "TimerStarted") ? "" : null);
        await host.AdvanceAsync(TimeSpan.FromHours(1));
        var info = await host.WaitForFinishAsync(started.WorkflowId);
        var history = await host.Client.GetWorkflowHistoryAsync(started.WorkflowId);

        var replayed = WorkflowReplayer.Replay<DeterministicWorkflow>(started.WorkflowId, history);

        Assert.Equal(WorkflowState.Completed, replayed.State);
        Assert.Equal(info.Result!.Value.GetString(), replayed.Result!.Value.GetString());
        var parts = info.Result.Value.GetString()!.Split('|');
        Assert.Equal(host.Clock.GetUtcNow().AddHours(-1).ToString("O"), parts[0]);
        Assert.Equal(host.Clock.GetUtcNow().ToString("O"), parts[3]);
        Assert.NotEqual(parts[1], parts[4]);
    }

    [Fact]
    public async Task Replay_ChangedCode_ThrowsNonDeterminismNamingTheStep()
    {
        await using var host = await StartAsync();
        var (workflowId, task) = (await host.Client.StartWorkflowAsync<DocumentWorkflow>("doc"), (TaskInfo?)null);
        task = await host.WaitForTaskAsync(workflowId.WorkflowId);
        await host.Client.CompleteDelegatedTaskAsync("ApprovalService", task.TaskId, new ApprovalResult(true, "ok"));
        await host.WaitForFinishAsync(workflowId.WorkflowId);
        var history = await host.Client.GetWorkflowHistoryAsync(workflowId.WorkflowId);

        Assert.Equal("approved", WorkflowReplayer.Replay<DocumentWorkflow>(workflowId.WorkflowId, history).Result!.Value.GetString());
        var diverged = Assert.Throws<NonDeterminismException>(() => WorkflowReplayer.Replay<DocumentWorkflowReordered>(workflowId.WorkflowId, history));
        Assert.Equal(BatonErrorCodes.NonDeterminism, diverged.ErrorCode);
        Assert.Contains("command 1", diverged.Message, StringComparison.Ordinal);
        Assert.Contains("ApprovalService.RequestApprovalAsync", diverged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Workflow_AwaitsTaskDelay_FailsWithNonDeterminismInsteadOfHanging()
    {
        await using var host = await StartAsync();
        var started = await host.Client.StartWorkflowAsync<SleepyWorkflow>("zzz");

        var info = await host.WaitForFinishAsync(started.WorkflowId);

        Assert.Equal(WorkflowState.Failed, info.State);
        Assert.Equal("NonDeterminism", info.Error!.Type);
    }

    [Fact]
    public async Task RaceAgainstTimer_NoApprovalInTime_TimerWinsAndOpenTaskIsCanceled()
    {
        await using var host = await StartAsync();
        var started = await host.Client.StartWorkflowAsync<DocumentWorkflow>("doc-late");
        var task = await host.WaitForTaskAsync(started.WorkflowId);

        await host.AdvanceAsync(TimeSpan.FromDays(2));

        Assert.Equal("timeout", await host.Client.GetResultAsync<string>(started.WorkflowId, TimeSpan.FromSeconds(10)));
        var late = await Assert.ThrowsAsync<TaskWrongStateException>(() => host.Client.CompleteDelegatedTaskAsync("ApprovalService", task.TaskId, new ApprovalResult(true, "too late")));
        Assert.Equal(TaskState.Canceled, late.State);
    }

    [Fact]
    public async Task ChildWorkflow_AndWhenAll_ParentGetsBothResults()
    {
        await using var host = await StartAsync();
        var started = await host.Client.StartWorkflowAsync<ParentWorkflow>("contract");
        var childId = started.WorkflowId + "/1";
        var task = await host.WaitForTaskAsync(childId);

        await host.Client.CompleteDelegatedTaskAsync("ApprovalService", task.TaskId, new ApprovalResult(true, "signed"));

        Assert.Equal("approved: signed / 3", await host.Client.GetResultAsync<string>(started.WorkflowId, TimeSpan.FromSeconds(10)));
        Assert.Equal(started.WorkflowId, (await host.Client.GetWorkflowAsync(childId)).ParentId);
    }

    [Fact]
    public async Task CancelParent_CancelsRunningChildAndItsTasks()
    {
        await using var host = await StartAsync();
        var started = await host.Client.StartWorkflowAsync<ParentWorkflow>("contract-2");
        var task = await host.WaitForTaskAsync(started.WorkflowId + "/1");

        await host.Client.CancelWorkflowAsync(started.WorkflowId);

        Assert.Equal(WorkflowState.Canceled, (await host.Client.GetWorkflowAsync(started.WorkflowId + "/1")).State);
        Assert.Equal(TaskState.Canceled, (await host.Client.GetTaskAsync(task.TaskId)).State);
    }

    [Fact]
    public async Task WorkflowStatus_ListsOpenTasksWithServiceAndId()
    {
        await using var host = await StartAsync();
        var (workflowId, task) = await host.StartApprovalAsync();

        var info = await host.Client.GetWorkflowAsync(workflowId);

        var open = Assert.Single(info.OpenTasks);
        Assert.Equal(("ApprovalService", task.TaskId), (open.ServiceName, open.TaskId));
        Assert.Equal(WorkflowState.Running, info.State);
    }
}
