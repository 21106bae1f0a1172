namespace Baton.Engine.Storage;

/// <summary>
/// Wake-ups from the store to the engine's loops after a commit makes work available, so that idle loops wait
/// instead of polling hard. Signals are hints: loops still poll slowly, and correctness never depends on a signal.
/// </summary>
public sealed class StoreSignals
{
    private readonly WakeSignal _workflows = new();
    private readonly WakeSignal _tasks = new();
    private readonly WakeSignal _timers = new();

    /// <summary>
    /// Raised when a workflow finishes (completed, failed or canceled), with its id and, when the store had it at hand, its
    /// record as the finish left it (else null: read it from the store).
    /// </summary>
    public event Action<string, WorkflowRecord?>? WorkflowFinished;

    /// <summary>
    /// Raised when finish notices may have been lost (a store's listener for other nodes reconnected): whoever keeps state
    /// that a finish notice would have changed must not trust it any more.
    /// </summary>
    public event Action? FinishNoticesMayBeLost;

    /// <summary>Some workflow instance needs a step.</summary>
    public void NotifyWorkflowsReady() => _workflows.Set();

    /// <summary>Some task may be claimable.</summary>
    public void NotifyTasksReady() => _tasks.Set();

    /// <summary>A timer was added that may be due earlier than the timer loop thinks.</summary>
    public void NotifyTimersChanged() => _timers.Set();

    /// <summary>A workflow finished; <paramref name="finished"/> is its record as the finish left it, when known.</summary>
    public void NotifyWorkflowFinished(string workflowId, WorkflowRecord? finished = null) => WorkflowFinished?.Invoke(workflowId, finished);

    /// <summary>Finish notices may have been lost.</summary>
    public void NotifyFinishNoticesMayBeLost() => FinishNoticesMayBeLost?.Invoke();

    internal WakeSignal Workflows => _workflows;

    internal WakeSignal Tasks => _tasks;

    internal WakeSignal Timers => _timers;
}

/// <summary>An auto-reset wake-up that can be awaited with a timeout; sets coalesce.</summary>
internal sealed class WakeSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Set() => Volatile.Read(ref _next).TrySetResult();

    /// <summary>Waits for the next <see cref="Set"/> (or one that happened since the last wait) or the timeout.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _next);
        if (!current.Task.IsCompleted)
        {
            try
            {
                await current.Task.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return;
            }
        }
        Interlocked.CompareExchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), current);
    }
}
