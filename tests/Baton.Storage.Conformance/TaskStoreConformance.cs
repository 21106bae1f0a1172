using Baton.Engine.Storage;
using Xunit;

namespace Baton.Storage.Conformance;

/// <summary>Task creation, outcomes from outside the handler, progress, retry requests and task queries.</summary>
public abstract class TaskStoreConformance : StoreConformanceBase
{
    [Fact]
    public async Task CommitSteps_Task_ScheduledAtAttempt0AuditedWithDeadlineTimer()
    {
        var task = await ScheduleTaskAsync("wf-1", "t-1", delegated: true, deadline: At(3600), heartbeat: TimeSpan.FromMinutes(5));

        Assert.Equal(TaskState.Scheduled, task.State);
        Assert.Equal(0, task.Attempt);
        Assert.Equal(T0, task.ReadyAt);
        Assert.Equal(At(3600), task.DeadlineAt);
        Assert.Equal(TimeSpan.FromMinutes(5), task.HeartbeatInterval);
        Assert.True(task.IsDelegated);
        Assert.Equal("[1]", task.Arguments);
        Assert.Equal("1", task.Meta["m"]);
        var audit = Assert.Single(await Store.GetTaskAuditAsync("t-1"));
        Assert.Equal(("Scheduled", "system", "workflow"), (audit.Kind, audit.Actor, audit.Via));
        Assert.Equal(At(3600), await Store.GetNextTimerDueAsync());
    }

    [Fact]
    public async Task ResolveTask_Complete_AppliedAndWorkflowTold()
    {
        await ScheduleTaskAsync("wf-1", "t-1");

        var result = await Store.ResolveTaskAsync(Resolution("t-1", result: "{\"ok\":true}", at: At(10)));

        Assert.Equal(TaskResolutionStatus.Applied, result.Status);
        Assert.Equal(TaskState.Completed, result.Task!.State);
        Assert.Equal("{\"ok\":true}", result.Task.Result);
        Assert.Equal(At(10), result.Task.CompletedAt);
        Assert.Null(result.Task.LeaseOwner);
        var audit = (await Store.GetTaskAuditAsync("t-1"))[^1];
        Assert.Equal(("Completed", "alice", "http", "{\"ok\":true}"), (audit.Kind, audit.Actor, audit.Via, audit.Data));
        var message = Assert.Single(await InboxAsync("wf-1", At(11)));
        Assert.Equal((InboxMessageKind.TaskCompleted, 1, "t-1", "{\"ok\":true}"), (message.Kind, message.CommandId, message.RefId, message.Payload));
    }

    [Fact]
    public async Task ResolveTask_Fail_ErrorStoredAndWorkflowTold()
    {
        await ScheduleTaskAsync("wf-1", "t-1");
        var error = "{\"type\":\"Rejected\",\"message\":\"no\"}";

        var result = await Store.ResolveTaskAsync(Resolution("t-1", TaskResolutionKind.Fail, error: error));

        Assert.Equal(TaskState.Failed, result.Task!.State);
        Assert.Equal("Rejected", ReadError(result.Task.Error).Type);
        var message = Assert.Single(await InboxAsync("wf-1", At(11)));
        Assert.Equal(InboxMessageKind.TaskFailed, message.Kind);
        Assert.Equal("Rejected", ReadError(message.Payload).Type);
    }

    [Fact]
    public async Task ResolveTask_AlreadyResolved_WrongStateFirstOutcomeKept()
    {
        await ScheduleTaskAsync("wf-1", "t-1");
        await Store.ResolveTaskAsync(Resolution("t-1", result: "1"));

        var second = await Store.ResolveTaskAsync(Resolution("t-1", TaskResolutionKind.Fail, error: "{\"type\":\"X\",\"message\":\"x\"}"));

        Assert.Equal(TaskResolutionStatus.WrongState, second.Status);
        Assert.Equal(TaskState.Completed, second.Task!.State);
        Assert.Equal("1", second.Task.Result);
        Assert.Single(await InboxAsync("wf-1", At(11)));
    }

    [Fact]
    public async Task ResolveTask_Unknown_NotFound()
    {
        var result = await Store.ResolveTaskAsync(Resolution("nope"));

        Assert.Equal(TaskResolutionStatus.NotFound, result.Status);
        Assert.Null(result.Task);
    }

    [Fact]
    public async Task ResolveTask_OtherServiceName_NotFound()
    {
        await ScheduleTaskAsync("wf-1", "t-1");

        var result = await Store.ResolveTaskAsync(Resolution("t-1", service: "Shipping"));
        var matching = await Store.ResolveTaskAsync(Resolution("t-1", service: Service));

        Assert.Equal(TaskResolutionStatus.NotFound, result.Status);
        Assert.Equal(TaskResolutionStatus.Applied, matching.Status);
    }

    [Fact]
    public async Task ResolveTask_RequireDelegatedOnOrdinaryTask_NotDelegated()
    {
        await ScheduleTaskAsync("wf-1", "t-1");
        await Store.ResolveTaskAsync(Resolution("t-1"));

        var result = await Store.ResolveTaskAsync(Resolution("t-1", requireDelegated: true));

        Assert.Equal(TaskResolutionStatus.NotDelegated, result.Status);
    }

    [Fact]
    public async Task ResolveTask_DelegatedTask_TimersDeleted()
    {
        await DelegateAsync("wf-1", "t-1", heartbeat: TimeSpan.FromMinutes(1), deadline: At(3600));

        var result = await Store.ResolveTaskAsync(Resolution("t-1", requireDelegated: true));

        Assert.Equal(TaskResolutionStatus.Applied, result.Status);
        Assert.Null(await Store.GetNextTimerDueAsync());
    }

    [Fact]
    public async Task ResolveTask_ManyConcurrent_ExactlyOneApplied()
    {
        await ScheduleTaskAsync("wf-1", "t-1");

        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(i =>
            Task.Run(() => Store.ResolveTaskAsync(Resolution("t-1", result: i.ToString(System.Globalization.CultureInfo.InvariantCulture))))));

        var applied = Assert.Single(results, r => r.Status == TaskResolutionStatus.Applied);
        Assert.All(results.Where(r => r != applied), r => Assert.Equal(TaskResolutionStatus.WrongState, r.Status));
        Assert.All(results.Where(r => r != applied), r => Assert.Equal(applied.Task!.Result, r.Task!.Result));
        Assert.Single(await InboxAsync("wf-1", At(11)));
    }

    [Fact]
    public async Task RecordProgress_OpenTask_FieldsHeartbeatAuditAndHistory()
    {
        await DelegateAsync("wf-1", "t-1", heartbeat: TimeSpan.FromMinutes(1));

        var result = await Store.RecordProgressAsync(new TaskProgressUpdate("t-1", Service, 40, "encoding", "{\"files\":2}", new AuditSource("bob", "callback"), At(30)));

        Assert.Equal(TaskResolutionStatus.Applied, result.Status);
        Assert.Equal(40, result.Task!.ProgressPercent);
        Assert.Equal("encoding", result.Task.ProgressMessage);
        Assert.Equal("{\"files\":2}", result.Task.ProgressDetails);
        Assert.Equal(At(30), result.Task.ProgressAt);
        Assert.Equal(At(90), result.Task.HeartbeatDueAt);
        var audit = (await Store.GetTaskAuditAsync("t-1"))[^1];
        Assert.Equal(("Progress", "bob", "callback"), (audit.Kind, audit.Actor, audit.Via));
        using var data = System.Text.Json.JsonDocument.Parse(audit.Data!);
        Assert.Equal(40, data.RootElement.GetProperty("percent").GetDouble());
        Assert.Equal(2, data.RootElement.GetProperty("details").GetProperty("files").GetInt32());
        var progress = (await Store.GetHistoryAsync("wf-1"))[^1];
        Assert.Equal((HistoryEventKind.TaskProgress, "Billing.Charge", "t-1", 1), (progress.Kind, progress.Name, progress.RefId, progress.CommandId));
        Assert.Equal(audit.Data, progress.Payload);
    }

    [Fact]
    public async Task RecordProgress_FinishedTask_WrongState()
    {
        await ScheduleTaskAsync("wf-1", "t-1");
        await Store.ResolveTaskAsync(Resolution("t-1"));

        var result = await Store.RecordProgressAsync(new TaskProgressUpdate("t-1", null, 1, null, null, new AuditSource("bob", "http"), At(30)));

        Assert.Equal(TaskResolutionStatus.WrongState, result.Status);
        Assert.Null(result.Task!.ProgressAt);
    }

    [Fact]
    public async Task RequestTaskRetry_Delegated_ScheduledReadyNow()
    {
        await DelegateAsync("wf-1", "t-1", heartbeat: TimeSpan.FromMinutes(1));

        var result = await Store.RequestTaskRetryAsync("t-1", Service, new AuditSource("bob", "http"), At(20));

        Assert.Equal(TaskResolutionStatus.Applied, result.Status);
        Assert.Equal(TaskState.Scheduled, result.Task!.State);
        Assert.Equal(At(20), result.Task.ReadyAt);
        Assert.Null(result.Task.LeaseOwner);
        Assert.Equal("RetryRequested", (await Store.GetTaskAuditAsync("t-1"))[^1].Kind);
        var rerun = await RunTaskAsync("t-1", now: At(20));
        Assert.Equal(2, rerun.Attempt);
    }

    [Fact]
    public async Task RequestTaskRetry_OrdinaryTask_NotDelegated()
    {
        await ScheduleTaskAsync("wf-1", "t-1");

        var result = await Store.RequestTaskRetryAsync("t-1", null, new AuditSource("bob", "http"), At(20));

        Assert.Equal(TaskResolutionStatus.NotDelegated, result.Status);
    }

    [Fact]
    public async Task RequestTaskRetry_DelegatedTaskNotInDelegatedState_WrongState()
    {
        await ScheduleTaskAsync("wf-1", "t-1", delegated: true);

        var result = await Store.RequestTaskRetryAsync("t-1", null, new AuditSource("bob", "http"), At(20));

        Assert.Equal(TaskResolutionStatus.WrongState, result.Status);
        Assert.Equal(TaskState.Scheduled, result.Task!.State);
    }

    [Fact]
    public async Task RequestTaskRetry_Unknown_NotFound() =>
        Assert.Equal(TaskResolutionStatus.NotFound, (await Store.RequestTaskRetryAsync("nope", null, new AuditSource("bob", "http"), At(20))).Status);
}
