using System.Collections.Concurrent;
using Baton.Engine.Storage;

namespace Baton.Engine;

/// <summary>
/// Lets callers wait for a workflow to finish, woken by the store's finish notices (with the finished record when they carry
/// it). It also remembers the workflows this node started and has seen no finish notice for (the most recent
/// <see cref="StartedCapacity"/>): those run still, and a wait for one needs no first read.
/// </summary>
internal sealed class WorkflowWaiters
{
    /// <summary>Workflows started here remembered at most (about 1 MB); an older one is read as any other.</summary>
    internal const int StartedCapacity = 10_000;

    private readonly ConcurrentDictionary<string, List<TaskCompletionSource<WorkflowRecord?>>> _waiting = new(StringComparer.Ordinal);
    private readonly BoundedRecentMap<StartMark> _startedHere = new(StartedCapacity);

    public WorkflowWaiters(StoreSignals signals)
    {
        signals.WorkflowFinished += Finished;
        // Without every notice, "no finish notice yet" no longer means "runs still".
        signals.FinishNoticesMayBeLost += _startedHere.Clear;
    }

    /// <summary>
    /// Marks a workflow about to be created here, before it exists: no finish notice can then come before the mark and leave
    /// it standing. The mark says "running" only once <see cref="StartMark.Confirm"/>ed after the creation; a finish notice
    /// removes it.
    /// </summary>
    public StartMark Starting(string workflowId)
    {
        var mark = new StartMark(this, workflowId);
        _startedHere.Remove(workflowId);
        _startedHere.Add(workflowId, mark);
        return mark;
    }

    public Watcher Watch(string workflowId)
    {
        var tcs = new TaskCompletionSource<WorkflowRecord?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var list = _waiting.GetOrAdd(workflowId, _ => []);
        lock (list) list.Add(tcs);
        // Looked at after the watch is in place: a finish notice removes the mark before it completes the watches, so either
        // this watch is completed or the mark is gone.
        var running = _startedHere.Find(workflowId) is { Confirmed: true };
        return new Watcher(this, workflowId, tcs, running);
    }

    private void Finished(string workflowId, WorkflowRecord? finished)
    {
        _startedHere.Remove(workflowId);
        if (!_waiting.TryGetValue(workflowId, out var list)) return;
        lock (list)
            foreach (var tcs in list) tcs.TrySetResult(finished);
    }

    private void Remove(string workflowId, TaskCompletionSource<WorkflowRecord?> tcs)
    {
        if (!_waiting.TryGetValue(workflowId, out var list)) return;
        lock (list)
        {
            list.Remove(tcs);
            if (list.Count == 0) _waiting.TryRemove(new KeyValuePair<string, List<TaskCompletionSource<WorkflowRecord?>>>(workflowId, list));
        }
    }

    /// <summary>A workflow being started here: confirmed once created, dropped when the creation did not happen.</summary>
    internal sealed class StartMark(WorkflowWaiters owner, string workflowId)
    {
        private volatile bool _confirmed;

        public bool Confirmed => _confirmed;

        public void Confirm() => _confirmed = true;

        public void Drop()
        {
            if (owner._startedHere.Find(workflowId) == this) owner._startedHere.Remove(workflowId);
        }
    }

    internal sealed class Watcher(WorkflowWaiters owner, string workflowId, TaskCompletionSource<WorkflowRecord?> tcs, bool startedHereAndRunning) : IDisposable
    {
        /// <summary>Completes at the finish notice, with the finished record when the notice carries it.</summary>
        public Task<WorkflowRecord?> Task => tcs.Task;

        /// <summary>Whether the workflow was started here and had no finish notice when the watch began: it runs.</summary>
        public bool StartedHereAndRunning => startedHereAndRunning;

        public void Dispose() => owner.Remove(workflowId, tcs);
    }
}
