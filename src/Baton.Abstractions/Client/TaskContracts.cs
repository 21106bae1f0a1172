using System.Collections.ObjectModel;
using System.Text.Json;

namespace Baton;

/// <summary>The answer to a complete, fail or timeout call.</summary>
/// <param name="TaskId">The task.</param>
/// <param name="ServiceName">Its service.</param>
/// <param name="State">The state the task is in now.</param>
/// <param name="AlreadyCompleted">True when the same outcome had already been recorded: the call was a harmless repeat.</param>
public sealed record CompletionResult(string TaskId, string ServiceName, TaskState State, bool AlreadyCompleted);

/// <summary>A recorded outcome, carried by <see cref="TaskOutcomeConflictException"/>.</summary>
/// <param name="State">Completed, Failed, TimedOut or Canceled.</param>
/// <param name="Result">The result when completed.</param>
/// <param name="Error">The error when failed.</param>
public sealed record TaskOutcome(TaskState State, JsonElement? Result, TaskError? Error);

/// <summary>The latest progress of a task.</summary>
public sealed record ProgressInfo(double? Percent, string? Message, JsonElement? Details, DateTimeOffset At);

/// <summary>A task as listed.</summary>
public record TaskInfo
{
    /// <summary>Task id, stable across retries.</summary>
    public required string TaskId { get; init; }

    /// <summary>Service name.</summary>
    public required string ServiceName { get; init; }

    /// <summary>Method name.</summary>
    public required string MethodName { get; init; }

    /// <summary>The workflow that dispatched it.</summary>
    public required string WorkflowId { get; init; }

    /// <summary>Current state.</summary>
    public required TaskState State { get; init; }

    /// <summary>Whether it is a delegated task.</summary>
    public required bool IsDelegated { get; init; }

    /// <summary>Handler runs so far.</summary>
    public required int Attempt { get; init; }

    /// <summary>When it was dispatched.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Last change.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When its handler returned and it started waiting for the outside party.</summary>
    public DateTimeOffset? DelegatedAt { get; init; }

    /// <summary>The delegation deadline.</summary>
    public DateTimeOffset? DeadlineAt { get; init; }

    /// <summary>When it got its outcome.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>The latest progress report.</summary>
    public ProgressInfo? Progress { get; init; }

    /// <summary>Tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Metadata.</summary>
    public IReadOnlyDictionary<string, string> Meta { get; init; } = ReadOnlyDictionary<string, string>.Empty;
}

/// <summary>One entry of a task's audit trail: a transition or a report, who caused it, when and how.</summary>
/// <param name="Seq">Order within the task.</param>
/// <param name="At">When.</param>
/// <param name="Kind">Scheduled, Started, HandlerFailed, Delegated, Progress, Completed, Failed, TimedOut, Canceled, RetryRequested...</param>
/// <param name="Actor">Who: <c>system</c>, <c>client</c>, an API key's principal, <c>token</c>...</param>
/// <param name="Via">How: <c>worker</c>, <c>timer</c>, <c>client</c>, <c>http</c>, <c>callback</c>...</param>
/// <param name="Detail">Short human text.</param>
/// <param name="Data">Structured data of the entry (error, progress...).</param>
public sealed record TaskAuditEntry(long Seq, DateTimeOffset At, string Kind, string Actor, string Via, string? Detail, JsonElement? Data);

/// <summary>A task with everything known about it.</summary>
public sealed record TaskDetails : TaskInfo
{
    /// <summary>The arguments the handler receives, as a JSON array.</summary>
    public JsonElement? Arguments { get; init; }

    /// <summary>The result when completed.</summary>
    public JsonElement? Result { get; init; }

    /// <summary>The error when failed.</summary>
    public TaskError? Error { get; init; }

    /// <summary>The signed token that completes this task.</summary>
    public string? Token { get; init; }

    /// <summary>The callback URL when a public base URL is configured.</summary>
    public Uri? CallbackUrl { get; init; }

    /// <summary>Every transition and report, oldest first.</summary>
    public IReadOnlyList<TaskAuditEntry> Audit { get; init; } = [];

    /// <summary>Progress reports, oldest first.</summary>
    public IReadOnlyList<ProgressInfo> ProgressTimeline { get; init; } = [];
}

/// <summary>Which end of the age order a task listing starts from.</summary>
public enum TaskOrder
{
    /// <summary>Oldest dispatch first (stale tasks first).</summary>
    OldestFirst,

    /// <summary>Newest dispatch first.</summary>
    NewestFirst,
}

/// <summary>Filters for <see cref="IBatonClient.ListTasksAsync"/>.</summary>
public sealed record TaskQuery
{
    /// <summary>Only this state.</summary>
    public TaskState? State { get; init; }

    /// <summary>Only tasks with no outcome yet (Scheduled, Running, Delegated). Ignored when <see cref="State"/> is set.</summary>
    public bool OpenOnly { get; init; }

    /// <summary>Only this service.</summary>
    public string? ServiceName { get; init; }

    /// <summary>Only tasks with this tag.</summary>
    public string? Tag { get; init; }

    /// <summary>Only tasks of this workflow.</summary>
    public string? WorkflowId { get; init; }

    /// <summary>Only tasks dispatched at least this long ago.</summary>
    public TimeSpan? OlderThan { get; init; }

    /// <summary>Page size, 1 to 500. Default 50.</summary>
    public int Limit { get; init; } = 50;

    /// <summary>The <see cref="TaskPage.NextCursor"/> of the previous page.</summary>
    public string? Cursor { get; init; }

    /// <summary>Order of the listing. Default oldest first.</summary>
    public TaskOrder Order { get; init; } = TaskOrder.OldestFirst;
}

/// <summary>One page of tasks.</summary>
public sealed record TaskPage(IReadOnlyList<TaskInfo> Items, string? NextCursor);

/// <summary>The answer to TimeoutBetween.</summary>
/// <param name="From">The range start used (given, or the remembered watermark).</param>
/// <param name="To">The range end; now the remembered watermark.</param>
/// <param name="TimedOutTaskIds">The tasks it timed out.</param>
public sealed record TimeoutBetweenResult(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<string> TimedOutTaskIds);
