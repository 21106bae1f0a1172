using System.Text;
using Baton.Storage.Relational;

namespace Baton.Storage.PostgreSql.Internal;

/// <summary>
/// <see cref="Effects"/> as <c>NOTIFY</c> payloads: sent inside a batch's transaction (so they are delivered only if it commits) and
/// raised as local signals by the other nodes' listeners.
/// </summary>
internal static class Notifications
{
    /// <summary>Payloads stay well below PostgreSQL's 8000-byte limit.</summary>
    private const int MaxPayloadBytes = 7000;

    /// <summary>
    /// Notification payloads: the sender's id on the first line, then the flags (<c>W</c> workflows, <c>T</c> tasks, <c>R</c> timers)
    /// on the second, then finished workflow ids one per line; split into several payloads when long.
    /// </summary>
    public static List<string> Payloads(Effects effects, string senderId)
    {
        var flags = (effects.WorkflowsReady ? "W" : string.Empty) + (effects.TasksReady ? "T" : string.Empty) + (effects.TimersChanged ? "R" : string.Empty);
        var payloads = new List<string>();
        var current = new StringBuilder().Append(senderId).Append('\n').Append(flags);
        foreach (var (id, _) in effects.FinishedWorkflows)
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
                effects.WorkflowFinished(lines[i]);
            }
        }
        return (lines[0], effects);
    }
}
