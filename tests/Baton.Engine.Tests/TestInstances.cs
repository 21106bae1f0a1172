using Baton.Engine.Execution;
using Baton.Engine.Registry;
using Baton.Engine.Serialization;
using Baton.Engine.Storage;

namespace Baton.Engine.Tests;

/// <summary>Workflow instances built directly from a history, without a store or an executor.</summary>
internal static class TestInstances
{
    private static readonly PayloadCodec Codec = new(BatonJson.Options, 8 * 1024 * 1024);

    private static readonly ExecutionServices Services = new(
        Codec, new PayloadValidator(Codec), new ServiceRegistry([]), new WorkflowRegistry([WorkflowRegistry.Describe<DocumentWorkflow>()]),
        at => Guid.CreateVersion7(at).ToString());

    /// <summary>The start of the history of a <typeparamref name="TWorkflow"/> with <paramref name="inputJson"/>, at the epoch.</summary>
    public static HistoryEvent StartedEvent<TWorkflow>(string inputJson)
        where TWorkflow : Workflow, new() =>
        new(1, HistoryEventKind.WorkflowStarted, DateTimeOffset.UnixEpoch, null, WorkflowRegistry.Describe<TWorkflow>().Name, null, inputJson);

    /// <summary>An instance of <typeparamref name="TWorkflow"/> rebuilt from <paramref name="history"/> (by default: only its start).</summary>
    public static WorkflowInstance Started<TWorkflow>(string id, string inputJson, IReadOnlyList<HistoryEvent>? history = null)
        where TWorkflow : Workflow, new()
    {
        var at = DateTimeOffset.UnixEpoch;
        var type = WorkflowRegistry.Describe<TWorkflow>();
        var record = new WorkflowRecord
        {
            Id = id, Name = type.Name, State = WorkflowState.Running, Input = inputJson, Tags = [],
            CreatedAt = at, UpdatedAt = at, Version = 1,
        };
        return WorkflowInstance.Rehydrate(type, record, history ?? [StartedEvent<TWorkflow>(inputJson)], Services);
    }
}
