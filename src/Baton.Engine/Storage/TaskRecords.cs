using System.Collections.ObjectModel;

namespace Baton.Engine.Storage;

/// <summary>A task to create, in state <see cref="TaskState.Scheduled"/>, attempt 0, ready at <see cref="CreatedAt"/>.</summary>
public sealed record NewTask
{
    /// <summary>Globally unique task id.</summary>
    public required string TaskId { get; init; }

    /// <summary>The dispatching workflow.</summary>
    public required string WorkflowId { get; init; }

    /// <summary>The workflow's dispatch number.</summary>
    public required int CommandId { get; init; }

    /// <summary>Service name.</summary>
    public required string ServiceName { get; init; }

    /// <summary>Method name.</summary>
    public required string MethodName { get; init; }

    /// <summary>Arguments as a JSON array text.</summary>
    public required string Arguments { get; init; }

    /// <summary>Whether it is a delegated task.</summary>
    public required bool IsDelegated { get; init; }

    /// <summary>Delegation deadline; the store's timer pass times the task out once it passes.</summary>
    public DateTimeOffset? DeadlineAt { get; init; }

    /// <summary>Heartbeat interval, enforced after delegation.</summary>
    public TimeSpan? HeartbeatInterval { get; init; }

    /// <summary>Handler time limit override.</summary>
    public TimeSpan? HandlerTimeout { get; init; }

    /// <summary>Retry policy override as JSON text, or null for the method's policy.</summary>
    public string? RetryPolicy { get; init; }

    /// <summary>Id of the result's JSON schema (see <see cref="ISchemaStore"/>).</summary>
    public string? ResultSchemaId { get; init; }

    /// <summary>Tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Metadata.</summary>
    public IReadOnlyDictionary<string, string> Meta { get; init; } = ReadOnlyDictionary<string, string>.Empty;

    /// <summary>Dispatch time.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>
    /// When set, a user task: created <see cref="TaskState.Delegated"/> at once (no handler runs), with its assignment, and
    /// audited as <c>Assigned</c>.
    /// </summary>
    public NewUserTask? UserTask { get; init; }

    /// <summary>
    /// When set (only for a task with a handler), the task is created already claimed by the dispatching node:
    /// <see cref="TaskState.Running"/>, attempt 1, leased to <see cref="ClaimHandoff.Owner"/>, audited as <c>Scheduled</c> then
    /// <c>Started</c>. That node runs the handler at once, without a separate claim; if it never does (it stopped), the lease
    /// expires and any node claims the task as it would one whose handler died.
    /// </summary>
    public ClaimHandoff? Handoff { get; init; }
}

/// <summary>
/// A claim taken at creation by the node that creates a task (<see cref="NewTask.Handoff"/>) or a workflow
/// (<see cref="NewWorkflow.Handoff"/>), so that it runs it without claiming it through the store first.
/// </summary>
/// <param name="Owner">The node that runs it.</param>
/// <param name="LeaseUntil">Until when the claim holds without renewal.</param>
public sealed record ClaimHandoff(string Owner, DateTimeOffset LeaseUntil);

/// <summary>A stored task.</summary>
public sealed record TaskRecord
{
    /// <summary>Task id.</summary>
    public required string TaskId { get; init; }

    /// <summary>Dispatching workflow.</summary>
    public required string WorkflowId { get; init; }

    /// <summary>The workflow's dispatch number.</summary>
    public required int CommandId { get; init; }

    /// <summary>Service name.</summary>
    public required string ServiceName { get; init; }

    /// <summary>Method name.</summary>
    public required string MethodName { get; init; }

    /// <summary>Arguments JSON array text.</summary>
    public required string Arguments { get; init; }

    /// <summary>Whether delegated.</summary>
    public required bool IsDelegated { get; init; }

    /// <summary>Current state.</summary>
    public required TaskState State { get; init; }

    /// <summary>Handler runs started so far.</summary>
    public required int Attempt { get; init; }

    /// <summary>Delegation deadline.</summary>
    public DateTimeOffset? DeadlineAt { get; init; }

    /// <summary>Heartbeat interval.</summary>
    public TimeSpan? HeartbeatInterval { get; init; }

    /// <summary>When the heartbeat expires (delegation or last progress plus the interval).</summary>
    public DateTimeOffset? HeartbeatDueAt { get; init; }

    /// <summary>Handler time limit override.</summary>
    public TimeSpan? HandlerTimeout { get; init; }

    /// <summary>Retry policy override JSON.</summary>
    public string? RetryPolicy { get; init; }

    /// <summary>Result schema id.</summary>
    public string? ResultSchemaId { get; init; }

    /// <summary>Result JSON once completed.</summary>
    public string? Result { get; init; }

    /// <summary>Error JSON (<see cref="TaskError"/>) once failed; for TimedOut and Canceled the reason as <see cref="TaskError"/>.</summary>
    public string? Error { get; init; }

    /// <summary>Tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Metadata.</summary>
    public IReadOnlyDictionary<string, string> Meta { get; init; } = ReadOnlyDictionary<string, string>.Empty;

    /// <summary>Dispatch time.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Last change.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When the handler returned (delegated tasks).</summary>
    public DateTimeOffset? DelegatedAt { get; init; }

    /// <summary>When it got its outcome.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Earliest time a <see cref="TaskState.Scheduled"/> task may be claimed.</summary>
    public DateTimeOffset? ReadyAt { get; init; }

    /// <summary>Node running the handler.</summary>
    public string? LeaseOwner { get; init; }

    /// <summary>Until when that node's claim holds.</summary>
    public DateTimeOffset? LeaseUntil { get; init; }

    /// <summary>Latest progress percent.</summary>
    public double? ProgressPercent { get; init; }

    /// <summary>Latest progress message.</summary>
    public string? ProgressMessage { get; init; }

    /// <summary>Latest progress details JSON.</summary>
    public string? ProgressDetails { get; init; }

    /// <summary>When progress was last reported.</summary>
    public DateTimeOffset? ProgressAt { get; init; }
}

/// <summary>Tasks claimed for running their handlers, and when the next scheduled one becomes ready.</summary>
public sealed record TaskClaimBatch(IReadOnlyList<TaskRecord> Tasks, DateTimeOffset? NextReadyAt);

/// <summary>What a handler run ended with.</summary>
public enum HandlerOutcomeKind
{
    /// <summary>An ordinary task's handler returned: Completed with <see cref="HandlerOutcome.Result"/>; the workflow is told.</summary>
    Returned,

    /// <summary>A delegated task's handler returned: Delegated; heartbeat armed; <see cref="HistoryEventKind.TaskDelegated"/> appended.</summary>
    Delegated,

    /// <summary>The handler threw and will be retried: Scheduled again, ready at <see cref="HandlerOutcome.RetryAt"/>.</summary>
    RetryScheduled,

    /// <summary>The handler threw and will not be retried: Failed with <see cref="HandlerOutcome.Error"/>; the workflow is told.</summary>
    Failed,
}

/// <summary>The end of one handler run, applied only if the task is still Running that attempt under that owner.</summary>
public sealed record HandlerOutcome(
    string TaskId,
    int Attempt,
    string Owner,
    HandlerOutcomeKind Kind,
    DateTimeOffset At,
    string? Result = null,
    string? Error = null,
    DateTimeOffset? RetryAt = null);

/// <summary>Whether a handler outcome was applied.</summary>
public enum HandlerOutcomeStatus
{
    /// <summary>Applied.</summary>
    Applied,

    /// <summary>Not applied: the task got an outcome meanwhile (e.g. an early completion), or its claim moved on.</summary>
    Superseded,
}

/// <summary>Kinds of outcomes given to a task from outside its handler.</summary>
public enum TaskResolutionKind
{
    /// <summary>Completed with a result.</summary>
    Complete,

    /// <summary>Failed with an error.</summary>
    Fail,

    /// <summary>Timed out (manual timeout or timeout-between).</summary>
    TimeOut,
}

/// <summary>
/// An outcome for an open task, applied atomically if and only if the task is still open
/// (Scheduled, Running or Delegated): first outcome wins.
/// </summary>
public sealed record TaskResolution
{
    /// <summary>The task.</summary>
    public required string TaskId { get; init; }

    /// <summary>When given, must equal the task's service name or the task counts as not found.</summary>
    public string? ServiceName { get; init; }

    /// <summary>Which outcome.</summary>
    public required TaskResolutionKind Kind { get; init; }

    /// <summary>Result JSON for <see cref="TaskResolutionKind.Complete"/>.</summary>
    public string? Result { get; init; }

    /// <summary>Error JSON (<see cref="TaskError"/>) for Fail and TimeOut.</summary>
    public string? Error { get; init; }

    /// <summary>When true, an ordinary (non-delegated) task is refused with <see cref="TaskResolutionStatus.NotDelegated"/>.</summary>
    public bool RequireDelegated { get; init; }

    /// <summary>
    /// For user tasks completed by a person: the task must be assigned to them and not claimed by another (unless
    /// <see cref="UserTaskAccess.Override"/>), checked in the same transaction; otherwise <see cref="TaskResolutionStatus.NotAssigned"/>
    /// or <see cref="TaskResolutionStatus.ClaimedByOther"/>.
    /// </summary>
    public UserTaskAccess? UserAccess { get; init; }

    /// <summary>Extra text for the audit entry (e.g. that an admin overrode the assignment).</summary>
    public string? AuditDetail { get; init; }

    /// <summary>Who and how, for the audit trail.</summary>
    public required AuditSource Source { get; init; }

    /// <summary>When.</summary>
    public required DateTimeOffset At { get; init; }
}

/// <summary>What happened to a <see cref="TaskResolution"/> or another operation on one task.</summary>
public enum TaskResolutionStatus
{
    /// <summary>Applied now.</summary>
    Applied,

    /// <summary>No such task (or another service's).</summary>
    NotFound,

    /// <summary>Refused: the task is not delegated.</summary>
    NotDelegated,

    /// <summary>Not applied: the task's state does not allow it (<see cref="TaskOperationResult.Task"/> holds the recorded state and outcome).</summary>
    WrongState,

    /// <summary>Refused: the user task is not assigned to the acting user (<see cref="TaskResolution.UserAccess"/>).</summary>
    NotAssigned,

    /// <summary>Refused: another user claimed the user task.</summary>
    ClaimedByOther,
}

/// <summary>The result of an operation on one task and the task as it is after it (null when not found).</summary>
/// <param name="Status">What happened.</param>
/// <param name="Task">The task after it.</param>
/// <param name="ClaimedBy">For <see cref="TaskResolutionStatus.ClaimedByOther"/>, the claimant.</param>
public sealed record TaskOperationResult(TaskResolutionStatus Status, TaskRecord? Task, string? ClaimedBy = null);

/// <summary>A progress report to record on an open task.</summary>
public sealed record TaskProgressUpdate(string TaskId, string? ServiceName, double? Percent, string? Message, string? Details, AuditSource Source, DateTimeOffset At);

/// <summary>Filters for listing tasks; order by (CreatedAt, TaskId), ascending unless <see cref="NewestFirst"/>.</summary>
public sealed record TaskListQuery
{
    /// <summary>Only this state.</summary>
    public TaskState? State { get; init; }

    /// <summary>Only open tasks (ignored when <see cref="State"/> is set).</summary>
    public bool OpenOnly { get; init; }

    /// <summary>Only this service.</summary>
    public string? ServiceName { get; init; }

    /// <summary>Only with this tag.</summary>
    public string? Tag { get; init; }

    /// <summary>Only this workflow's tasks.</summary>
    public string? WorkflowId { get; init; }

    /// <summary>Only tasks created strictly before this time.</summary>
    public DateTimeOffset? CreatedBefore { get; init; }

    /// <summary>Maximum rows.</summary>
    public int Limit { get; init; } = 50;

    /// <summary>Keyset position: only rows strictly after this (CreatedAt, TaskId) in the listing order.</summary>
    public (DateTimeOffset CreatedAt, string TaskId)? After { get; init; }

    /// <summary>Descending order.</summary>
    public bool NewestFirst { get; init; }
}

/// <summary>One stored audit entry of a task.</summary>
public sealed record TaskAuditRecord(long Seq, DateTimeOffset At, string Kind, string Actor, string Via, string? Detail, string? Data);

/// <summary>The tasks a TimeoutBetween call timed out, and the range it used.</summary>
public sealed record TimeoutBetweenOutcome(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<string> TaskIds);
