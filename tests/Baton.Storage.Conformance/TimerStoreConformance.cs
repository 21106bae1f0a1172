using Baton.Engine.Storage;
using Xunit;

namespace Baton.Storage.Conformance;

/// <summary>Durable timers of each kind.</summary>
public abstract class TimerStoreConformance : StoreConformanceBase
{
    [Fact]
    public async Task FireDueTimers_NothingDue_NoneFiredAndNextDueReported()
    {
        await StartAsync("wf-1");
        await CommitStepAsync("wf-1", timers: [new NewTimer(TimerKind.WorkflowTimer, At(60), "wf-1", 2)]);

        var result = await Store.FireDueTimersAsync(At(59), 10);

        Assert.Equal(new TimerFireResult(0, At(60)), result);
        Assert.Equal(At(60), await Store.GetNextTimerDueAsync());
    }

    [Fact]
    public async Task FireDueTimers_WorkflowTimer_TimerFiredMessageWithDueTime()
    {
        await StartAsync("wf-1");
        await CommitStepAsync("wf-1", timers: [new NewTimer(TimerKind.WorkflowTimer, At(60), "wf-1", 2), new NewTimer(TimerKind.WorkflowTimer, At(90), "wf-1", 3)]);

        var result = await Store.FireDueTimersAsync(At(61), 10);

        Assert.Equal(new TimerFireResult(1, At(90)), result);
        var message = Assert.Single(await InboxAsync("wf-1", At(62)));
        Assert.Equal((InboxMessageKind.TimerFired, 2), (message.Kind, message.CommandId));
        Assert.Equal(At(60), System.Text.Json.JsonSerializer.Deserialize<DateTimeOffset>(message.Payload!, BatonJson.Options));
    }

    [Fact]
    public async Task FireDueTimers_Max_OldestFirst()
    {
        await StartAsync("wf-1");
        await CommitStepAsync("wf-1", timers: [new NewTimer(TimerKind.WorkflowTimer, At(30), "wf-1", 3), new NewTimer(TimerKind.WorkflowTimer, At(10), "wf-1", 2)]);

        var result = await Store.FireDueTimersAsync(At(60), 1);

        Assert.Equal(new TimerFireResult(1, At(30)), result);
        Assert.Equal(2, Assert.Single(await InboxAsync("wf-1", At(61))).CommandId);
    }

    [Fact]
    public async Task FireDueTimers_TaskDeadlineOnOpenTask_TimedOutAndWorkflowTold()
    {
        await DelegateAsync("wf-1", "t-1", deadline: At(600));

        var result = await Store.FireDueTimersAsync(At(600), 10);

        Assert.Equal(1, result.Fired);
        var task = await Store.GetTaskAsync("t-1");
        Assert.Equal(TaskState.TimedOut, task!.State);
        Assert.Equal("TimedOut", ReadError(task.Error).Type);
        var audit = (await Store.GetTaskAuditAsync("t-1"))[^1];
        Assert.Equal(("TimedOut", "timer"), (audit.Kind, audit.Via));
        Assert.Equal(InboxMessageKind.TaskTimedOut, Assert.Single(await InboxAsync("wf-1", At(601))).Kind);
    }

    [Fact]
    public async Task FireDueTimers_TaskDeadlineNotYetDue_ReportedAsNextDue()
    {
        await DelegateWithTimerAsync(deadline: At(600), new NewTimer(TimerKind.WorkflowTimer, At(900), "wf-1", 5));

        var result = await Store.FireDueTimersAsync(At(599), 10);

        Assert.Equal(new TimerFireResult(0, At(600)), result);
        Assert.Equal(At(600), await Store.GetNextTimerDueAsync());
        Assert.Equal(TaskState.Delegated, (await Store.GetTaskAsync("t-1"))!.State);
    }

    [Fact]
    public async Task FireDueTimers_DeadlineAndTimerDueTogether_MaxCountsBoth()
    {
        await DelegateWithTimerAsync(deadline: At(600), new NewTimer(TimerKind.WorkflowTimer, At(600), "wf-1", 5));

        var first = await Store.FireDueTimersAsync(At(600), 1);
        var second = await Store.FireDueTimersAsync(At(600), 1);

        Assert.Equal(new TimerFireResult(1, At(600)), first);
        Assert.Equal(new TimerFireResult(1, null), second);
    }

    [Fact]
    public async Task FireDueTimers_DeadlineTimerRowOfAnOlderVersion_TaskTimedOutOnce()
    {
        // Stores written before deadlines were read from task rows also hold a TaskDeadline timer row for the same deadline.
        await DelegateWithTimerAsync(deadline: At(600), new NewTimer(TimerKind.TaskDeadline, At(600), "wf-1", 1, "t-1"));

        var result = await Store.FireDueTimersAsync(At(600), 10);

        Assert.Equal(TaskState.TimedOut, (await Store.GetTaskAsync("t-1"))!.State);
        Assert.Single(await Store.GetTaskAuditAsync("t-1"), a => a.Kind == "TimedOut");
        Assert.Single(await InboxAsync("wf-1", At(601)), m => m.Kind == InboxMessageKind.TaskTimedOut);
        Assert.Null(result.NextDueAt);
    }

    [Fact]
    public async Task FireDueTimers_TaskDeadlineOnFinishedTask_DeletedWithoutEffect()
    {
        await ScheduleTaskAsync("wf-1", "t-1", delegated: true, deadline: At(600));
        var running = await RunTaskAsync("t-1");
        await Store.RecordHandlerOutcomesAsync([new HandlerOutcome("t-1", running.Attempt, NodeA, HandlerOutcomeKind.Returned, At(1), Result: "1")]);

        var result = await Store.FireDueTimersAsync(At(600), 10);

        Assert.Equal(TaskState.Completed, (await Store.GetTaskAsync("t-1"))!.State);
        Assert.Null(result.NextDueAt);
    }

    [Fact]
    public async Task FireDueTimers_HeartbeatMissed_TimedOut()
    {
        await DelegateAsync("wf-1", "t-1", heartbeat: TimeSpan.FromMinutes(1));

        var result = await Store.FireDueTimersAsync(At(60), 10);

        Assert.Equal(new TimerFireResult(1, null), result);
        var task = await Store.GetTaskAsync("t-1");
        Assert.Equal(TaskState.TimedOut, task!.State);
        Assert.Contains("heartbeat", ReadError(task.Error).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FireDueTimers_HeartbeatAfterProgress_MovedToNewDueTime()
    {
        await DelegateAsync("wf-1", "t-1", heartbeat: TimeSpan.FromMinutes(1));
        await Store.RecordProgressAsync(new TaskProgressUpdate("t-1", null, 10, null, null, new AuditSource("bob", "http"), At(30)));

        var result = await Store.FireDueTimersAsync(At(60), 10);

        Assert.Equal(new TimerFireResult(1, At(90)), result);
        Assert.Equal(TaskState.Delegated, (await Store.GetTaskAsync("t-1"))!.State);
        var later = await Store.FireDueTimersAsync(At(90), 10);
        Assert.Equal(1, later.Fired);
        Assert.Equal(TaskState.TimedOut, (await Store.GetTaskAsync("t-1"))!.State);
    }

    [Fact]
    public async Task FireDueTimers_WorkflowTimerOfFinishedWorkflow_NoMessage()
    {
        await StartAsync("wf-1");
        await CommitStepAsync("wf-1", timers: [new NewTimer(TimerKind.WorkflowTimer, At(60), "wf-1", 2)]);
        await Store.CancelWorkflowAsync(new WorkflowCancellation("wf-1", "stop", new AuditSource("bob", "http"), At(1)));

        var result = await Store.FireDueTimersAsync(At(60), 10);

        Assert.Equal(new TimerFireResult(0, null), result);
        Assert.Empty(await Store.ClaimWorkflowsAsync(NodeA, 10, At(61), At(120)));
    }

    /// <summary>Starts wf-1 whose first step dispatches delegated task t-1 (with <paramref name="deadline"/>) and adds <paramref name="timer"/>; t-1 ends Delegated.</summary>
    private async Task DelegateWithTimerAsync(DateTimeOffset deadline, NewTimer timer)
    {
        await StartAsync("wf-1");
        await CommitStepAsync("wf-1", tasks: [NewTask("wf-1", "t-1", delegated: true, deadline: deadline)], timers: [timer]);
        var running = await RunTaskAsync("t-1");
        Assert.Equal([HandlerOutcomeStatus.Applied], await Store.RecordHandlerOutcomesAsync([new HandlerOutcome("t-1", running.Attempt, NodeA, HandlerOutcomeKind.Delegated, T0)]));
    }
}
