using System.Diagnostics;
using System.Reflection;
using Baton.Engine.Hosting;
using Baton.Engine.Storage;
using Baton.Storage.Sqlite;
using Baton.Testing;

namespace Baton.Engine.Tests;

/// <summary>
/// Work created on this node goes straight to it, without a claim through the store: a workflow started through its client to
/// its executor, a task dispatched to a service it runs to its worker.
/// </summary>
public sealed class HandoffTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("baton-handoff-").FullName;

    [Fact]
    public async Task Dispatch_ServiceHostedHere_HandlerRunsWithoutAClaim()
    {
        var claims = new StoreCounter();
        await using var host = await TestHosts.StartAsync(more: b => UseCountingStore(b, claims));

        var started = await host.Client.StartWorkflowAsync<CalculatorWorkflow>(41);

        Assert.Equal(42, await host.Client.GetResultAsync<int>(started.WorkflowId, TimeSpan.FromSeconds(10)));
        Assert.Equal(0, claims.TasksClaimed);
        // The start is handed to the executor (no claim, no history read); only the step after the task completed is claimed.
        Assert.Equal((1, 0), (claims.WorkflowsClaimed, claims.HistoryReads));
        var task = Assert.Single((await host.Client.ListTasksAsync(new TaskQuery { WorkflowId = started.WorkflowId })).Items);
        var audit = (await host.Client.GetTaskAsync(task.TaskId)).Audit;
        Assert.Equal(["Scheduled", "Started", "Completed"], audit.Select(a => a.Kind));
        Assert.Equal(("worker", "attempt 1"), (audit[1].Via, audit[1].Detail));
    }

    [Fact]
    public async Task Dispatch_NoHandlerSlotFree_TheOtherTaskIsClaimedAsUsual()
    {
        var claims = new StoreCounter();
        await using var host = await TestHosts.StartAsync(more: b =>
        {
            UseCountingStore(b, claims);
            b.AddWorkflow<TwoSumsWorkflow>().Configure(o => o.MaxConcurrentHandlers = 1);
        });

        var started = await host.Client.StartWorkflowAsync<TwoSumsWorkflow>(10);

        // Both tasks come from one step and there is one slot: at most one is handed over (none when the worker's own claim
        // pass held the slot at that moment), and the other waits for the slot and is claimed as usual.
        Assert.Equal(23, await host.Client.GetResultAsync<int>(started.WorkflowId, TimeSpan.FromSeconds(10)));
        Assert.InRange(claims.TasksClaimed, 1, 2);
    }

    [Theory]
    [InlineData(10_000, false)]
    [InlineData(0, true)]
    public async Task MaxCachedWorkflows_ZeroKeepsNoInstance_LaterStepsReplayHistoryAndFinishTheSame(int cached, bool replays)
    {
        var counter = new StoreCounter();
        await using var host = await TestHosts.StartAsync(more: b =>
        {
            UseCountingStore(b, counter);
            b.AddWorkflow<TwoSumsWorkflow>().Configure(o => o.MaxCachedWorkflows = cached);
        });

        var started = await host.Client.StartWorkflowAsync<TwoSumsWorkflow>(10);

        // The start is handed over with its event; each later step (one per finished task) finds its instance in the cache,
        // or rebuilds it from the stored history when nothing is cached.
        Assert.Equal(23, await host.Client.GetResultAsync<int>(started.WorkflowId, TimeSpan.FromSeconds(10)));
        Assert.Equal(replays, counter.HistoryReads > 0);
    }

    [Theory]
    [InlineData(10, false)]
    [InlineData(600_000, true)] // about 1.2 MB estimated, over the whole budget
    public async Task MaxCachedWorkflowBytes_AnInstanceOverTheBudgetIsNotKept_ItsNextStepReplaysHistoryAndFinishesTheSame(int inputChars, bool replays)
    {
        var counter = new StoreCounter();
        await using var host = await TestHosts.StartAsync(more: b =>
        {
            UseCountingStore(b, counter);
            b.AddWorkflow<InputLengthWorkflow>().Configure(o => o.MaxCachedWorkflowBytes = 1024 * 1024);
        });

        var started = await host.Client.StartWorkflowAsync<InputLengthWorkflow>(new string('x', inputChars));

        Assert.Equal(inputChars + 1, await host.Client.GetResultAsync<int>(started.WorkflowId, TimeSpan.FromSeconds(10)));
        Assert.Equal(replays, counter.HistoryReads > 0);
    }

    [Fact]
    public async Task Wait_WorkflowStartedHere_NotReadWhileItRunsNorAfter()
    {
        var counter = new StoreCounter();
        await using var host = await TestHosts.StartAsync(more: b => UseCountingStore(b, counter));
        var (workflowId, task) = await host.StartApprovalAsync();
        var readsBefore = WorkflowReads(counter);

        var clock = Stopwatch.StartNew();
        var waiting = host.Client.WaitForWorkflowAsync(workflowId, TimeSpan.FromSeconds(30));
        await host.Client.CompleteDelegatedTaskAsync("ApprovalService", task.TaskId, new ApprovalResult(true, "fine"));
        var answer = await waiting;

        // Started here and no finish notice yet: it runs, so the wait does not read it; the notice brings the finished record.
        Assert.Equal(WorkflowState.Completed, answer.State);
        SkipWhenTheWaitRecheckedByDesign(clock);
        Assert.Equal(readsBefore, WorkflowReads(counter));
    }

    [Fact]
    public async Task Complete_DelegatedTaskCreatedHere_ResultCheckedWithoutReadingTheTask()
    {
        var counter = new StoreCounter();
        await using var host = await TestHosts.StartAsync(more: b => UseCountingStore(b, counter));
        var (workflowId, task) = await host.StartApprovalAsync();
        var readsBefore = counter.TaskReads;

        var answer = await host.Client.CompleteDelegatedTaskAsync("ApprovalService", task.TaskId, new ApprovalResult(true, "fine"));

        Assert.Equal((TaskState.Completed, false), (answer.State, answer.AlreadyCompleted));
        Assert.Equal(readsBefore, counter.TaskReads);
        Assert.Equal("approved: fine", await host.Client.GetResultAsync<string>(workflowId, TimeSpan.FromSeconds(10)));
        // Decided: a repeat takes the usual path, and gets the usual answer.
        var again = await host.Client.CompleteDelegatedTaskAsync("ApprovalService", task.TaskId, new ApprovalResult(true, "fine"));
        Assert.True(again.AlreadyCompleted);
        Assert.Equal(readsBefore + 1, counter.TaskReads);
    }

    [Theory]
    [InlineData("fail", typeof(TaskOutcomeConflictException))]
    [InlineData("timeout", typeof(TaskWrongStateException))]
    public async Task Complete_DelegatedTaskCreatedHereThatFailedOrTimedOutThroughTheApi_ItsFactsAreForgotten(string how, Type refusal)
    {
        var counter = new StoreCounter();
        await using var host = await TestHosts.StartAsync(more: b => UseCountingStore(b, counter));
        var (_, task) = await host.StartApprovalAsync();
        if (how == "fail") await host.Client.FailDelegatedTaskAsync("ApprovalService", task.TaskId, new TaskError("Declined", "no"));
        else await host.Client.TimeoutTaskAsync(task.TaskId);
        var readsBefore = counter.TaskReads;

        // Decided: the node no longer keeps the task's facts, so a late completion takes the usual path (one read of the
        // task) and gets the usual answer.
        var late = await Assert.ThrowsAnyAsync<BatonException>(() =>
            host.Client.CompleteDelegatedTaskAsync("ApprovalService", task.TaskId, new ApprovalResult(true, "late")));

        Assert.IsType(refusal, late);
        Assert.Equal(readsBefore + 1, counter.TaskReads);
    }

    [Fact]
    public async Task Complete_DelegatedTaskCreatedHereWithAWrongResult_ReadsTheTaskAndRejectsTheResult()
    {
        var counter = new StoreCounter();
        await using var host = await TestHosts.StartAsync(more: b => UseCountingStore(b, counter));
        var (_, task) = await host.StartApprovalAsync();
        var wrong = System.Text.Json.JsonDocument.Parse("""{"approved":"yes"}""").RootElement;

        var invalid = await Assert.ThrowsAsync<PayloadValidationException>(() => host.Client.CompleteDelegatedTaskAsync("ApprovalService", task.TaskId, wrong));

        Assert.Equal(BatonErrorCodes.ResultInvalid, invalid.ErrorCode);
        Assert.Equal(TaskState.Delegated, (await host.Client.GetTaskAsync(task.TaskId)).State);
    }

    [Fact]
    public async Task Complete_DelegatedTaskCreatedHereThatTimedOut_AnyResultGetsTheTimedOutState()
    {
        await using var host = await TestHosts.StartAsync(more: b => UseCountingStore(b, new StoreCounter()));
        var (_, task) = await host.StartApprovalAsync();
        await host.Client.TimeoutTaskAsync(task.TaskId);
        var wrong = System.Text.Json.JsonDocument.Parse("""{"approved":"yes"}""").RootElement;

        // A closed task answers with its state, whether the result would have passed or not (never "result invalid").
        var withWrong = await Assert.ThrowsAsync<TaskWrongStateException>(() => host.Client.CompleteDelegatedTaskAsync("ApprovalService", task.TaskId, wrong));
        var withRight = await Assert.ThrowsAsync<TaskWrongStateException>(() =>
            host.Client.CompleteDelegatedTaskAsync("ApprovalService", task.TaskId, new ApprovalResult(true, "late")));

        Assert.Equal((TaskState.TimedOut, TaskState.TimedOut), (withWrong.State, withRight.State));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private void UseCountingStore(BatonBuilder builder, StoreCounter claims) => UseCountingStore(builder, _directory, claims);

    private static int WorkflowReads(StoreCounter counter)
    {
        lock (counter.WorkflowReads) return counter.WorkflowReads.Count;
    }

    /// <summary>
    /// A wait re-reads the workflow once a second of real time in case another node finished it; a finish slower than that (a
    /// loaded machine) makes reads that the design allows, so a test that counts reads cannot judge that run.
    /// </summary>
    internal static void SkipWhenTheWaitRecheckedByDesign(Stopwatch clock) =>
        Assert.SkipWhen(clock.Elapsed >= TimeSpan.FromSeconds(1), $"the finish took {clock.Elapsed.TotalMilliseconds:F0} ms, past the wait's 1 s re-check");

    /// <summary>A SQLite store in <paramref name="directory"/>, wrapped in a <see cref="CountingStore"/>.</summary>
    internal static void UseCountingStore(BatonBuilder builder, string directory, StoreCounter claims)
    {
        builder.UseStore(context => CountingStore.Wrap(SqliteStoreIn(directory, context), claims));
    }

    /// <summary>A real SQLite store on a file in <paramref name="directory"/>, for a test to wrap.</summary>
    internal static SqliteStore SqliteStoreIn(string directory, StoreContext context) =>
        new(new SqliteStoreOptions { ConnectionString = $"Data Source={Path.Combine(directory, "baton.db")}" }, context.Signals, context.Time);

    public sealed class TwoSumsWorkflow : Workflow<int, int>
    {
        protected override async Task<int> RunAsync(int input)
        {
            var first = Dispatch((ICalculatorService s) => s.AddAsync(input, 1));
            var second = Dispatch((ICalculatorService s) => s.AddAsync(input, 2));
            return await first + await second;
        }
    }

    public sealed class InputLengthWorkflow : Workflow<string, int>
    {
        protected override async Task<int> RunAsync(string input) => await Dispatch((ICalculatorService s) => s.AddAsync(input.Length, 1));
    }

    public sealed class StoreCounter
    {
        private int _tasks;
        private int _workflows;
        private int _historyReads;
        private int _timerFirings;
        private int _timerReads;

        public int TasksClaimed => Volatile.Read(ref _tasks);

        public int WorkflowsClaimed => Volatile.Read(ref _workflows);

        public int HistoryReads => Volatile.Read(ref _historyReads);

        /// <summary>Calls of <see cref="ITimerStore.FireDueTimersAsync"/>, each a write transaction.</summary>
        public int TimerFirings => Volatile.Read(ref _timerFirings);

        /// <summary>Calls of <see cref="ITimerStore.GetNextTimerDueAsync"/>: one per wake-up of the timer loop.</summary>
        public int TimerReads => Volatile.Read(ref _timerReads);

        public void Tasks(int count) => Interlocked.Add(ref _tasks, count);

        public void Workflows(int count) => Interlocked.Add(ref _workflows, count);

        public void HistoryRead() => Interlocked.Increment(ref _historyReads);

        public void TimerFiring() => Interlocked.Increment(ref _timerFirings);

        public void TimerRead() => Interlocked.Increment(ref _timerReads);

        /// <summary>The state of every workflow that <see cref="IWorkflowStore.GetWorkflowAsync"/> returned, in order (null: not found).</summary>
        public List<WorkflowState?> WorkflowReads { get; } = [];

        public void WorkflowRead(WorkflowRecord? found)
        {
            lock (WorkflowReads) WorkflowReads.Add(found?.State);
        }

        private int _taskReads;

        /// <summary>Calls of <see cref="ITaskStore.GetTaskAsync"/>.</summary>
        public int TaskReads => Volatile.Read(ref _taskReads);

        public void TaskRead() => Interlocked.Increment(ref _taskReads);

        /// <summary>Every step passed to <see cref="IWorkflowQueue.CommitStepsAsync"/>, in order.</summary>
        public List<WorkflowStep> Steps { get; } = [];

        public void Committing(IReadOnlyList<WorkflowStep> steps)
        {
            lock (Steps) Steps.AddRange(steps);
        }
    }

    /// <summary>The real store, counting what its claims hand out, its history reads and the timer loop's calls.</summary>
    public class CountingStore : DispatchProxy
    {
        private IBatonStore _inner = null!;
        private StoreCounter _counter = null!;

        public static IBatonStore Wrap(IBatonStore inner, StoreCounter counter)
        {
            var proxy = Create<IBatonStore, CountingStore>();
            var self = (CountingStore)(object)proxy;
            (self._inner, self._counter) = (inner, counter);
            return proxy;
        }

        /// <summary>Calls <paramref name="method"/> on the real store, throwing what it throws rather than a wrapper.</summary>
        internal static object? Forward(IBatonStore inner, MethodInfo method, object?[]? args)
        {
            try
            {
                return method.Invoke(inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is { } thrown)
            {
                throw thrown;
            }
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            var result = Forward(_inner, targetMethod, args);
            if (targetMethod.Name == nameof(IBatonStore.GetHistoryAsync)) _counter.HistoryRead();
            if (targetMethod.Name == nameof(IBatonStore.GetTaskAsync)) _counter.TaskRead();
            if (targetMethod.Name == nameof(IBatonStore.FireDueTimersAsync)) _counter.TimerFiring();
            if (targetMethod.Name == nameof(IBatonStore.GetNextTimerDueAsync)) _counter.TimerRead();
            if (targetMethod.Name == nameof(IBatonStore.CommitStepsAsync)) _counter.Committing((IReadOnlyList<WorkflowStep>)args![0]!);
            return result switch
            {
                Task<TaskClaimBatch> claim => CountAsync(claim, b => _counter.Tasks(b.Tasks.Count)),
                Task<IReadOnlyList<WorkflowClaim>> claims => CountAsync(claims, c => _counter.Workflows(c.Count)),
                Task<WorkflowRecord?> read when targetMethod.Name == nameof(IBatonStore.GetWorkflowAsync) => CountAsync(read, _counter.WorkflowRead),
                _ => result,
            };
        }

        private static async Task<T> CountAsync<T>(Task<T> call, Action<T> count)
        {
            var value = await call;
            count(value);
            return value;
        }
    }
}
