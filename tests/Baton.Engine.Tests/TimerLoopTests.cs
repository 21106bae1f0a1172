namespace Baton.Engine.Tests;

/// <summary>
/// The timer loop takes the store's writer only when a timer is due: firing is a transaction on the writer, which a busy
/// node paid for every finishing workflow when each finish woke the loop.
/// </summary>
public sealed class TimerLoopTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("baton-timers-").FullName;

    [Fact]
    public async Task WorkflowsFinish_NoTimerAnywhere_NothingIsFired()
    {
        var counter = new HandoffTests.StoreCounter();
        await using var host = await TestHosts.StartAsync(more: b => HandoffTests.UseCountingStore(b, _directory, counter));

        for (var i = 0; i < 10; i++)
        {
            var started = await host.Client.StartWorkflowAsync<CalculatorWorkflow>(i);
            Assert.Equal(i + 1, await host.Client.GetResultAsync<int>(started.WorkflowId, TimeSpan.FromSeconds(10)));
        }

        // The loop woke at start-up (and would have at each finish, before): each time a read found nothing due.
        Assert.Equal(0, counter.TimerFirings);
    }

    [Fact]
    public async Task WorkflowsFinish_DeletingTheirTimersOnly_TheTimerLoopIsNotWoken()
    {
        var counter = new HandoffTests.StoreCounter();
        // No safety poll during the test: only the store's wake-ups move the loop.
        await using var host = await TestHosts.StartAsync(more: b =>
        {
            HandoffTests.UseCountingStore(b, _directory, counter);
            b.Configure(o => o.IdlePollInterval = TimeSpan.FromHours(1));
        });
        var first = await host.Client.StartWorkflowAsync<CalculatorWorkflow>(0);
        await host.Client.GetResultAsync<int>(first.WorkflowId, TimeSpan.FromSeconds(10));
        var readsBefore = counter.TimerReads;

        for (var i = 1; i <= 10; i++)
        {
            var started = await host.Client.StartWorkflowAsync<CalculatorWorkflow>(i);
            Assert.Equal(i + 1, await host.Client.GetResultAsync<int>(started.WorkflowId, TimeSpan.FromSeconds(10)));
        }

        // A finishing workflow only deletes timers: nothing can become due earlier, so nothing wakes the loop (at most the
        // start-up wake-up, on a slow machine, lands after the first workflow; before, each of the ten finishes woke it).
        Assert.InRange(counter.TimerReads - readsBefore, 0, 1);
    }

    [Fact]
    public async Task TimerDueLater_FiredOnlyOnceDue()
    {
        var counter = new HandoffTests.StoreCounter();
        await using var host = await TestHosts.StartAsync(more: b => HandoffTests.UseCountingStore(b, _directory, counter));
        var started = await host.Client.StartWorkflowAsync<DocumentWorkflow>("doc-timer");
        await host.WaitForTaskAsync(started.WorkflowId);

        // The new timer woke the loop, which read its due time and went back to waiting.
        await host.AdvanceAsync(TimeSpan.FromDays(1));
        Assert.Equal(WorkflowState.Running, (await host.Client.GetWorkflowAsync(started.WorkflowId)).State);
        Assert.Equal(0, counter.TimerFirings);

        await host.AdvanceAsync(TimeSpan.FromDays(1));

        Assert.Equal("timeout", await host.Client.GetResultAsync<string>(started.WorkflowId, TimeSpan.FromSeconds(10)));
        Assert.Equal(1, counter.TimerFirings);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
