using System.Runtime.CompilerServices;

namespace Baton;

/// <summary>The outcome of a task, timer or child workflow, as seen from workflow code.</summary>
public enum DeferredStatus
{
    /// <summary>No outcome yet.</summary>
    Pending,

    /// <summary>Finished with a result (a timer: fired).</summary>
    Succeeded,

    /// <summary>Failed, timed out or was canceled: awaiting it throws.</summary>
    Faulted,
}

/// <summary>
/// Something a workflow dispatched and may wait for: a task, a timer or a child workflow. Awaiting it yields its
/// result or throws its typed exception (<see cref="TaskFailedException"/>, <see cref="TaskTimedOutException"/>,
/// <see cref="BatonTaskCanceledException"/>, <see cref="ChildWorkflowFailedException"/>).
/// </summary>
public abstract class Deferred
{
    private List<Action>? _onResolved;

    private protected Deferred(string description) => Description = description;

    /// <summary>What was dispatched, for messages (e.g. <c>ApprovalService.RequestApprovalAsync</c> or <c>Timer(7.00:00:00)</c>).</summary>
    public string Description { get; }

    /// <summary>Whether it has an outcome yet.</summary>
    public DeferredStatus Status { get; private set; }

    /// <summary>Whether it has an outcome (a result or a failure). Await it to get which.</summary>
    public bool IsCompleted => Status != DeferredStatus.Pending;

    /// <summary>Whether it finished with a result.</summary>
    public bool IsSucceeded => Status == DeferredStatus.Succeeded;

    /// <summary>Whether it failed, timed out or was canceled.</summary>
    public bool IsFaulted => Status == DeferredStatus.Faulted;

    /// <summary>Waits for this or <paramref name="other"/>, whichever has an outcome first.</summary>
    public Task<Deferred> Or(Deferred other) => WhenAny([this, other]);

    /// <summary>Waits for the outcome without reading it.</summary>
    public TaskAwaiter GetAwaiter() => ((Task)UntypedTask).GetAwaiter();

    private protected abstract Task UntypedTask { get; }

    internal void Resolve(object? value)
    {
        if (Status != DeferredStatus.Pending) return;
        SetResult(value);
        Status = DeferredStatus.Succeeded;
        RaiseResolved();
    }

    internal void Reject(Exception exception)
    {
        if (Status != DeferredStatus.Pending) return;
        SetException(exception);
        Status = DeferredStatus.Faulted;
        RaiseResolved();
    }

    private protected abstract void SetResult(object? value);

    private protected abstract void SetException(Exception exception);

    private void RaiseResolved()
    {
        var callbacks = _onResolved;
        _onResolved = null;
        if (callbacks is null) return;
        foreach (var callback in callbacks) callback();
    }

    private void OnResolved(Action callback) => (_onResolved ??= []).Add(callback);

    /// <summary>The first of <paramref name="deferreds"/> to have an outcome (argument order breaks ties). Deterministic on replay.</summary>
    internal static Task<Deferred> WhenAny(IReadOnlyList<Deferred> deferreds)
    {
        if (deferreds.Count == 0) throw new ArgumentException("WhenAny needs at least one deferred.", nameof(deferreds));
        foreach (var d in deferreds)
            if (d.IsCompleted) return Task.FromResult(d);
        var tcs = new TaskCompletionSource<Deferred>(TaskCreationOptions.RunContinuationsAsynchronously);
        foreach (var d in deferreds) d.OnResolved(() => tcs.TrySetResult(d));
        return tcs.Task;
    }

    /// <summary>Completes when every deferred has an outcome; faults with the first failure in argument order.</summary>
    internal static Task WhenAll(IReadOnlyList<Deferred> deferreds)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var remaining = deferreds.Count;
        void Check()
        {
            if (deferreds.Any(d => !d.IsCompleted)) return;
            var failed = deferreds.FirstOrDefault(d => d.IsFaulted);
            if (failed is null) tcs.TrySetResult();
            else tcs.TrySetException(failed.UntypedTask.Exception!.InnerExceptions);
        }
        if (remaining == 0) return Task.CompletedTask;
        foreach (var d in deferreds)
            if (!d.IsCompleted) d.OnResolved(Check);
        Check();
        return tcs.Task;
    }
}

/// <summary>A <see cref="Deferred"/> with a typed result.</summary>
public sealed class Deferred<T> : Deferred
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal Deferred(string description) : base(description)
    {
    }

    /// <summary>Waits for the outcome: the result, or the typed exception.</summary>
    public new TaskAwaiter<T> GetAwaiter() => _completion.Task.GetAwaiter();

    /// <summary>The outcome as a task, for composition with <c>Task.WhenAll</c> inside workflow code.</summary>
    public Task<T> AsTask() => _completion.Task;

    private protected override Task UntypedTask => _completion.Task;

    private protected override void SetResult(object? value) => _completion.TrySetResult((T)value!);

    private protected override void SetException(Exception exception) => _completion.TrySetException(exception);
}
