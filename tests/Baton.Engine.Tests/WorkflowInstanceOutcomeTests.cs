using Baton.Engine.Storage;

namespace Baton.Engine.Tests;

/// <summary>
/// What an instance keeps of its outcome. A step that ends the workflow hands the result over and keeps no copy: the
/// instance is dropped next, but it has usually lived long enough to be in the oldest generation, and a young collection
/// would keep whatever it points to (bench/RESULTS.md, push 22). A replay that reaches the end still gives its outcome.
/// </summary>
public sealed class WorkflowInstanceOutcomeTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.UnixEpoch.AddMinutes(1);

    private const string DocumentInput = "\"doc-1\"";

    [Fact]
    public void Advance_AStepThatEndsTheWorkflow_TheStepHoldsTheResultAndTheInstanceKeepsNone()
    {
        var (instance, first, last) = TimeOut("wf-ends");

        Assert.Equal(WorkflowState.Running, first.State);
        Assert.Null(first.Result);
        Assert.Equal(WorkflowState.Completed, last.State);
        Assert.Equal("\"timeout\"", last.Result);
        Assert.Equal(WorkflowState.Completed, instance.State);
        Assert.Null(instance.Result);
        Assert.Null(instance.Error);
    }

    [Fact]
    public void Advance_AStepThatFailsTheWorkflow_TheStepHoldsTheErrorAndTheInstanceKeepsNone()
    {
        var instance = TestInstances.Started<EncodingWorkflow>("wf-fails", "\"video-1\"");
        instance.Advance([], At, "node-a");

        // The encoding (command 1) fails, and the workflow does not catch it.
        var (last, _) = instance.Advance(
            [new InboxMessage(1, "wf-fails", InboxMessageKind.TaskFailed, 1, null, """{"type":"Corrupt","message":"bad frame"}""", At)], At, "node-a");

        Assert.Equal(WorkflowState.Failed, last.State);
        Assert.Contains("bad frame", last.Error);
        Assert.Equal(WorkflowState.Failed, instance.State);
        Assert.Null(instance.Error);
        Assert.Null(instance.Result);
    }

    [Fact]
    public void Rehydrate_AHistoryThatReachesTheEnd_GivesTheRecordedResult()
    {
        // The history two steps record, as the store would hand it back.
        var (_, first, last) = TimeOut("wf-replayed");
        var history = new List<HistoryEvent> { TestInstances.StartedEvent<DocumentWorkflow>(DocumentInput) };
        foreach (var e in first.Events.Concat(last.Events))
            history.Add(new HistoryEvent(history.Count + 1, e.Kind, e.At, e.CommandId, e.Name, e.RefId, e.Payload));

        var replayed = TestInstances.Started<DocumentWorkflow>("wf-replayed", DocumentInput, history);

        Assert.Null(replayed.Divergence);
        Assert.Equal(WorkflowState.Completed, replayed.State);
        Assert.Equal("\"timeout\"", replayed.Result);
    }

    /// <summary>
    /// Steps a <see cref="DocumentWorkflow"/> twice: its start, then its timer (command 2) firing before the approval, so
    /// that it returns "timeout".
    /// </summary>
    private static (Execution.WorkflowInstance Instance, WorkflowStep First, WorkflowStep Last) TimeOut(string workflowId)
    {
        var instance = TestInstances.Started<DocumentWorkflow>(workflowId, DocumentInput);
        var (first, _) = instance.Advance([], At, "node-a");
        var (last, _) = instance.Advance([new InboxMessage(1, workflowId, InboxMessageKind.TimerFired, 2, null, null, At)], At, "node-a");
        return (instance, first, last);
    }
}
