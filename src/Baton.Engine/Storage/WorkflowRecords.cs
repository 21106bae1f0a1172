using System.Collections.ObjectModel;

namespace Baton.Engine.Storage;

/// <summary>A stored workflow instance.</summary>
public sealed record WorkflowRecord
{
    /// <summary>Instance id.</summary>
    public required string Id { get; init; }

    /// <summary>Workflow type name.</summary>
    public required string Name { get; init; }

    /// <summary>Current state.</summary>
    public required WorkflowState State { get; init; }

    /// <summary>Input JSON text.</summary>
    public string? Input { get; init; }

    /// <summary>Result JSON text once completed.</summary>
    public string? Result { get; init; }

    /// <summary><see cref="TaskError"/> JSON text once failed or canceled.</summary>
    public string? Error { get; init; }

    /// <summary>Parent instance of a child workflow.</summary>
    public string? ParentId { get; init; }

    /// <summary>The parent's dispatch number that started this child.</summary>
    public int? ParentCommandId { get; init; }

    /// <summary>Tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Metadata.</summary>
    public IReadOnlyDictionary<string, string> Meta { get; init; } = ReadOnlyDictionary<string, string>.Empty;

    /// <summary>Creation time.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Last change.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When it finished.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Incremented by every committed step and by cancellation; a step commits only against the version it was computed from.</summary>
    public required long Version { get; init; }
}

/// <summary>A workflow instance to create. Creation also appends its <see cref="HistoryEventKind.WorkflowStarted"/> event and marks it as needing a step.</summary>
public sealed record NewWorkflow(
    string Id,
    string Name,
    string? Input,
    IReadOnlyList<string> Tags,
    IReadOnlyDictionary<string, string> Meta,
    string? ParentId,
    int? ParentCommandId,
    DateTimeOffset CreatedAt)
{
    /// <summary>
    /// When set, the instance is created already claimed by the creating node, which steps it without claiming it first; if it
    /// never does (it stopped), the claim expires like that of a node that died mid-step.
    /// </summary>
    public ClaimHandoff? Handoff { get; init; }
}

/// <summary>Whether <see cref="IWorkflowStore.CreateWorkflowAsync"/> created the instance or found one with that id.</summary>
public enum CreateWorkflowStatus
{
    /// <summary>Created now.</summary>
    Created,

    /// <summary>An instance with that id existed; <see cref="CreateWorkflowResult.Workflow"/> is it, unchanged.</summary>
    AlreadyExists,
}

/// <summary>The result of a create.</summary>
public sealed record CreateWorkflowResult(CreateWorkflowStatus Status, WorkflowRecord Workflow);

/// <summary>Filters for listing workflows, newest first (created_at desc, id desc).</summary>
public sealed record WorkflowListQuery
{
    /// <summary>Only this state.</summary>
    public WorkflowState? State { get; init; }

    /// <summary>Only this type.</summary>
    public string? Name { get; init; }

    /// <summary>Only with this tag.</summary>
    public string? Tag { get; init; }

    /// <summary>Maximum rows returned.</summary>
    public int Limit { get; init; } = 50;

    /// <summary>Keyset position: return only rows strictly after (older than) this (CreatedAt, Id).</summary>
    public (DateTimeOffset CreatedAt, string Id)? After { get; init; }
}

/// <summary>A request to cancel a workflow.</summary>
public sealed record WorkflowCancellation(string WorkflowId, string Reason, AuditSource Source, DateTimeOffset At);

/// <summary>Outcome of a cancellation.</summary>
public enum CancelWorkflowStatus
{
    /// <summary>Canceled now, with its open tasks and running children.</summary>
    Canceled,

    /// <summary>No such workflow.</summary>
    NotFound,

    /// <summary>It had already finished; nothing changed.</summary>
    AlreadyFinished,
}

/// <summary>The result of a cancellation and the workflow as it is now (null when not found).</summary>
public sealed record CancelWorkflowResult(CancelWorkflowStatus Status, WorkflowRecord? Workflow);

/// <summary>Who caused a change and through which door: recorded in every audit entry.</summary>
/// <param name="Actor">Principal: <c>system</c>, <c>client</c>, an API key's name, a user id, <c>token</c>.</param>
/// <param name="Via">Channel: <c>worker</c>, <c>timer</c>, <c>workflow</c>, <c>client</c>, <c>http</c>, <c>callback</c>, <c>task-status</c>.</param>
public sealed record AuditSource(string Actor, string Via)
{
    /// <summary>The engine's timers.</summary>
    public static AuditSource Timer { get; } = new("system", "timer");

    /// <summary>The engine, acting for a workflow.</summary>
    public static AuditSource Workflow { get; } = new("system", "workflow");
}
