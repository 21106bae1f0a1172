using Baton.Engine.Storage;
using Xunit;

namespace Baton.Storage.Conformance;

/// <summary>Claiming tasks for their handlers, leases, and handler outcomes.</summary>
public abstract class TaskQueueConformance : StoreConformanceBase
{
    [Fact]
    public async Task ClaimTasks_ReadyScheduled_RunningWithAttemptLeaseAndAudit()
    {
        await ScheduleTaskAsync("wf-1", "t-1");

        var batch = await Store.ClaimTasksAsync(NodeA, [Service], 10, At(1), At(61));

        var task = Assert.Single(batch.Tasks);
        Assert.Equal((TaskState.Running, 1, NodeA, At(61)), (task.State, task.Attempt, task.LeaseOwner, task.LeaseUntil));
        var audit = (await Store.GetTaskAuditAsync("t-1"))[^1];
        Assert.Equal(("Started", NodeA, "worker", "attempt 1"), (audit.Kind, audit.Actor, audit.Via, audit.Detail));
        Assert.Empty((await Store.ClaimTasksAsync(NodeB, [Service], 10, At(2), At(62))).Tasks);
    }

    [Fact]
    public async Task ClaimTasks_OtherService_NotClaimed()
    {
        await ScheduleTaskAsync("wf-1", "t-1");

        Assert.Empty((await Store.ClaimTasksAsync(NodeA, ["Shipping"], 10, At(1), At(61))).Tasks);
    }

    [Fact]
    public async Task ClaimTasks_NotYetReady_NotClaimedAndNextReadyAtReported()
    {
        await ScheduleTaskAsync("wf-1", "t-1");
        var running = await RunTaskAsync("t-1");
        await Store.RecordHandlerOutcomesAsync([new HandlerOutcome("t-1", running.Attempt, NodeA, HandlerOutcomeKind.RetryScheduled, At(1), Error: "{\"type\":\"Io\",\"message\":\"x\"}", RetryAt: At(30))]);

        var early = await Store.ClaimTasksAsync(NodeA, [Service], 10, At(10), At(70));
        var due = await Store.ClaimTasksAsync(NodeA, [Service], 10, At(30), At(90));

        Assert.Empty(early.Tasks);
        Assert.Equal(At(30), early.NextReadyAt);
        Assert.Equal(2, Assert.Single(due.Tasks).Attempt);
        Assert.Null(due.NextReadyAt);
    }

    [Fact]
    public async Task ClaimTasks_SeveralServices_OldestReadyFirstAcrossServicesUpToMax()
    {
        // Ready at creation: interleaved over three hosted services, with a tie at 3 s that the task id breaks across services;
        // a task of a service not hosted here that is older than all, and tasks not ready until 40 s and 50 s.
        await StartAsync("wf-1");
        await CommitStepAsync("wf-1",
        [
            NewTask("wf-1", "t-6", 1, createdAt: At(5)),
            NewTask("wf-1", "t-4", 2, createdAt: At(3)),
            NewTask("wf-1", "t-1", 3, createdAt: At(1)),
            NewTask("wf-1", "t-3", 4, service: "Mail", createdAt: At(3)),
            NewTask("wf-1", "t-8", 5, service: "Mail", createdAt: At(40)),
            NewTask("wf-1", "t-5", 6, service: "Shipping", createdAt: At(4)),
            NewTask("wf-1", "t-2", 7, service: "Shipping", createdAt: At(2)),
            NewTask("wf-1", "t-7", 8, service: "Shipping", createdAt: At(50)),
            NewTask("wf-1", "t-0", 9, service: "Other", createdAt: At(0)),
            NewTask("wf-1", "t-9", 10, service: "Other", createdAt: At(20)),
        ]);
        string[] hosted = [Service, "Shipping", "Mail"];

        var first = await Store.ClaimTasksAsync(NodeA, hosted, 4, At(10), At(70));
        var rest = await Store.ClaimTasksAsync(NodeA, hosted, 10, At(10), At(70));
        var none = await Store.ClaimTasksAsync(NodeA, hosted, 10, At(39), At(99));
        var later = await Store.ClaimTasksAsync(NodeA, hosted, 10, At(45), At(105));

        Assert.Equal(["t-1", "t-2", "t-3", "t-4"], first.Tasks.Select(t => t.TaskId));
        Assert.Equal(["t-5", "t-6"], rest.Tasks.Select(t => t.TaskId));
        Assert.Equal(At(40), rest.NextReadyAt);
        Assert.Empty(none.Tasks);
        Assert.Equal(At(40), none.NextReadyAt);
        Assert.Equal(["t-8"], later.Tasks.Select(t => t.TaskId));
        Assert.Equal(At(50), later.NextReadyAt);
        Assert.Equal(TaskState.Scheduled, (await Store.GetTaskAsync("t-0"))!.State);
    }

    [Fact]
    public async Task ClaimTasks_ExpiredClaimsOfSeveralServices_BeforeOlderReadyTasksOldestFirst()
    {
        await StartAsync("wf-1");
        await CommitStepAsync("wf-1",
        [
            NewTask("wf-1", "e-2", 1, createdAt: At(2)),
            NewTask("wf-1", "e-1", 2, service: "Shipping", createdAt: At(1)),
            NewTask("wf-1", "e-3", 3, service: "Shipping", createdAt: At(3)),
        ]);
        Assert.Equal(3, (await Store.ClaimTasksAsync(NodeA, [Service, "Shipping"], 10, At(5), At(60))).Tasks.Count);
        await StartAsync("wf-2");
        await CommitStepAsync("wf-2",
        [
            NewTask("wf-2", "r-2", 1, service: "Shipping", createdAt: At(0)),
            NewTask("wf-2", "r-1", 2, createdAt: At(0)),
        ]);

        var batch = await Store.ClaimTasksAsync(NodeB, [Service, "Shipping"], 4, At(60), At(120));

        Assert.Equal(["e-1", "e-2", "e-3", "r-1"], batch.Tasks.Select(t => t.TaskId));
        Assert.All(batch.Tasks, t => Assert.Equal(NodeB, t.LeaseOwner));
        Assert.Equal(TaskState.Scheduled, (await Store.GetTaskAsync("r-2"))!.State);
    }

    [Fact]
    public async Task ClaimTasks_ForeignExpiredLease_Reclaimed()
    {
        await ScheduleTaskAsync("wf-1", "t-1");
        await Store.ClaimTasksAsync(NodeA, [Service], 10, At(1), At(61));

        var before = await Store.ClaimTasksAsync(NodeB, [Service], 10, At(60), At(120));
        var after = await Store.ClaimTasksAsync(NodeB, [Service], 10, At(61), At(121));

        Assert.Empty(before.Tasks);
        var task = Assert.Single(after.Tasks);
        Assert.Equal((NodeB, 2), (task.LeaseOwner, task.Attempt));
    }

    [Fact]
    public async Task ClaimTasks_OwnExpiredLease_Skipped()
    {
        await ScheduleTaskAsync("wf-1", "t-1");
        await Store.ClaimTasksAsync(NodeA, [Service], 10, At(1), At(61));

        Assert.Empty((await Store.ClaimTasksAsync(NodeA, [Service], 10, At(100), At(160))).Tasks);
    }

    [Fact]
    public async Task CommitSteps_TaskWithHandoff_CreatedClaimedByTheNodeAndClaimableOnlyAfterItsLease()
    {
        await StartAsync("wf-1");
        await CommitStepAsync("wf-1", [NewTask("wf-1", "t-1", delegated: true) with { Handoff = new ClaimHandoff(NodeA, At(61)) }]);

        var task = await Store.GetTaskAsync("t-1");
        Assert.Equal((TaskState.Running, 1, NodeA, At(61)), (task!.State, task.Attempt, task.LeaseOwner, task.LeaseUntil));
        var audit = await Store.GetTaskAuditAsync("t-1");
        Assert.Equal([("Scheduled", "workflow"), ("Started", "worker")], audit.Select(a => (a.Kind, a.Via)));
        Assert.Equal((NodeA, "attempt 1"), (audit[1].Actor, audit[1].Detail));
        Assert.Empty((await Store.ClaimTasksAsync(NodeB, [Service], 10, At(60), At(120))).Tasks);
        Assert.Equal(
            [HandlerOutcomeStatus.Applied],
            await Store.RecordHandlerOutcomesAsync([new HandlerOutcome("t-1", 1, NodeA, HandlerOutcomeKind.Delegated, At(2))]));
        Assert.Equal(TaskState.Delegated, (await Store.GetTaskAsync("t-1"))!.State);
    }

    [Fact]
    public async Task CommitSteps_TaskWithHandoffWhoseNodeStopped_ClaimedByAnotherNodeAfterTheLease()
    {
        await StartAsync("wf-1");
        await CommitStepAsync("wf-1", [NewTask("wf-1", "t-1") with { Handoff = new ClaimHandoff(NodeA, At(61)) }]);

        var task = Assert.Single((await Store.ClaimTasksAsync(NodeB, [Service], 10, At(61), At(121))).Tasks);

        Assert.Equal((NodeB, 2), (task.LeaseOwner, task.Attempt));
    }

    [Fact]
    public async Task RenewTaskLeases_OwnClaim_Extended()
    {
        await ScheduleTaskAsync("wf-1", "t-1");
        await Store.ClaimTasksAsync(NodeA, [Service], 10, At(1), At(61));

        await Store.RenewTaskLeasesAsync(NodeA, ["t-1"], At(200));
        await Store.RenewTaskLeasesAsync(NodeB, ["t-1"], At(999));

        Assert.Equal(At(200), (await Store.GetTaskAsync("t-1"))!.LeaseUntil);
        Assert.Empty((await Store.ClaimTasksAsync(NodeB, [Service], 10, At(100), At(160))).Tasks);
    }

    [Fact]
    public async Task RecordHandlerOutcomes_Returned_CompletedAndWorkflowTold()
    {
        await ScheduleTaskAsync("wf-1", "t-1");
        var running = await RunTaskAsync("t-1");

        var status = await Store.RecordHandlerOutcomesAsync([new HandlerOutcome("t-1", running.Attempt, NodeA, HandlerOutcomeKind.Returned, At(5), Result: "7")]);

        Assert.Equal([HandlerOutcomeStatus.Applied], status);
        var task = await Store.GetTaskAsync("t-1");
        Assert.Equal((TaskState.Completed, "7", At(5), (string?)null), (task!.State, task.Result, task.CompletedAt, task.LeaseOwner));
        var audit = (await Store.GetTaskAuditAsync("t-1"))[^1];
        Assert.Equal(("Completed", "worker"), (audit.Kind, audit.Via));
        var message = Assert.Single(await InboxAsync("wf-1", At(6)));
        Assert.Equal((InboxMessageKind.TaskCompleted, "7"), (message.Kind, message.Payload));
    }

    [Fact]
    public async Task RecordHandlerOutcomes_StaleAttemptOrOwner_Superseded()
    {
        await ScheduleTaskAsync("wf-1", "t-1");
        var running = await RunTaskAsync("t-1");

        var status = await Store.RecordHandlerOutcomesAsync(
        [
            new HandlerOutcome("t-1", running.Attempt + 1, NodeA, HandlerOutcomeKind.Returned, At(5), Result: "1"),
            new HandlerOutcome("t-1", running.Attempt, NodeB, HandlerOutcomeKind.Returned, At(5), Result: "2"),
            new HandlerOutcome("nope", 1, NodeA, HandlerOutcomeKind.Returned, At(5), Result: "3"),
        ]);

        Assert.Equal([HandlerOutcomeStatus.Superseded, HandlerOutcomeStatus.Superseded, HandlerOutcomeStatus.Superseded], status);
        Assert.Equal(TaskState.Running, (await Store.GetTaskAsync("t-1"))!.State);
    }

    [Fact]
    public async Task RecordHandlerOutcomes_AfterEarlyCompletion_Superseded()
    {
        await ScheduleTaskAsync("wf-1", "t-1", delegated: true);
        var running = await RunTaskAsync("t-1");
        await Store.ResolveTaskAsync(Resolution("t-1", result: "early"));

        var status = await Store.RecordHandlerOutcomesAsync([new HandlerOutcome("t-1", running.Attempt, NodeA, HandlerOutcomeKind.Delegated, At(5))]);

        Assert.Equal([HandlerOutcomeStatus.Superseded], status);
        Assert.Equal("early", (await Store.GetTaskAsync("t-1"))!.Result);
    }

    [Fact]
    public async Task RecordHandlerOutcomes_Delegated_HeartbeatArmedAndHistoryAppended()
    {
        var task = await DelegateAsync("wf-1", "t-1", heartbeat: TimeSpan.FromMinutes(2), at: At(5));

        Assert.Equal((TaskState.Delegated, At(5), At(125), (string?)null), (task.State, task.DelegatedAt, task.HeartbeatDueAt, task.LeaseOwner));
        Assert.Equal(At(125), await Store.GetNextTimerDueAsync());
        Assert.Equal("Delegated", (await Store.GetTaskAuditAsync("t-1"))[^1].Kind);
        var delegated = (await Store.GetHistoryAsync("wf-1"))[^1];
        Assert.Equal((HistoryEventKind.TaskDelegated, "t-1"), (delegated.Kind, delegated.RefId));
        Assert.Empty(await InboxAsync("wf-1", At(6)));
    }

    [Fact]
    public async Task RecordHandlerOutcomes_RetryScheduled_ScheduledAtRetryTimeAndAudited()
    {
        await ScheduleTaskAsync("wf-1", "t-1");
        var running = await RunTaskAsync("t-1");
        var error = "{\"type\":\"Io\",\"message\":\"disk\"}";

        await Store.RecordHandlerOutcomesAsync([new HandlerOutcome("t-1", running.Attempt, NodeA, HandlerOutcomeKind.RetryScheduled, At(1), Error: error, RetryAt: At(30))]);

        var task = await Store.GetTaskAsync("t-1");
        Assert.Equal((TaskState.Scheduled, At(30), (string?)null), (task!.State, task.ReadyAt, task.LeaseOwner));
        var audit = (await Store.GetTaskAuditAsync("t-1"))[^1];
        Assert.Equal(("HandlerFailed", error), (audit.Kind, audit.Data));
    }

    [Fact]
    public async Task RecordHandlerOutcomes_Failed_FailedAndWorkflowTold()
    {
        await ScheduleTaskAsync("wf-1", "t-1");
        var running = await RunTaskAsync("t-1");

        await Store.RecordHandlerOutcomesAsync([new HandlerOutcome("t-1", running.Attempt, NodeA, HandlerOutcomeKind.Failed, At(1), Error: "{\"type\":\"Io\",\"message\":\"disk\"}")]);

        Assert.Equal(TaskState.Failed, (await Store.GetTaskAsync("t-1"))!.State);
        Assert.Equal("Failed", (await Store.GetTaskAuditAsync("t-1"))[^1].Kind);
        Assert.Equal(InboxMessageKind.TaskFailed, Assert.Single(await InboxAsync("wf-1", At(2))).Kind);
    }
}
