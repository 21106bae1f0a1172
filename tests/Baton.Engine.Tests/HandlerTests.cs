using Baton.Testing;

namespace Baton.Engine.Tests;

/// <summary>Handlers that throw are retried by policy; the task id stays the same.</summary>
public sealed class HandlerTests
{
    [Fact]
    public async Task Handler_ThrowsTwice_RetriedWithBackoffThenCompletes()
    {
        var system = new ExternalSystem { ThrowTimes = 2 };
        await using var host = await TestHosts.StartAsync(system);
        var started = await host.Client.StartWorkflowAsync<CalculatorWorkflow>(41);
        var task = await host.WaitForTaskAsync(started.WorkflowId, TaskState.Scheduled);

        await WaitForFailuresAsync(host, task.TaskId, 1);
        await host.AdvanceAsync(TimeSpan.FromSeconds(1));
        await WaitForFailuresAsync(host, task.TaskId, 2);
        await host.AdvanceAsync(TimeSpan.FromSeconds(2));

        Assert.Equal(42, await host.Client.GetResultAsync<int>(started.WorkflowId, TimeSpan.FromSeconds(10)));
        Assert.Equal([1, 2, 3], system.Attempts);
        Assert.Equal(task.TaskId, (await host.Client.GetTaskAsync(task.TaskId)).TaskId);
    }

    [Fact]
    public async Task Handler_ThrowsNonRetryable_TaskFailsAtOnce()
    {
        var system = new ExternalSystem { ThrowTimes = 1, ThrowWith = new ArgumentException("bad numbers") };
        await using var host = await TestHosts.StartAsync(system);
        var started = await host.Client.StartWorkflowAsync<CalculatorWorkflow>(1);

        var info = await host.WaitForFinishAsync(started.WorkflowId);

        Assert.Equal(WorkflowState.Failed, info.State);
        Assert.Equal(nameof(TaskFailedException), info.Error!.Type);
        Assert.Contains("bad numbers", info.Error.Message, StringComparison.Ordinal);
        Assert.Equal([1], system.Attempts);
    }

    [Fact]
    public async Task Handler_ExhaustsAttempts_TaskFailsAndWorkflowSeesIt()
    {
        var system = new ExternalSystem { ThrowTimes = 10 };
        await using var host = await TestHosts.StartAsync(system);
        var started = await host.Client.StartWorkflowAsync<CalculatorWorkflow>(1);
        var task = await host.WaitForTaskAsync(started.WorkflowId, TaskState.Scheduled);

        for (var failures = 1; failures < 3; failures++)
        {
            await WaitForFailuresAsync(host, task.TaskId, failures);
            await host.AdvanceAsync(TimeSpan.FromSeconds(5));
        }

        var info = await host.WaitForFinishAsync(started.WorkflowId);
        Assert.Equal(WorkflowState.Failed, info.State);
        Assert.Equal(3, system.Attempts.Count);
        Assert.Equal(TaskState.Failed, (await host.Client.GetTaskAsync(task.TaskId)).State);
    }

    private static Task<TaskDetails> WaitForFailuresAsync(BatonTestHost host, string taskId, int count) =>
        BatonTestHost.WaitUntilAsync(async () =>
        {
            var details = await host.Client.GetTaskAsync(taskId);
            return details.Audit.Count(a => a.Kind == "HandlerFailed") >= count ? details : null;
        }, what: $"{count} handler failures");
}
