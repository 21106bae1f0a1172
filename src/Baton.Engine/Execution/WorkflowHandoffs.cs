using System.Collections.Concurrent;
using Baton.Engine.Hosting;
using Baton.Engine.Storage;

namespace Baton.Engine.Execution;

/// <summary>
/// Hands workflows started through this node's client straight to its executor loops: the store creates them already claimed
/// (<see cref="NewWorkflow.Handoff"/>), and their first step needs neither a claim nor a history read (the history is the
/// started event the client just wrote). Only while the executor runs, and only up to a bounded backlog: past it, new
/// workflows wait in the store and are claimed as usual.
/// </summary>
internal sealed class WorkflowHandoffs(StoreSignals signals, BatonOptions options, string nodeId)
{
    private readonly ConcurrentQueue<HandedOverWorkflow> _queue = new();
    private readonly int _maxBacklog = options.WorkflowBatchSize * options.ExecutorConcurrency * 4;
    private volatile bool _accepting;

    /// <summary>Whether the executor loops run (set when they start, cleared when they stop).</summary>
    public bool Accepting
    {
        get => _accepting;
        set => _accepting = value;
    }

    /// <summary>The claim a workflow started now should be created with, or null when it should wait in the store.</summary>
    public ClaimHandoff? Offer(DateTimeOffset now) =>
        _accepting && _queue.Count < _maxBacklog ? new ClaimHandoff(nodeId, now + options.WorkflowLease) : null;

    /// <summary>Queues a workflow the store created with this node's handoff, and wakes an executor loop.</summary>
    public void Deliver(WorkflowRecord created)
    {
        var started = new HistoryEvent(1, HistoryEventKind.WorkflowStarted, created.CreatedAt, null, created.Name, null, created.Input);
        _queue.Enqueue(new HandedOverWorkflow(new WorkflowClaim(created, []), [started]));
        signals.NotifyWorkflowsReady();
    }

    /// <summary>Whether handed-over workflows wait for a step.</summary>
    public bool AnyWaiting => !_queue.IsEmpty;

    /// <summary>Up to <paramref name="max"/> handed-over workflows, oldest first.</summary>
    public List<HandedOverWorkflow> Take(int max)
    {
        var taken = new List<HandedOverWorkflow>();
        while (taken.Count < max && _queue.TryDequeue(out var next)) taken.Add(next);
        return taken;
    }
}

/// <summary>A workflow claimed at creation, with its whole history so far.</summary>
internal sealed record HandedOverWorkflow(WorkflowClaim Claim, IReadOnlyList<HistoryEvent> History);
