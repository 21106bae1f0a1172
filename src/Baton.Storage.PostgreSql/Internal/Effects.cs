using System.Text;
using Baton.Engine.Storage;

namespace Baton.Storage.PostgreSql.Internal;

/// <summary>
/// What committed writes made available: raised as local <see cref="StoreSignals"/> after the commit, and sent to other nodes as
/// <c>NOTIFY</c> payloads inside the transaction (so they are delivered only if it commits).
/// </summary>
internal sealed class Effects
{
    /// <summary>Payloads stay well below PostgreSQL's 8000-byte limit.</summary>
    private const int MaxPayloadBytes = 7000;

    private readonly List<string> _finished = [];

    public bool WorkflowsReady { get; set; }

    public bool TasksReady { get; set; }

    public bool TimersChanged { get; set; }

    public bool IsEmpty => !WorkflowsReady && !TasksReady && !TimersChanged && _finished.Count == 0;

    public void WorkflowFinished(string workflowId) => _finished.Add(workflowId);

    public void MergeInto(Effects target)
    {
        target.WorkflowsReady |= WorkflowsReady;
        target.TasksReady |= TasksReady;
        target.TimersChanged |= TimersChanged;
        target._finished.AddRange(_finished);
    }

    /// <summary>
    /// Notification payloads: the sender's id on the first line, then the flags (<c>W</c> workflows, <c>T</c> tasks, <c>R</c> timers)
    /// on the second, then finished workflow ids one per line; split into several payloads when long.
    /// </summary>
    public List<string> Payloads(string senderId)
    {
        var flags = (WorkflowsReady ? "W" : string.Empty) + (TasksReady ? "T" : string.Empty) + (TimersChanged ? "R" : string.Empty);
        var payloads = new List<string>();
        var current = new StringBuilder().Append(senderId).Append('\n').Append(flags);
        foreach (var id in _finished)
        {
            if (current.Length + id.Length + 1 > MaxPayloadBytes / 4 && current.Length > senderId.Length + flags.Length + 1)
            {
                payloads.Add(current.ToString());
                current.Clear().Append(senderId).Append('\n');
            }
            current.Append('\n').Append(id);
        }
        payloads.Add(current.ToString());
        return payloads;
    }

    /// <summary>Reads a payload sent by <see cref="Payloads"/>; null when it is not one.</summary>
    public static (string SenderId, Effects Effects)? Parse(string payload)
    {
        var lines = payload.Split('\n');
        if (lines.Length < 2)
        {
            return null;
        }
        var effects = new Effects
        {
            WorkflowsReady = lines[1].Contains('W', StringComparison.Ordinal),
            TasksReady = lines[1].Contains('T', StringComparison.Ordinal),
            TimersChanged = lines[1].Contains('R', StringComparison.Ordinal),
        };
        for (var i = 2; i < lines.Length; i++)
        {
            if (lines[i].Length > 0)
            {
                effects._finished.Add(lines[i]);
            }
        }
        return (lines[0], effects);
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
        foreach (var id in _finished)
        {
            try
            {
                signals.NotifyWorkflowFinished(id);
            }
#pragma warning disable CA1031 // A subscriber's failure must not stop the writer; signals are hints.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }
}
