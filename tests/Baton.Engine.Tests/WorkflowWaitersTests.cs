using Baton.Engine.Storage;

namespace Baton.Engine.Tests;

/// <summary>
/// What the waiters take for "runs still": a workflow started here, confirmed created, with no finish notice since, and only
/// while every notice is heard.
/// </summary>
public sealed class WorkflowWaitersTests
{
    private readonly StoreSignals _signals = new();

    [Fact]
    public void Watch_StartedHereAndConfirmed_Runs()
    {
        var waiters = new WorkflowWaiters(_signals);
        waiters.Starting("wf-1").Confirm();

        using var watch = waiters.Watch("wf-1");

        Assert.True(watch.StartedHereAndRunning);
    }

    [Fact]
    public void Watch_StartingNotYetConfirmedOrDropped_NotKnown()
    {
        var waiters = new WorkflowWaiters(_signals);
        waiters.Starting("wf-1");
        waiters.Starting("wf-2").Drop();

        using var pending = waiters.Watch("wf-1");
        using var dropped = waiters.Watch("wf-2");
        using var other = waiters.Watch("wf-3");

        Assert.False(pending.StartedHereAndRunning);
        Assert.False(dropped.StartedHereAndRunning);
        Assert.False(other.StartedHereAndRunning);
    }

    [Fact]
    public void Watch_FinishNoticeBeforeTheConfirmation_NotKnown()
    {
        // The workflow finished between its creation and the confirmation: the notice removed the mark, and confirming the
        // detached mark changes nothing.
        var waiters = new WorkflowWaiters(_signals);
        var start = waiters.Starting("wf-1");
        _signals.NotifyWorkflowFinished("wf-1");
        start.Confirm();

        using var watch = waiters.Watch("wf-1");

        Assert.False(watch.StartedHereAndRunning);
    }

    [Fact]
    public async Task Watch_FinishNoticeAfterTheWatch_CompletesItWithTheRecord()
    {
        var waiters = new WorkflowWaiters(_signals);
        waiters.Starting("wf-1").Confirm();
        using var watch = waiters.Watch("wf-1");
        var record = new WorkflowRecord
        {
            Id = "wf-1", Name = "Order", State = WorkflowState.Completed, CreatedAt = DateTimeOffset.UnixEpoch, UpdatedAt = DateTimeOffset.UnixEpoch, Version = 3,
        };

        _signals.NotifyWorkflowFinished("wf-1", record);

        Assert.Same(record, await watch.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        using var later = waiters.Watch("wf-1");
        Assert.False(later.StartedHereAndRunning);
    }

    [Fact]
    public void Watch_NoticesMayBeLost_NothingIsKnownToRunAnyMore()
    {
        var waiters = new WorkflowWaiters(_signals);
        waiters.Starting("wf-1").Confirm();

        _signals.NotifyFinishNoticesMayBeLost();

        using var watch = waiters.Watch("wf-1");
        Assert.False(watch.StartedHereAndRunning);
    }
}
