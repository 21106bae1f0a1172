using System.Text.Json;
using Baton.Engine.Execution;
using Baton.Engine.Registry;
using Baton.Engine.Serialization;
using Baton.Engine.Storage;

namespace Baton.Testing;

/// <summary>
/// Replays a recorded history (from <see cref="IBatonClient.GetWorkflowHistoryAsync"/>) against workflow code, to
/// check that a code change is still compatible with running instances before deploying it.
/// </summary>
public static class WorkflowReplayer
{
    /// <summary>
    /// Replays the <paramref name="history"/> of workflow <paramref name="workflowId"/> (its id seeds <c>Random</c> and <c>NewGuid</c>) with <typeparamref name="TWorkflow"/>. Throws <see cref="NonDeterminismException"/>
    /// when the code issues different commands than the history recorded, or ends differently.
    /// </summary>
    public static ReplayResult Replay<TWorkflow>(string workflowId, IReadOnlyList<WorkflowHistoryEvent> history) where TWorkflow : Workflow, new()
    {
        ArgumentException.ThrowIfNullOrEmpty(workflowId);
        ArgumentNullException.ThrowIfNull(history);
        if (history.Count == 0 || history[0].Kind != nameof(HistoryEventKind.WorkflowStarted))
            throw new ArgumentException("A history starts with its WorkflowStarted event.", nameof(history));
        var type = WorkflowRegistry.Describe<TWorkflow>();
        var codec = new PayloadCodec(BatonJson.Options, int.MaxValue);
        var services = new ExecutionServices(codec, new PayloadValidator(codec), new ServiceRegistry([]), new WorkflowRegistry([type]),
            _ => throw new InvalidOperationException("Replay never dispatches new tasks."));
        var events = history.Select(ToStored).ToList();
        var started = events[0];
        var record = new WorkflowRecord
        {
            Id = workflowId, Name = type.Name, State = WorkflowState.Running, Input = started.Payload,
            CreatedAt = started.At, UpdatedAt = started.At, Version = long.MaxValue,
        };
        var instance = WorkflowInstance.Rehydrate(type, record, events, services);
        if (instance.Divergence is { } divergence) throw new NonDeterminismException(record.Id, divergence);
        return new ReplayResult(instance.State, PayloadCodec.ToElement(instance.Result), codec.DeserializeError(instance.Error));
    }

    private static HistoryEvent ToStored(WorkflowHistoryEvent e) =>
        new(e.Seq, Enum.Parse<HistoryEventKind>(e.Kind), e.At, e.CommandId, e.Name, e.TaskId, e.Data is { } data ? data.GetRawText() : null);
}

/// <summary>Where a replay ended: still waiting (<see cref="WorkflowState.Running"/>) or the state and outcome it reproduced.</summary>
public sealed record ReplayResult(WorkflowState State, JsonElement? Result, TaskError? Error);
