using System.Text.Json;
using Baton.Testing;

namespace Baton.Engine.Tests;

/// <summary>Deadlines, heartbeats, progress, cancellation, re-runs, manual timeouts and the audit trail.</summary>
public sealed class LifecycleTests
{
    [Fact]
    public async Task Deadline_SevenDaysPass_TaskTimesOutAndWorkflowCatchesIt()
    {
        await using var host = await TestHosts.StartAsync();
        var (workflowId, task) = await host.StartApprovalAsync();
        Assert.Equal(host.Clock.GetUtcNow().AddDays(7), task.DeadlineAt);

        await host.AdvanceAsync(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1));

        var info = await host.WaitForFinishAsync(workflowId);
        Assert.Equal("timed out: delegation deadline passed", info.Result!.Value.GetString());
        var details = await host.Client.GetTaskAsync(task.TaskId);
        Assert.Equal(TaskState.TimedOut, details.State);
        Assert.Contains(details.Audit, a => a.Kind == "TimedOut" && a.Via == "timer");
    }

    [Fact]
    public async Task Deadline_BeforeItPasses_TaskStaysOpen()
    {
        await using var host = await TestHosts.StartAsync();
        var (_, task) = await host.StartApprovalAsync();

        await host.AdvanceAsync(TimeSpan.FromDays(6));
        await Task.Delay(200);

        Assert.Equal(TaskState.Delegated, (await host.Client.GetTaskAsync(task.TaskId)).State);
    }

    [Fact]
    public async Task CompleteBy_AbsoluteDeadlinePasses_TaskTimesOut()
    {
        await using var host = await TestHosts.StartAsync();
        var completeBy = host.Clock.GetUtcNow().AddHours(3);
        var started = await host.Client.StartWorkflowAsync<AbsoluteDeadlineWorkflow>(completeBy);
        var task = await host.WaitForTaskAsync(started.WorkflowId);
        Assert.Equal(completeBy, task.DeadlineAt);

        await host.AdvanceAsync(TimeSpan.FromHours(3));

        Assert.Equal("timed out", (await host.WaitForFinishAsync(started.WorkflowId)).Result!.Value.GetString());
    }

    [Fact]
    public async Task Heartbeat_NoProgressWithinInterval_TimesOut()
    {
        await using var host = await TestHosts.StartAsync();
        var started = await host.Client.StartWorkflowAsync<EncodingWorkflow>("video-1");
        var task = await host.WaitForTaskAsync(started.WorkflowId);

        await host.AdvanceAsync(TimeSpan.FromMinutes(11));

        var info = await host.WaitForFinishAsync(started.WorkflowId);
        Assert.Equal(WorkflowState.Failed, info.State);
        Assert.Equal(nameof(TaskTimedOutException), info.Error!.Type);
        Assert.Equal(TaskState.TimedOut, (await host.Client.GetTaskAsync(task.TaskId)).State);
    }

    [Fact]
    public async Task Heartbeat_ProgressWithinInterval_KeepsTaskOpenThenCompletes()
    {
        await using var host = await TestHosts.StartAsync();
        var started = await host.Client.StartWorkflowAsync<EncodingWorkflow>("video-2");
        var task = await host.WaitForTaskAsync(started.WorkflowId);

        for (var i = 1; i <= 3; i++)
        {
            await host.AdvanceAsync(TimeSpan.FromMinutes(5));
            await host.Client.ReportProgressAsync("Encoder", task.TaskId, new ProgressReport(i * 25, $"{i} of 4 files encoded"));
        }
        await host.AdvanceAsync(TimeSpan.FromMinutes(8)); // 23 minutes in total, but only 8 since the last progress
        await Task.Delay(200);
        Assert.Equal(TaskState.Delegated, (await host.Client.GetTaskAsync(task.TaskId)).State);

        await host.Client.CompleteDelegatedTaskAsync("Encoder", task.TaskId, 42);
        Assert.Equal(42, await host.Client.GetResultAsync<int>(started.WorkflowId, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Progress_Reports_KeptAsTimelineAndInHistory()
    {
        await using var host = await TestHosts.StartAsync();
        var started = await host.Client.StartWorkflowAsync<EncodingWorkflow>("video-3");
        var task = await host.WaitForTaskAsync(started.WorkflowId);
        var details = JsonDocument.Parse("""{"files":["a.mp4"]}""").RootElement;

        await host.Client.ReportProgressAsync("Encoder", task.TaskId, new ProgressReport(20, "first file", details));
        await host.Client.ReportProgressAsync("Encoder", task.TaskId, new ProgressReport(60, "third file"));

        var shown = await host.Client.GetTaskAsync(task.TaskId);
        Assert.Equal([20.0, 60.0], shown.ProgressTimeline.Select(p => p.Percent!.Value));
        Assert.Equal("first file", shown.ProgressTimeline[0].Message);
        Assert.Equal("a.mp4", shown.ProgressTimeline[0].Details!.Value.GetProperty("files")[0].GetString());
        Assert.Equal(60, shown.Progress!.Percent);
        var history = await host.Client.GetWorkflowHistoryAsync(started.WorkflowId);
        Assert.Equal(2, history.Count(e => e.Kind == "TaskProgress"));
    }

    [Fact]
    public async Task Progress_OutOfRangeOrOnFinishedTask_IsRefused()
    {
        await using var host = await TestHosts.StartAsync();
        var started = await host.Client.StartWorkflowAsync<EncodingWorkflow>("video-4");
        var task = await host.WaitForTaskAsync(started.WorkflowId);

        var invalid = await Assert.ThrowsAsync<BatonException>(() => host.Client.ReportProgressAsync("Encoder", task.TaskId, new ProgressReport(140)));
        Assert.Equal(BatonErrorCodes.InvalidArgument, invalid.ErrorCode);
        await host.Client.CompleteDelegatedTaskAsync("Encoder", task.TaskId, 1);
        var wrong = await Assert.ThrowsAsync<TaskWrongStateException>(() => host.Client.ReportProgressAsync("Encoder", task.TaskId, new ProgressReport(50)));
        Assert.Equal(TaskState.Completed, wrong.State);
    }

    [Fact]
    public async Task CancelWorkflow_OpenDelegatedTasksBecomeCanceled()
    {
        await using var host = await TestHosts.StartAsync();
        var (workflowId, task) = await host.StartApprovalAsync();

        var info = await host.Client.CancelWorkflowAsync(workflowId, "customer withdrew");

        Assert.Equal(WorkflowState.Canceled, info.State);
        var details = await host.Client.GetTaskAsync(task.TaskId);
        Assert.Equal(TaskState.Canceled, details.State);
        Assert.Contains(details.Audit, a => a.Kind == "Canceled" && a.Actor == "client");
        var again = await host.Client.CancelWorkflowAsync(workflowId);
        Assert.Equal(WorkflowState.Canceled, again.State);
    }

    [Fact]
    public async Task CancelWorkflow_Finished_ThrowsWrongState()
    {
        await using var host = await TestHosts.StartAsync();
        var (workflowId, task) = await host.StartApprovalAsync();
        await host.Client.CompleteDelegatedTaskAsync("ApprovalService", task.TaskId, new ApprovalResult(true, "ok"));
        await host.WaitForFinishAsync(workflowId);

        var wrong = await Assert.ThrowsAsync<WorkflowWrongStateException>(() => host.Client.CancelWorkflowAsync(workflowId));
        Assert.Equal(WorkflowState.Completed, wrong.State);
    }

    [Fact]
    public async Task RetryTask_OpenDelegatedTask_RerunsHandlerWithSameTaskIdAndToken()
    {
        var system = new ExternalSystem();
        await using var host = await TestHosts.StartAsync(system);
        var (workflowId, task) = await host.StartApprovalAsync();
        var first = Assert.Single(system.Requests);

        var retried = await host.Client.RetryTaskAsync("ApprovalService", task.TaskId);
        Assert.Equal(TaskState.Scheduled, retried.State);
        await BatonTestHost.WaitUntilAsync(() => Task.FromResult(system.Requests.Count == 2 ? system.Requests.Last() : null), what: "the second handler run");
        var second = system.Requests.Last();

        Assert.Equal(first.TaskId, second.TaskId);
        Assert.Equal(first.Token, second.Token);
        Assert.Equal(2, second.Attempt);
        await BatonTestHostExtensions.WaitForAuditAsync(host, task.TaskId, "RetryRequested");
        await host.WaitForTaskAsync(workflowId);
        await host.Client.CompleteDelegatedTaskAsync(first.Token, new ApprovalResult(true, "second time lucky"));
        Assert.Equal("approved: second time lucky", await host.Client.GetResultAsync<string>(workflowId, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task RetryTask_FinishedTask_ThrowsWrongState()
    {
        await using var host = await TestHosts.StartAsync();
        var (_, task) = await host.StartApprovalAsync();
        await host.Client.CompleteDelegatedTaskAsync("ApprovalService", task.TaskId, new ApprovalResult(true, "ok"));

        var wrong = await Assert.ThrowsAsync<TaskWrongStateException>(() => host.Client.RetryTaskAsync("ApprovalService", task.TaskId));
        Assert.Equal(TaskState.Completed, wrong.State);
    }

    [Fact]
    public async Task TimeoutTask_Manual_WorkflowSeesTimeoutAndRepeatIsHarmless()
    {
        await using var host = await TestHosts.StartAsync();
        var (workflowId, task) = await host.StartApprovalAsync();

        var first = await host.Client.TimeoutTaskAsync(task.TaskId);
        var repeat = await host.Client.TimeoutTaskAsync(task.TaskId);

        Assert.False(first.AlreadyCompleted);
        Assert.True(repeat.AlreadyCompleted);
        Assert.StartsWith("timed out: timed out manually", await host.Client.GetResultAsync<string>(workflowId, TimeSpan.FromSeconds(10)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TimeoutBetween_RangeThenWatermark_TimesOutExactlyTheTasksDueInRange()
    {
        await using var host = await TestHosts.StartAsync();
        var now = host.Clock.GetUtcNow();
        var ids = new List<string>();
        foreach (var hours in new[] { 1, 2, 5 })
        {
            var started = await host.Client.StartWorkflowAsync<AbsoluteDeadlineWorkflow>(now.AddHours(hours));
            ids.Add((await host.WaitForTaskAsync(started.WorkflowId)).TaskId);
        }

        var first = await host.Client.TimeoutTasksBetweenAsync(now, now.AddHours(1.5));
        var second = await host.Client.TimeoutTasksBetweenAsync(null, now.AddHours(3));

        Assert.Equal([ids[0]], first.TimedOutTaskIds);
        Assert.Equal(now.AddHours(1.5), second.From);
        Assert.Equal([ids[1]], second.TimedOutTaskIds);
        Assert.Equal(TaskState.Delegated, (await host.Client.GetTaskAsync(ids[2])).State);
    }

    [Fact]
    public async Task Audit_EveryTransition_RecordsWhoWhenAndHow()
    {
        await using var host = await TestHosts.StartAsync();
        var (workflowId, task) = await host.StartApprovalAsync();
        await host.Client.ReportProgressAsync("ApprovalService", task.TaskId, new ProgressReport(50, "reading"));
        await host.Client.CompleteDelegatedTaskAsync("ApprovalService", task.TaskId, new ApprovalResult(true, "ok"));

        var audit = (await host.Client.GetTaskAsync(task.TaskId)).Audit;

        Assert.Equal(["Scheduled", "Started", "Delegated", "Progress", "Completed"], audit.Select(a => a.Kind));
        Assert.Equal("workflow", audit[0].Via);
        Assert.Equal(host.Engine.NodeId, audit[1].Actor);
        Assert.Equal(("client", "client"), (audit[4].Actor, audit[4].Via));
        Assert.All(audit, a => Assert.Equal(host.Clock.GetUtcNow(), a.At));
        Assert.Equal(WorkflowState.Completed, (await host.WaitForFinishAsync(workflowId)).State);
    }
}
