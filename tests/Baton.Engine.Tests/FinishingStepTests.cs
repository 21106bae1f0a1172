using System.Diagnostics;
using System.Text.Json;
using Baton.Engine.Storage;
using Baton.Testing;

namespace Baton.Engine.Tests;

/// <summary>
/// A finishing step says whether the workflow may still have open tasks or running children: the store looks for them to
/// cancel only then, so a workflow whose every task and child has finished ends without those lookups, and one that leaves a
/// task open or a child running still cancels it. It also
/// carries the record it was computed from, so that the finish notice brings the finished record to those waiting for it.
/// </summary>
public sealed class FinishingStepTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("baton-finish-").FullName;

    [Fact]
    public async Task Finish_EveryTaskDelivered_StepSaysNoOpenTasks()
    {
        var counter = new HandoffTests.StoreCounter();
        await using var host = await TestHosts.StartAsync(more: b => HandoffTests.UseCountingStore(b, _directory, counter));

        var started = await host.Client.StartWorkflowAsync<CalculatorWorkflow>(41);

        Assert.Equal(42, await host.Client.GetResultAsync<int>(started.WorkflowId, TimeSpan.FromSeconds(10)));
        var finishing = Assert.Single(Steps(counter), s => s.State == WorkflowState.Completed);
        Assert.False(finishing.MayHaveOpenTasks);
    }

    [Fact]
    public async Task Finish_TaskStillOpen_StepSaysSoAndTheTaskIsCanceled()
    {
        var counter = new HandoffTests.StoreCounter();
        await using var host = await TestHosts.StartAsync(more: b => HandoffTests.UseCountingStore(b, _directory, counter));
        var started = await host.Client.StartWorkflowAsync<DocumentWorkflow>("doc-late");
        var task = await host.WaitForTaskAsync(started.WorkflowId);

        await host.AdvanceAsync(TimeSpan.FromDays(2));

        Assert.Equal("timeout", await host.Client.GetResultAsync<string>(started.WorkflowId, TimeSpan.FromSeconds(10)));
        var finishing = Assert.Single(Steps(counter), s => s.State == WorkflowState.Completed);
        Assert.True(finishing.MayHaveOpenTasks);
        Assert.Equal(TaskState.Canceled, (await host.Client.GetTaskAsync(task.TaskId)).State);
    }

    [Fact]
    public async Task Finish_EveryChildDelivered_StepSaysNoRunningChildren()
    {
        var counter = new HandoffTests.StoreCounter();
        await using var host = await TestHosts.StartAsync(more: b =>
        {
            HandoffTests.UseCountingStore(b, _directory, counter);
            b.AddWorkflow<ParentWorkflow>();
        });
        var started = await host.Client.StartWorkflowAsync<ParentWorkflow>("contract-f");
        var task = await host.WaitForTaskAsync(started.WorkflowId + "/1");

        await host.Client.CompleteDelegatedTaskAsync("ApprovalService", task.TaskId, new ApprovalResult(true, "signed"));

        Assert.Equal("approved: signed / 3", await host.Client.GetResultAsync<string>(started.WorkflowId, TimeSpan.FromSeconds(10)));
        var finishing = Assert.Single(Steps(counter), s => s.WorkflowId == started.WorkflowId && s.State == WorkflowState.Completed);
        Assert.False(finishing.MayHaveRunningChildren);
        Assert.Equal(WorkflowState.Completed, (await host.Client.GetWorkflowAsync(started.WorkflowId + "/1")).State);
    }

    [Fact]
    public async Task Finish_ChildStillRunning_StepSaysSoAndTheChildAndItsTaskAreCanceled()
    {
        var counter = new HandoffTests.StoreCounter();
        await using var host = await TestHosts.StartAsync(more: b =>
        {
            HandoffTests.UseCountingStore(b, _directory, counter);
            b.AddWorkflow<ImpatientParentWorkflow>();
        });
        var started = await host.Client.StartWorkflowAsync<ImpatientParentWorkflow>("contract-late");
        var childId = started.WorkflowId + "/1";
        var task = await host.WaitForTaskAsync(childId);

        await host.AdvanceAsync(TimeSpan.FromDays(1));

        Assert.Equal("gave up", await host.Client.GetResultAsync<string>(started.WorkflowId, TimeSpan.FromSeconds(10)));
        var finishing = Assert.Single(Steps(counter), s => s.WorkflowId == started.WorkflowId && s.State == WorkflowState.Completed);
        Assert.True(finishing.MayHaveRunningChildren);
        var child = await host.Client.GetWorkflowAsync(childId);
        Assert.Equal(WorkflowState.Canceled, child.State);
        Assert.Equal(("Canceled", "parent workflow finished"), (child.Error?.Type, child.Error?.Message));
        Assert.Equal(TaskState.Canceled, (await host.Client.GetTaskAsync(task.TaskId)).State);
        // The outside party that answers late is told the task is closed; nothing reaches either workflow.
        var late = await Assert.ThrowsAsync<TaskWrongStateException>(() => host.Client.CompleteDelegatedTaskAsync("ApprovalService", task.TaskId, new ApprovalResult(true, "too late")));
        Assert.Equal(TaskState.Canceled, late.State);
    }

    [Fact]
    public async Task Finish_ACallerWaitsForTheResult_TheFinishNoticeAnswersItWithoutReadingTheRecordBack()
    {
        var counter = new HandoffTests.StoreCounter();
        await using var host = await TestHosts.StartAsync(more: b => HandoffTests.UseCountingStore(b, _directory, counter));
        var started = await host.Client.StartWorkflowAsync<ApprovalWorkflow>("doc-waited");
        var task = await host.WaitForTaskAsync(started.WorkflowId);
        var readsBefore = Reads(counter).Count;

        // The wait watches for the finish notice before it first awaits, so before the call returns.
        var clock = Stopwatch.StartNew();
        var waiting = host.Client.WaitForWorkflowAsync(started.WorkflowId, TimeSpan.FromSeconds(30));
        await host.Client.CompleteDelegatedTaskAsync("ApprovalService", task.TaskId, new ApprovalResult(true, "fine"));
        var answer = await waiting;

        Assert.Equal(WorkflowState.Completed, answer.State);
        HandoffTests.SkipWhenTheWaitRecheckedByDesign(clock);
        // Whatever the wait read, it read while the workflow ran (a workflow started here it does not even read then): the
        // finished record came with the notice. Without it, the wait's last read returns the finished workflow.
        Assert.All(Reads(counter).Skip(readsBefore), state => Assert.Equal(WorkflowState.Running, state));
        // And it is the record a read gives now, field for field.
        var read = await host.Client.GetWorkflowAsync(started.WorkflowId);
        Assert.Equal(JsonSerializer.Serialize(read), JsonSerializer.Serialize(answer));
        Assert.Equal("approved: fine", answer.Result?.GetString());
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static List<WorkflowState?> Reads(HandoffTests.StoreCounter counter)
    {
        lock (counter.WorkflowReads) return [.. counter.WorkflowReads];
    }

    private static List<WorkflowStep> Steps(HandoffTests.StoreCounter counter)
    {
        lock (counter.Steps) return [.. counter.Steps];
    }
}

/// <summary>Starts a child that waits for an approval, and gives up on it after a day.</summary>
public sealed class ImpatientParentWorkflow : Workflow<string, string>
{
    protected override async Task<string> RunAsync(string documentId)
    {
        var child = StartChild<ApprovalWorkflow, string, string>(documentId);
        await WhenAny(child, Timer(TimeSpan.FromDays(1)));
        return child.IsCompleted ? await child : "gave up";
    }
}
