using System.Reflection;
using Baton.Engine.Hosting;
using Baton.Engine.Storage;
using Baton.Storage.Sqlite;
using Baton.Testing;

namespace Baton.Engine.Tests;

/// <summary>A task dispatched to a service this node runs is handed to its worker by the step, without a claim through the store.</summary>
public sealed class TaskHandoffTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("baton-handoff-").FullName;

    [Fact]
    public async Task Dispatch_ServiceHostedHere_HandlerRunsWithoutAClaim()
    {
        var claims = new ClaimCounter();
        await using var host = await TestHosts.StartAsync(more: b => UseCountingStore(b, claims));

        var started = await host.Client.StartWorkflowAsync<CalculatorWorkflow>(41);

        Assert.Equal(42, await host.Client.GetResultAsync<int>(started.WorkflowId, TimeSpan.FromSeconds(10)));
        Assert.Equal(0, claims.TasksClaimed);
        var task = Assert.Single((await host.Client.ListTasksAsync(new TaskQuery { WorkflowId = started.WorkflowId })).Items);
        var audit = (await host.Client.GetTaskAsync(task.TaskId)).Audit;
        Assert.Equal(["Scheduled", "Started", "Completed"], audit.Select(a => a.Kind));
        Assert.Equal(("worker", "attempt 1"), (audit[1].Via, audit[1].Detail));
    }

    [Fact]
    public async Task Dispatch_NoHandlerSlotFree_TheOtherTaskIsClaimedAsUsual()
    {
        var claims = new ClaimCounter();
        await using var host = await TestHosts.StartAsync(more: b =>
        {
            UseCountingStore(b, claims);
            b.AddWorkflow<TwoSumsWorkflow>().Configure(o => o.MaxConcurrentHandlers = 1);
        });

        var started = await host.Client.StartWorkflowAsync<TwoSumsWorkflow>(10);

        // Both tasks come from one step; one slot: one is handed over, the other waits for the slot and is claimed.
        Assert.Equal(23, await host.Client.GetResultAsync<int>(started.WorkflowId, TimeSpan.FromSeconds(10)));
        Assert.Equal(1, claims.TasksClaimed);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private void UseCountingStore(BatonBuilder builder, ClaimCounter claims)
    {
        var options = new SqliteStoreOptions { ConnectionString = $"Data Source={Path.Combine(_directory, "baton.db")}" };
        builder.UseStore(context => ClaimCountingStore.Wrap(new SqliteStore(options, context.Signals, context.Time), claims));
    }

    public sealed class TwoSumsWorkflow : Workflow<int, int>
    {
        protected override async Task<int> RunAsync(int input)
        {
            var first = Dispatch((ICalculatorService s) => s.AddAsync(input, 1));
            var second = Dispatch((ICalculatorService s) => s.AddAsync(input, 2));
            return await first + await second;
        }
    }

    public sealed class ClaimCounter
    {
        private int _tasks;

        public int TasksClaimed => Volatile.Read(ref _tasks);

        public void Add(int count) => Interlocked.Add(ref _tasks, count);
    }

    /// <summary>The real store, counting the tasks its claims hand out.</summary>
    public class ClaimCountingStore : DispatchProxy
    {
        private IBatonStore _inner = null!;
        private ClaimCounter _claims = null!;

        public static IBatonStore Wrap(IBatonStore inner, ClaimCounter claims)
        {
            var proxy = Create<IBatonStore, ClaimCountingStore>();
            var self = (ClaimCountingStore)(object)proxy;
            (self._inner, self._claims) = (inner, claims);
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            object? result;
            try
            {
                result = targetMethod!.Invoke(_inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is { } inner)
            {
                throw inner;
            }
            return result is Task<TaskClaimBatch> claim ? CountAsync(claim) : result;
        }

        private async Task<TaskClaimBatch> CountAsync(Task<TaskClaimBatch> claim)
        {
            var batch = await claim;
            _claims.Add(batch.Tasks.Count);
            return batch;
        }
    }
}
