using System.Collections.ObjectModel;
using System.Text.Json;

namespace Baton;

/// <summary>What to start.</summary>
public sealed record StartWorkflowRequest
{
    /// <summary>The workflow type name (see <see cref="WorkflowAttribute"/>).</summary>
    public required string Workflow { get; init; }

    /// <summary>The input, checked against the workflow's input type.</summary>
    public JsonElement? Input { get; init; }

    /// <summary>The instance id; generated when absent. Reusing an id with the same input returns the existing instance.</summary>
    public string? Id { get; init; }

    /// <summary>Tags to find the workflow by.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>Key/value metadata.</summary>
    public IReadOnlyDictionary<string, string>? Meta { get; init; }
}

/// <summary>The started (or existing) instance.</summary>
/// <param name="WorkflowId">Its id.</param>
/// <param name="AlreadyExisted">True when the id named an instance that was already started with the same input.</param>
public sealed record WorkflowStartResult(string WorkflowId, bool AlreadyExisted);

/// <summary>A workflow's status.</summary>
public sealed record WorkflowInfo
{
    /// <summary>Instance id.</summary>
    public required string Id { get; init; }

    /// <summary>Workflow type name.</summary>
    public required string Workflow { get; init; }

    /// <summary>Current state.</summary>
    public required WorkflowState State { get; init; }

    /// <summary>The input it was started with.</summary>
    public JsonElement? Input { get; init; }

    /// <summary>The result, once <see cref="WorkflowState.Completed"/>.</summary>
    public JsonElement? Result { get; init; }

    /// <summary>The error, once <see cref="WorkflowState.Failed"/> or <see cref="WorkflowState.Canceled"/>.</summary>
    public TaskError? Error { get; init; }

    /// <summary>Parent workflow id for a child workflow.</summary>
    public string? ParentId { get; init; }

    /// <summary>When it was started.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Last change.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When it finished.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Metadata.</summary>
    public IReadOnlyDictionary<string, string> Meta { get; init; } = ReadOnlyDictionary<string, string>.Empty;

    /// <summary>Its tasks that have no outcome yet.</summary>
    public IReadOnlyList<TaskInfo> OpenTasks { get; init; } = [];
}

/// <summary>One event of a workflow's history.</summary>
/// <param name="Seq">Position in the history, from 1.</param>
/// <param name="Kind">Event kind, e.g. <c>WorkflowStarted</c>, <c>TaskScheduled</c>, <c>TaskDelegated</c>, <c>TaskCompleted</c>, <c>TimerFired</c>.</param>
/// <param name="At">When it was recorded.</param>
/// <param name="CommandId">The dispatch number inside the workflow it concerns, if any.</param>
/// <param name="Name">The task (<c>Service.Method</c>), timer or child workflow name, if any.</param>
/// <param name="TaskId">The task id or child workflow id, if any.</param>
/// <param name="Data">Payload: input, result, error, due time or progress.</param>
public sealed record WorkflowHistoryEvent(long Seq, string Kind, DateTimeOffset At, int? CommandId, string? Name, string? TaskId, JsonElement? Data);

/// <summary>Filters for <see cref="IBatonClient.ListWorkflowsAsync"/>.</summary>
public sealed record WorkflowQuery
{
    /// <summary>Only this state.</summary>
    public WorkflowState? State { get; init; }

    /// <summary>Only this workflow type.</summary>
    public string? Workflow { get; init; }

    /// <summary>Only workflows with this tag.</summary>
    public string? Tag { get; init; }

    /// <summary>Page size, 1 to 500. Default 50.</summary>
    public int Limit { get; init; } = 50;

    /// <summary>The <see cref="WorkflowPage.NextCursor"/> of the previous page.</summary>
    public string? Cursor { get; init; }
}

/// <summary>One page of workflows.</summary>
public sealed record WorkflowPage(IReadOnlyList<WorkflowInfo> Items, string? NextCursor);
