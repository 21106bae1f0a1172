using System.Linq.Expressions;

namespace Baton;

/// <summary>
/// Base of every workflow. Workflow code must be deterministic: it is replayed from its history, so it uses
/// <see cref="Now"/>, <see cref="NewGuid"/> and <see cref="Random"/> instead of their usual twins, waits only on
/// what it dispatched (<see cref="Deferred"/>s), and never uses <c>Task.Run</c>, <c>Task.Delay</c> or
/// <c>ConfigureAwait(false)</c>.
/// </summary>
public abstract class Workflow
{
    private IWorkflowContext? _context;

    private protected Workflow()
    {
    }

    internal abstract Type InputType { get; }

    internal abstract Type ResultType { get; }

    /// <summary>This instance's id.</summary>
    protected string WorkflowId => Context.WorkflowId;

    /// <summary>The current time, as recorded in history: the same value on every replay.</summary>
    protected DateTimeOffset Now => Context.Now;

    /// <summary>A random source seeded from the workflow id: the same sequence on every replay.</summary>
    protected Random Random => Context.Random;

    /// <summary>Whether the code is re-running history (for example to skip logging).</summary>
    protected bool IsReplaying => Context.IsReplaying;

    private IWorkflowContext Context =>
        _context ?? throw new InvalidOperationException("Workflow APIs can only be used while the engine runs the workflow.");

    /// <summary>A GUID derived from the workflow id and a counter: the same value on every replay.</summary>
    protected Guid NewGuid() => Context.NewGuid();

    /// <summary>Dispatches a task: a call of a method of service <typeparamref name="TService"/>.</summary>
    /// <example><code>var approval = Dispatch((IApprovalService s) =&gt; s.RequestApprovalAsync(documentId, "manager@example.com"));</code></example>
    protected Deferred<TResult> Dispatch<TService, TResult>(Expression<Func<TService, Task<TResult>>> call, DispatchOptions? options = null)
    {
        Context.EnsureOnWorkflowThread(nameof(Dispatch));
        return Context.ScheduleTask<TResult>(TaskCallParser.Parse<TService>(call), options);
    }

    /// <summary>Dispatches a task whose method returns no result.</summary>
    protected Deferred Dispatch<TService>(Expression<Func<TService, Task>> call, DispatchOptions? options = null)
    {
        Context.EnsureOnWorkflowThread(nameof(Dispatch));
        return Context.ScheduleTask<object?>(TaskCallParser.Parse<TService>(call), options);
    }

    /// <summary>
    /// Hands a task to a person (StartTask): it appears in the inbox of <see cref="UserTaskRequest.User"/> and the holders of
    /// <see cref="UserTaskRequest.Roles"/>, and the workflow gets the data they submit, validated as <typeparamref name="TData"/>,
    /// or <see cref="UserTaskOutcome.TimedOut"/> to escalate.
    /// </summary>
    /// <example><code>
    /// var review = await UserTask&lt;Decision&gt;(new UserTaskRequest { Name = "Approve", Action = "Approve", Roles = ["manager"], Input = report, Timeout = TimeSpan.FromDays(2) });
    /// if (review.IsTimedOut) { /* escalate */ }
    /// </code></example>
    protected Deferred<UserTaskResult<TData>> UserTask<TData>(UserTaskRequest request)
    {
        Context.EnsureOnWorkflowThread(nameof(UserTask));
        ArgumentNullException.ThrowIfNull(request);
        return Context.ScheduleUserTask<TData>(request);
    }

    /// <summary>A durable timer that fires after <paramref name="delay"/>.</summary>
    protected Deferred Timer(TimeSpan delay)
    {
        Context.EnsureOnWorkflowThread(nameof(Timer));
        if (delay < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(delay), "A timer delay cannot be negative.");
        return Context.StartTimer(Context.Now + delay, $"Timer({delay})");
    }

    /// <summary>A durable timer that fires at <paramref name="dueAt"/> (at once if that is in the past).</summary>
    protected Deferred Timer(DateTimeOffset dueAt)
    {
        Context.EnsureOnWorkflowThread(nameof(Timer));
        return Context.StartTimer(dueAt, $"Timer({dueAt:O})");
    }

    /// <summary>Starts a child workflow and returns its eventual result.</summary>
    protected Deferred<TChildResult> StartChild<TChild, TChildInput, TChildResult>(TChildInput input, ChildWorkflowOptions? options = null)
        where TChild : Workflow<TChildInput, TChildResult>
    {
        Context.EnsureOnWorkflowThread(nameof(StartChild));
        return Context.StartChild<TChildResult>(typeof(TChild), input, options);
    }

    /// <summary>Waits until one of <paramref name="deferreds"/> has an outcome and returns it (argument order breaks ties).</summary>
    protected Task<Deferred> WhenAny(params Deferred[] deferreds)
    {
        Context.EnsureOnWorkflowThread(nameof(WhenAny));
        return Deferred.WhenAny(deferreds);
    }

    /// <summary>Waits until all of <paramref name="deferreds"/> have an outcome; throws the first failure in argument order.</summary>
    protected Task WhenAll(params Deferred[] deferreds)
    {
        Context.EnsureOnWorkflowThread(nameof(WhenAll));
        return Deferred.WhenAll(deferreds);
    }

    /// <summary>Waits for all results, in argument order; throws the first failure in argument order.</summary>
    protected async Task<T[]> WhenAll<T>(params Deferred<T>[] deferreds)
    {
        await WhenAll((Deferred[])deferreds);
        return deferreds.Select(d => d.AsTask().Result).ToArray();
    }

    internal void Attach(IWorkflowContext context) => _context = context;

    internal abstract Task<object?> RunUntypedAsync(object? input);
}

/// <summary>A workflow that takes <typeparamref name="TInput"/> and returns <typeparamref name="TResult"/>.</summary>
public abstract class Workflow<TInput, TResult> : Workflow
{
    internal override Type InputType => typeof(TInput);

    internal override Type ResultType => typeof(TResult);

    /// <summary>The workflow's logic. Replayed from history, so it must be deterministic.</summary>
    protected abstract Task<TResult> RunAsync(TInput input);

    internal override async Task<object?> RunUntypedAsync(object? input) => await RunAsync((TInput)input!);
}
