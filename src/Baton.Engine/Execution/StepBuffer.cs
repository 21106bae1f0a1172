using Baton.Engine.Storage;

namespace Baton.Engine.Execution;

/// <summary>What one step of a workflow instance produced so far, turned into a <see cref="WorkflowStep"/> at the end.</summary>
internal sealed class StepBuffer
{
    public List<long> ConsumedMessageIds { get; } = [];

    public List<NewHistoryEvent> Events { get; } = [];

    public List<NewTask> Tasks { get; } = [];

    public List<NewTimer> Timers { get; } = [];

    public List<NewWorkflow> Children { get; } = [];

    public List<NewInboxMessage> Messages { get; } = [];

    public List<(string Id, string Text)> Schemas { get; } = [];
}
