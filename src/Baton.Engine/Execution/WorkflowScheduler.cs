namespace Baton.Engine.Execution;

/// <summary>
/// Runs one workflow's code on the engine thread that advances it, one continuation at a time in FIFO order, so that
/// replaying the same events always runs the code the same way. A continuation queued from any other thread means the
/// workflow awaited something Baton does not control (Task.Delay, I/O, ConfigureAwait(false)...): that is recorded
/// as an escape and fails the workflow, instead of letting it run in a way replay cannot reproduce.
/// </summary>
internal sealed class WorkflowScheduler : TaskScheduler
{
    private readonly Queue<Task> _queue = new();
    private readonly Lock _gate = new();
    private int _ownerThread = -1;

    /// <summary>Set when code was scheduled from outside <see cref="Run"/>: the workflow is not deterministic.</summary>
    public bool Escaped { get; private set; }

    public override int MaximumConcurrencyLevel => 1;

    /// <summary>Whether the current thread is the one advancing this workflow.</summary>
    public bool IsOwnedByCurrentThread => Volatile.Read(ref _ownerThread) == Environment.CurrentManagedThreadId;

    /// <summary>Runs <paramref name="body"/> (which resolves deferreds and pumps) as the owner of this scheduler.</summary>
    public void Run(Action body)
    {
        Volatile.Write(ref _ownerThread, Environment.CurrentManagedThreadId);
        try
        {
            body();
        }
        finally
        {
            Volatile.Write(ref _ownerThread, -1);
        }
    }

    /// <summary>Runs queued continuations until none is left: the workflow is then blocked on its deferreds, or finished.</summary>
    public void Pump()
    {
        while (true)
        {
            Task? next;
            lock (_gate)
            {
                if (!_queue.TryDequeue(out next)) return;
            }
            TryExecuteTask(next);
        }
    }

    protected override void QueueTask(Task task)
    {
        lock (_gate)
        {
            if (!IsOwnedByCurrentThread) Escaped = true;
            _queue.Enqueue(task);
        }
    }

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

    protected override IEnumerable<Task> GetScheduledTasks()
    {
        lock (_gate) return [.. _queue];
    }
}
