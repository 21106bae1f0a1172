using System.Text.Json;
using Baton.Engine.Storage;
using Xunit;

namespace Baton.Storage.Conformance;

/// <summary>Cancelling workflows: tasks, timers, inbox, children and the parent.</summary>
public abstract class CancellationConformance : StoreConformanceBase
{
    private static readonly AuditSource Bob = new("bob", "http");

    [Fact]
    public async Task CancelWorkflow_Unknown_NotFound()
    {
        var result = await Store.CancelWorkflowAsync(new WorkflowCancellation("nope", "x", Bob, At(1)));

        Assert.Equal(new CancelWorkflowResult(CancelWorkflowStatus.NotFound, null), result);
    }

    [Fact]
    public async Task CancelWorkflow_Finished_AlreadyFinishedUnchanged()
    {
        await StartAsync("wf-1");
        await CommitStepAsync("wf-1", state: WorkflowState.Completed, result: "1");

        var result = await Store.CancelWorkflowAsync(new WorkflowCancellation("wf-1", "x", Bob, At(1)));

        Assert.Equal(CancelWorkflowStatus.AlreadyFinished, result.Status);
        Assert.Equal(WorkflowState.Completed, result.Workflow!.State);
    }

    [Fact]
    public async Task CancelWorkflow_Running_ReturnsTheRowAsStoredFieldForField()
    {
        // Tags and metadata too: the returned record is built from the one read in the cancel's transaction, not read back.
        await Store.CreateWorkflowAsync(NewWorkflow("wf-1", at: At(0), tags: ["a", "b"]) with { Meta = new Dictionary<string, string> { ["k"] = "v" } });
        await CommitStepAsync("wf-1");

        var result = await Store.CancelWorkflowAsync(new WorkflowCancellation("wf-1", "no longer needed", Bob, At(1.5)));

        Assert.Equal(CancelWorkflowStatus.Canceled, result.Status);
        Assert.Equal(WorkflowState.Canceled, result.Workflow!.State);
        Assert.Equal(JsonSerializer.Serialize(await Store.GetWorkflowAsync("wf-1")), JsonSerializer.Serialize(result.Workflow));
    }

    [Fact]
    public async Task CancelWorkflow_Running_CancelsTasksTimersChildrenAndTellsParent()
    {
        await StartAsync("parent");
        await CommitStepAsync("parent", children: [NewWorkflow("wf-1", "Child", "parent", 4)]);
        await CommitStepAsync("wf-1",
            tasks: [NewTask("wf-1", "t-1", delegated: true, deadline: At(600))],
            timers: [new NewTimer(TimerKind.WorkflowTimer, At(300), "wf-1", 2)],
            children: [NewWorkflow("grandchild", "Child", "wf-1", 3)]);
        await ScheduleTaskAsync("grandchild", "t-2");

        var result = await Store.CancelWorkflowAsync(new WorkflowCancellation("wf-1", "customer asked", Bob, At(10)));

        Assert.Equal(CancelWorkflowStatus.Canceled, result.Status);
        Assert.Equal((WorkflowState.Canceled, 3L, At(10)), (result.Workflow!.State, result.Workflow.Version, result.Workflow.CompletedAt));
        Assert.Equal(("Canceled", "customer asked"), (ReadError(result.Workflow.Error).Type, ReadError(result.Workflow.Error).Message));
        var canceled = (await Store.GetHistoryAsync("wf-1"))[^1];
        Assert.Equal(HistoryEventKind.WorkflowCanceled, canceled.Kind);
        Assert.Equal("Canceled", ReadError(canceled.Payload).Type);
        var task = await Store.GetTaskAsync("t-1");
        Assert.Equal((TaskState.Canceled, "customer asked"), (task!.State, ReadError(task.Error).Message));
        var audit = (await Store.GetTaskAuditAsync("t-1"))[^1];
        Assert.Equal(("Canceled", "bob", "http"), (audit.Kind, audit.Actor, audit.Via));
        Assert.Equal(WorkflowState.Canceled, (await Store.GetWorkflowAsync("grandchild"))!.State);
        Assert.Equal(TaskState.Canceled, (await Store.GetTaskAsync("t-2"))!.State);
        Assert.Null(await Store.GetNextTimerDueAsync());
        var message = Assert.Single(await InboxAsync("parent", At(11)));
        Assert.Equal((InboxMessageKind.ChildFailed, 4, "wf-1"), (message.Kind, message.CommandId, message.RefId));
        Assert.Equal("Canceled", ReadError(message.Payload).Type);
        Assert.Empty(await InboxAsync("grandchild", At(11)));
    }

    [Fact]
    public async Task CancelWorkflow_ClaimedInstance_LaterCommitConflicts()
    {
        await StartAsync("wf-1");
        var claim = await ClaimAsync("wf-1");
        await Store.CancelWorkflowAsync(new WorkflowCancellation("wf-1", "x", Bob, At(1)));

        var status = await Store.CommitStepsAsync([Step(claim, tasks: [NewTask("wf-1", "t-1")])]);

        Assert.Equal([StepCommitStatus.Conflict], status);
        Assert.Null(await Store.GetTaskAsync("t-1"));
        Assert.Equal(WorkflowState.Canceled, (await Store.GetWorkflowAsync("wf-1"))!.State);
    }
}
