using System.Diagnostics;
using System.Reflection;
using Baton.Engine.Storage;
using Baton.Engine.Timers;
using Baton.Testing;

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
        // start-up's two looks, the first read and the one its own wake-up asks for, land after the first workflow on a slow
        // machine; before, each of the ten finishes woke it).
        Assert.InRange(counter.TimerReads - readsBefore, 0, 2);
    }

    [Fact]
    public async Task TimerDueLater_FiredOnlyOnceDue()
    {
        var counter = new HandoffTests.StoreCounter();
        await using var host = await TestHosts.StartAsync(more: b => HandoffTests.UseCountingStore(b, _directory, counter));
        var started = await host.Client.StartWorkflowAsync<DocumentWorkflow>("doc-timer");
        await host.WaitForTaskAsync(started.WorkflowId);

        // The new timer woke the loop, which read its due time and went back to waiting. A loop that fired early would
        // have done so within this pause.
        await host.AdvanceAsync(TimeSpan.FromDays(1));
        await Task.Delay(TimeSpan.FromMilliseconds(200), TestContext.Current.CancellationToken);
        Assert.Equal(WorkflowState.Running, (await host.Client.GetWorkflowAsync(started.WorkflowId)).State);
        Assert.Equal(0, counter.TimerFirings);

        await host.AdvanceAsync(TimeSpan.FromDays(1));

        Assert.Equal("timeout", await host.Client.GetResultAsync<string>(started.WorkflowId, TimeSpan.FromSeconds(10)));
        Assert.Equal(1, counter.TimerFirings);
    }

    [Fact]
    public async Task TimersDueButHeldByAnotherNode_TheLoopLooksAgainShortlyInsteadOfSpinning()
    {
        var firings = 0;
        await using var host = await TestHosts.StartAsync(more: b => b.UseStore(context =>
            HeldTimersStore.Wrap(HandoffTests.SqliteStoreIn(_directory, context), () => Interlocked.Increment(ref firings))));

        // The store says a timer is due and fires none, as PostgreSQL does while another node's firing holds the rows. The loop
        // looks again...
        await BatonTestHost.WaitUntilAsync(() => Task.FromResult(Volatile.Read(ref firings) >= 2 ? "" : null), what: "a second look");
        var before = Volatile.Read(ref firings);
        var window = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken);
        var looks = Volatile.Read(ref firings) - before;

        // ...once per pause (about ten in the window); without the pause, thousands. The bound follows the window's real length,
        // which a loaded machine can stretch.
        Assert.InRange(looks, 0, 4 + (2 * (int)(window.Elapsed / TimerLoop.HeldByAnotherNodeRetry)));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>The real store, except that a timer is always due and none can be fired.</summary>
    public class HeldTimersStore : DispatchProxy
    {
        private IBatonStore _inner = null!;
        private Action _fired = null!;

        public static IBatonStore Wrap(IBatonStore inner, Action fired)
        {
            var proxy = Create<IBatonStore, HeldTimersStore>();
            var self = (HeldTimersStore)(object)proxy;
            (self._inner, self._fired) = (inner, fired);
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            switch (targetMethod!.Name)
            {
                case nameof(IBatonStore.GetNextTimerDueAsync):
                    return Task.FromResult<DateTimeOffset?>(DateTimeOffset.UnixEpoch);
                case nameof(IBatonStore.FireDueTimersAsync):
                    _fired();
                    return Task.FromResult(new TimerFireResult(0, DateTimeOffset.UnixEpoch));
                default:
                    return HandoffTests.CountingStore.Forward(_inner, targetMethod, args);
            }
        }
    }
}
