using Baton.Engine.Storage;
using Baton.Testing;

namespace Baton.Engine.Tests;

/// <summary>
/// A finishing step says whether the workflow may still have open tasks: the store looks for tasks to cancel only then, so a
/// workflow whose every task has finished ends without that lookup, and one that leaves a task open still cancels it.
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

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static List<WorkflowStep> Steps(HandoffTests.StoreCounter counter)
    {
        lock (counter.Steps) return [.. counter.Steps];
    }
}
