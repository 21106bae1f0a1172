using Baton.Engine.Storage;
using Xunit;

namespace Baton.Storage.Conformance;

/// <summary>Claiming workflow instances that need a step, and committing steps.</summary>
public abstract class WorkflowQueueConformance : StoreConformanceBase
{
    [Fact]
    public async Task ClaimWorkflows_NewInstance_ClaimedWithNoMessages()
    {
        await StartAsync("wf-1");

        var claims = await Store.ClaimWorkflowsAsync(NodeA, 10, T0, At(60));

        var claim = Assert.Single(claims);
        Assert.Equal("wf-1", claim.Workflow.Id);
        Assert.Empty(claim.Messages);
    }

    [Fact]
    public async Task ClaimWorkflows_OwnClaim_Skipped()
    {
        await StartAsync("wf-1");
        await Store.ClaimWorkflowsAsync(NodeA, 10, T0, At(60));

        Assert.Empty(await Store.ClaimWorkflowsAsync(NodeA, 10, At(1), At(61)));
        Assert.Empty(await Store.ClaimWorkflowsAsync(NodeA, 10, At(120), At(180)));
    }

    [Fact]
    public async Task ClaimWorkflows_ForeignValidClaim_Skipped()
    {
        await StartAsync("wf-1");
        await Store.ClaimWorkflowsAsync(NodeA, 10, T0, At(60));

        Assert.Empty(await Store.ClaimWorkflowsAsync(NodeB, 10, At(59), At(120)));
    }

    [Fact]
    public async Task ClaimWorkflows_ForeignExpiredClaim_Reclaimed()
    {
        await StartAsync("wf-1");
        await Store.ClaimWorkflowsAsync(NodeA, 10, T0, At(60));

        var claims = await Store.ClaimWorkflowsAsync(NodeB, 10, At(60), At(120));

        Assert.Equal("wf-1", Assert.Single(claims).Workflow.Id);
    }

    [Fact]
    public async Task ClaimWorkflows_Max_OldestNeedFirst()
    {
        await StartAsync("wf-b", at: At(2));
        await StartAsync("wf-a", at: At(3));
        await StartAsync("wf-c", at: At(1));

        var claims = await Store.ClaimWorkflowsAsync(NodeA, 2, At(10), At(60));

        Assert.Equal(["wf-c", "wf-b"], claims.Select(c => c.Workflow.Id));
    }

    [Fact]
    public async Task ClaimWorkflows_FinishedInstance_NotClaimed()
    {
        await StartAsync("wf-1");
        await CommitStepAsync("wf-1", state: WorkflowState.Completed, result: "1");

        Assert.Empty(await Store.ClaimWorkflowsAsync(NodeA, 10, At(10), At(60)));
    }

    [Fact]
    public async Task CommitSteps_Valid_AppendsIncrementsVersionAndReleasesClaim()
    {
        await StartAsync("wf-1");
        var claim = await ClaimAsync("wf-1");

        var status = await Store.CommitStepsAsync([Step(claim, at: At(1))]);

        Assert.Equal([StepCommitStatus.Committed], status);
        var workflow = await Store.GetWorkflowAsync("wf-1");
        Assert.Equal(2, workflow!.Version);
        Assert.Equal(At(1), workflow.UpdatedAt);
        Assert.Equal(2, (await Store.GetHistoryAsync("wf-1")).Count);
        Assert.Empty(await Store.ClaimWorkflowsAsync(NodeB, 10, At(2), At(60))); // no longer needs a step
    }

    [Theory]
    [InlineData(2)]
    [InlineData(8)]
    [InlineData(19)]
    public async Task CommitSteps_ManyEvents_EachStoredWithItsOwnValuesInOrder(int count)
    {
        await StartAsync("wf-1");
        var claim = await ClaimAsync("wf-1");
        // Every value differs per event (and some are null) so that a value bound to the wrong row would show.
        var events = Enumerable.Range(0, count).Select(i => new NewHistoryEvent(
            i % 2 == 0 ? HistoryEventKind.TaskScheduled : HistoryEventKind.TaskDelegated, At(i), i % 3 == 0 ? null : i,
            "name-" + i, i % 4 == 0 ? null : "ref-" + i, "[" + i + "]")).ToList();

        await Store.CommitStepsAsync([Step(claim) with { Events = events }]);
        await StartAsync("wf-2");
        await CommitStepAsync("wf-2");

        var history = await Store.GetHistoryAsync("wf-1");
        Assert.Equal(Enumerable.Range(1, count + 1).Select(i => (long)i), history.Select(e => e.Seq));
        Assert.Equal(events, history.Skip(1).Select(e => new NewHistoryEvent(e.Kind, e.At, e.CommandId, e.Name, e.RefId, e.Payload)));
        Assert.Equal([1L, 2L], (await Store.GetHistoryAsync("wf-2")).Select(e => e.Seq));
    }

    [Fact]
    public async Task CommitSteps_WrongVersion_ConflictAndNothingWritten()
    {
        await StartAsync("wf-1");
        var claim = await ClaimAsync("wf-1");
        var stale = Step(claim, tasks: [NewTask("wf-1", "t-1")]) with { ExpectedVersion = claim.Workflow.Version + 1 };

        var status = await Store.CommitStepsAsync([stale]);

        Assert.Equal([StepCommitStatus.Conflict], status);
        Assert.Equal(1, (await Store.GetWorkflowAsync("wf-1"))!.Version);
        Assert.Single(await Store.GetHistoryAsync("wf-1"));
        Assert.Null(await Store.GetTaskAsync("t-1"));
    }

    [Fact]
    public async Task CommitSteps_ClaimTakenOver_Conflict()
    {
        await StartAsync("wf-1");
        var claim = await ClaimAsync("wf-1");
        await Store.ClaimWorkflowsAsync(NodeB, 10, At(120), At(180));

        var status = await Store.CommitStepsAsync([Step(claim)]);

        Assert.Equal([StepCommitStatus.Conflict], status);
        Assert.Equal(1, (await Store.GetWorkflowAsync("wf-1"))!.Version);
    }

    [Fact]
    public async Task CommitSteps_OneConflict_OthersCommitted()
    {
        await StartAsync("wf-1");
        await StartAsync("wf-2");
        var claims = await Store.ClaimWorkflowsAsync(NodeA, 10, T0, At(60));
        var good = Step(claims.Single(c => c.Workflow.Id == "wf-1"), tasks: [NewTask("wf-1", "t-1")]);
        var bad = Step(claims.Single(c => c.Workflow.Id == "wf-2"), tasks: [NewTask("wf-2", "t-2")]) with { ExpectedVersion = 99 };

        var status = await Store.CommitStepsAsync([good, bad]);

        Assert.Equal([StepCommitStatus.Committed, StepCommitStatus.Conflict], status);
        Assert.NotNull(await Store.GetTaskAsync("t-1"));
        Assert.Null(await Store.GetTaskAsync("t-2"));
    }

    [Fact]
    public async Task CommitSteps_MessageArrivedMeanwhile_StaysAndInstanceNeedsStep()
    {
        await ScheduleTaskAsync("wf-1", "t-1");
        await ScheduleTaskAsync("wf-2", "t-2");
        await Store.ResolveTaskAsync(Resolution("t-1", at: At(1)));
        var claim = await ClaimAsync("wf-1", now: At(2));
        Assert.Single(claim.Messages);
        // A second message arrives after the claim: the step did not see it.
        await StartAsync("wf-3");
        await CommitStepAsync("wf-3", messages: [new NewInboxMessage("wf-1", InboxMessageKind.ChildCompleted, 7, "wf-3", "5", At(3))], at: At(3));

        Assert.Equal([StepCommitStatus.Committed], await Store.CommitStepsAsync([Step(claim, at: At(4))]));

        var next = await ClaimAsync("wf-1", now: At(5));
        var message = Assert.Single(next.Messages);
        Assert.Equal(InboxMessageKind.ChildCompleted, message.Kind);
        Assert.Equal(7, message.CommandId);
        Assert.Equal("5", message.Payload);
    }

    [Fact]
    public async Task CommitSteps_Finished_CancelsOpenTasksAndDeletesTimersAndInbox()
    {
        await StartAsync("wf-1");
        await CommitStepAsync("wf-1",
            tasks: [NewTask("wf-1", "t-1"), NewTask("wf-1", "t-2", commandId: 2, delegated: true, deadline: At(3600))],
            timers: [new NewTimer(TimerKind.WorkflowTimer, At(7200), "wf-1", 3)]);
        await Store.ResolveTaskAsync(Resolution("t-1", at: At(1)));
        var claim = await ClaimAsync("wf-1", now: At(2));
        await StartAsync("wf-x");
        await CommitStepAsync("wf-x", messages: [new NewInboxMessage("wf-1", InboxMessageKind.ChildCompleted, 9, "wf-x", "1", At(2))], at: At(2));

        var status = await Store.CommitStepsAsync([Step(claim, state: WorkflowState.Completed, result: "\"done\"", at: At(3))]);

        Assert.Equal([StepCommitStatus.Committed], status);
        var workflow = await Store.GetWorkflowAsync("wf-1");
        Assert.Equal(WorkflowState.Completed, workflow!.State);
        Assert.Equal("\"done\"", workflow.Result);
        Assert.Equal(At(3), workflow.CompletedAt);
        var t2 = await Store.GetTaskAsync("t-2");
        Assert.Equal(TaskState.Canceled, t2!.State);
        Assert.Equal("Canceled", ReadError(t2.Error).Type);
        Assert.Equal("Canceled", (await Store.GetTaskAuditAsync("t-2"))[^1].Kind);
        Assert.Equal(TaskState.Completed, (await Store.GetTaskAsync("t-1"))!.State);
        Assert.Null(await Store.GetNextTimerDueAsync());
        Assert.Empty(await Store.ClaimWorkflowsAsync(NodeB, 10, At(4), At(60)));
    }

    [Fact]
    public async Task CommitSteps_Finished_CancelsRunningChildrenAndTheirsLeavesFinishedOnes()
    {
        await StartAsync("parent");
        await CommitStepAsync("parent", children: [NewWorkflow("child-a", "Child", "parent", 2, At(1)), NewWorkflow("child-b", "Child", "parent", 3, At(1))], at: At(1));
        await CommitStepAsync("child-a",
            tasks: [NewTask("child-a", "t-a", delegated: true)], children: [NewWorkflow("grandchild", "Child", "child-a", 2, At(1))], at: At(1));
        await ScheduleTaskAsync("grandchild", "t-g", delegated: true);
        // child-b finishes and tells its parent, which then needs a step: the one that finishes it.
        await CommitStepAsync("child-b", state: WorkflowState.Completed, result: "1", at: At(2),
            messages: [new NewInboxMessage("parent", InboxMessageKind.ChildCompleted, 3, "child-b", "1", At(2))]);
        var claim = await ClaimAsync("parent", now: At(3));

        var status = await Store.CommitStepsAsync([Step(claim, state: WorkflowState.Completed, result: "\"done\"", at: At(3))]);

        Assert.Equal([StepCommitStatus.Committed], status);
        Assert.Equal(WorkflowState.Completed, (await Store.GetWorkflowAsync("parent"))!.State);
        foreach (var id in new[] { "child-a", "grandchild" })
        {
            var canceled = await Store.GetWorkflowAsync(id);
            Assert.Equal((WorkflowState.Canceled, At(3)), (canceled!.State, canceled.CompletedAt));
            Assert.Equal(("Canceled", "parent workflow finished"), (ReadError(canceled.Error).Type, ReadError(canceled.Error).Message));
            Assert.Equal(HistoryEventKind.WorkflowCanceled, (await Store.GetHistoryAsync(id))[^1].Kind);
        }
        foreach (var taskId in new[] { "t-a", "t-g" })
        {
            Assert.Equal(TaskState.Canceled, (await Store.GetTaskAsync(taskId))!.State);
            var audit = (await Store.GetTaskAuditAsync(taskId))[^1];
            Assert.Equal(("Canceled", AuditSource.Workflow.Actor, AuditSource.Workflow.Via), (audit.Kind, audit.Actor, audit.Via));
        }
        Assert.Equal(WorkflowState.Completed, (await Store.GetWorkflowAsync("child-b"))!.State);
        Assert.Empty(await InboxAsync("parent", At(4)));
        Assert.Empty(await Store.ClaimWorkflowsAsync(NodeB, 10, At(4), At(60)));
    }

    [Fact]
    public async Task CommitSteps_FinishedKnowingNoChildRuns_ChildrenNotLookedFor()
    {
        await StartAsync("parent");
        await CommitStepAsync("parent", children: [NewWorkflow("child", "Child", "parent", 2, At(1)), NewWorkflow("done", "Child", "parent", 3, At(1))], at: At(1));
        await CommitStepAsync("done", state: WorkflowState.Completed, result: "1", at: At(2),
            messages: [new NewInboxMessage("parent", InboxMessageKind.ChildCompleted, 3, "done", "1", At(2))]);
        var claim = await ClaimAsync("parent", now: At(2));

        // The instance vouches that no child of its runs: the store takes its word and skips the look (a step's cost).
        var status = await Store.CommitStepsAsync([Step(claim, state: WorkflowState.Completed, result: "1", at: At(2)) with { MayHaveRunningChildren = false }]);

        Assert.Equal([StepCommitStatus.Committed], status);
        Assert.Equal(WorkflowState.Running, (await Store.GetWorkflowAsync("child"))!.State);
    }

    [Fact]
    public async Task CommitSteps_Children_CreatedAndExistingLeftAsItIs()
    {
        await StartAsync("wf-1");
        await StartAsync("child-old", "Old");
        var child = NewWorkflow("child-new", "Child", "wf-1", 2, At(1));
        var existing = NewWorkflow("child-old", "Changed", "wf-1", 3, At(1));

        await CommitStepAsync("wf-1", children: [child, existing], at: At(1));

        var created = await Store.GetWorkflowAsync("child-new");
        Assert.Equal("wf-1", created!.ParentId);
        Assert.Equal(2, created.ParentCommandId);
        Assert.Equal(HistoryEventKind.WorkflowStarted, Assert.Single(await Store.GetHistoryAsync("child-new")).Kind);
        var old = await Store.GetWorkflowAsync("child-old");
        Assert.Equal("Old", old!.Name);
        Assert.Null(old.ParentId);
    }

    [Fact]
    public async Task CommitSteps_MessageToFinishedInstance_Dropped()
    {
        await StartAsync("parent");
        await CommitStepAsync("parent", state: WorkflowState.Completed, result: "1");
        await StartAsync("child");

        await CommitStepAsync("child", state: WorkflowState.Completed, result: "2",
            messages: [new NewInboxMessage("parent", InboxMessageKind.ChildCompleted, 1, "child", "2", At(1))]);

        Assert.Empty(await InboxAsync("parent"));
        Assert.Empty(await Store.ClaimWorkflowsAsync(NodeA, 10, At(2), At(60)));
    }

    [Fact]
    public async Task ReleaseWorkflowClaims_OwnClaim_ClaimableAgainUnchanged()
    {
        await StartAsync("wf-1");
        await ClaimAsync("wf-1");

        await Store.ReleaseWorkflowClaimsAsync(NodeB, ["wf-1"]); // not B's: no effect
        Assert.Empty(await Store.ClaimWorkflowsAsync(NodeB, 10, At(1), At(60)));
        await Store.ReleaseWorkflowClaimsAsync(NodeA, ["wf-1"]);

        var claim = Assert.Single(await Store.ClaimWorkflowsAsync(NodeB, 10, At(1), At(60)));
        Assert.Equal(1, claim.Workflow.Version);
    }

    [Fact]
    public async Task ReleaseOwnerClaims_NodeStartsAgainUnderItsId_ItsWorkflowAndTaskClaimsFreeOthersKept()
    {
        await ScheduleTaskAsync("wf-1", "t-1");
        await StartAsync("wf-2");
        await StartAsync("wf-3");
        var mine = await RunTaskAsync("t-1");
        await ClaimAsync("wf-2");
        await ClaimAsync("wf-3", owner: NodeB);

        await Store.ReleaseOwnerClaimsAsync(NodeA);

        // Node A's own claims, still within their leases, are claimable by node A again; node B's is not.
        var workflows = await Store.ClaimWorkflowsAsync(NodeA, 10, T0, T0.AddMinutes(1));
        Assert.Equal(["wf-2"], workflows.Select(c => c.Workflow.Id));
        var task = Assert.Single((await Store.ClaimTasksAsync(NodeA, [Service], 10, T0, T0.AddMinutes(1))).Tasks);
        Assert.Equal(("t-1", mine.Attempt + 1), (task.TaskId, task.Attempt));
    }

    [Fact]
    public async Task CreateWorkflow_WithHandoff_ClaimedByTheCreatingNodeAndClaimableByOthersOnlyAfterItsLease()
    {
        var created = await Store.CreateWorkflowAsync(new NewWorkflow("wf-1", "Order", "1", [], new Dictionary<string, string>(), null, null, T0)
        {
            Handoff = new ClaimHandoff(NodeA, At(60)),
        });

        Assert.Equal((CreateWorkflowStatus.Created, 1L), (created.Status, created.Workflow.Version));
        Assert.Empty(await Store.ClaimWorkflowsAsync(NodeA, 10, At(1), At(61)));
        Assert.Empty(await Store.ClaimWorkflowsAsync(NodeB, 10, At(59), At(119)));
        // The creating node steps it with the claim it was created with.
        Assert.Equal([StepCommitStatus.Committed], await Store.CommitStepsAsync([Step(new WorkflowClaim(created.Workflow, []))]));
    }

    [Fact]
    public async Task CreateWorkflow_WithHandoffWhoseNodeStopped_ClaimedByAnotherNodeAfterTheLease()
    {
        await Store.CreateWorkflowAsync(new NewWorkflow("wf-1", "Order", "1", [], new Dictionary<string, string>(), null, null, T0)
        {
            Handoff = new ClaimHandoff(NodeA, At(60)),
        });

        var claim = Assert.Single(await Store.ClaimWorkflowsAsync(NodeB, 10, At(60), At(120)));

        Assert.Equal("wf-1", claim.Workflow.Id);
    }
}
