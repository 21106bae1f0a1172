using Baton.Engine.Storage;

namespace Baton.Storage.Relational;

/// <summary>What committed writes made available, raised as <see cref="StoreSignals"/> after the commit.</summary>
internal sealed class Effects
{
    private readonly List<(string Id, WorkflowRecord? Record)> _finished = [];

    public bool WorkflowsReady { get; set; }

    public bool TasksReady { get; set; }

    public bool TimersChanged { get; set; }

    /// <summary>The workflows that finished, in order, each with its record as the finish left it when the store had it at hand.</summary>
    public IReadOnlyList<(string Id, WorkflowRecord? Record)> FinishedWorkflows => _finished;

    public bool IsEmpty => !WorkflowsReady && !TasksReady && !TimersChanged && _finished.Count == 0;

    public void WorkflowFinished(string workflowId, WorkflowRecord? record = null) => _finished.Add((workflowId, record));

    public void MergeInto(Effects target)
    {
        target.WorkflowsReady |= WorkflowsReady;
        target.TasksReady |= TasksReady;
        target.TimersChanged |= TimersChanged;
        target._finished.AddRange(_finished);
    }

    public void Raise(StoreSignals signals)
    {
        if (WorkflowsReady)
        {
            signals.NotifyWorkflowsReady();
        }
        if (TasksReady)
        {
            signals.NotifyTasksReady();
        }
        if (TimersChanged)
        {
            signals.NotifyTimersChanged();
        }
        foreach (var (id, record) in _finished)
        {
            try
            {
                signals.NotifyWorkflowFinished(id, record);
            }
#pragma warning disable CA1031 // A subscriber's failure must not stop the writer; signals are hints.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }
}
