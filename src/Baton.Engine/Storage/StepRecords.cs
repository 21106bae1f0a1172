namespace Baton.Engine.Storage;

/// <summary>A workflow instance claimed for a step: the instance and every inbox message waiting for it, oldest first.</summary>
public sealed record WorkflowClaim(WorkflowRecord Workflow, IReadOnlyList<InboxMessage> Messages);

/// <summary>
/// Everything one step of one workflow instance changes, committed atomically by <see cref="IWorkflowQueue.CommitStepsAsync"/>.
/// </summary>
public sealed record WorkflowStep
{
    /// <summary>The instance.</summary>
    public required string WorkflowId { get; init; }

    /// <summary>The version the step was computed from; the commit is refused when the stored version differs.</summary>
    public required long ExpectedVersion { get; init; }

    /// <summary>The node that holds the claim; the commit is refused when another node holds it.</summary>
    public required string Owner { get; init; }

    /// <summary>Inbox messages this step consumed (deleted on commit). Messages that arrived meanwhile stay.</summary>
    public IReadOnlyList<long> ConsumedMessageIds { get; init; } = [];

    /// <summary>Events to append, in order.</summary>
    public IReadOnlyList<NewHistoryEvent> Events { get; init; } = [];

    /// <summary>The instance's state after the step. A finished state also cancels its open tasks (audited), deletes its timers and inbox.</summary>
    public required WorkflowState State { get; init; }

    /// <summary>Result JSON when it completed.</summary>
    public string? Result { get; init; }

    /// <summary>Error JSON when it failed.</summary>
    public string? Error { get; init; }

    /// <summary>Tasks dispatched by this step.</summary>
    public IReadOnlyList<NewTask> Tasks { get; init; } = [];

    /// <summary>Timers started by this step.</summary>
    public IReadOnlyList<NewTimer> Timers { get; init; } = [];

    /// <summary>Child workflows started by this step (an existing id is left as it is).</summary>
    public IReadOnlyList<NewWorkflow> Children { get; init; } = [];

    /// <summary>Messages for other instances (a finished child tells its parent).</summary>
    public IReadOnlyList<NewInboxMessage> Messages { get; init; } = [];

    /// <summary>When the step was computed.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>
    /// False when the instance knows that none of its tasks can still be open: every task it dispatched has had its outcome
    /// delivered, and a task's outcome is posted only after the task closed. A finishing step then need not look for open
    /// tasks to cancel. True (the default) whenever in doubt.
    /// </summary>
    public bool MayHaveOpenTasks { get; init; } = true;

    /// <summary>
    /// False when the instance knows that none of the child workflows it started can still be running: every one has had its
    /// outcome delivered. A finishing step then need not look for running children to cancel. True (the default) whenever in
    /// doubt.
    /// </summary>
    public bool MayHaveRunningChildren { get; init; } = true;

    /// <summary>
    /// The instance's record as it was claimed for this step (<see cref="WorkflowClaim.Workflow"/>), when the step finishes it.
    /// The store then passes the record as the commit leaves it with its finish notice
    /// (<see cref="StoreSignals.WorkflowFinished"/>), so that callers waiting for the result need not read it back. Null:
    /// the notice carries the id alone.
    /// </summary>
    public WorkflowRecord? Claimed { get; init; }
}

/// <summary>Whether a step was committed.</summary>
public enum StepCommitStatus
{
    /// <summary>Written.</summary>
    Committed,

    /// <summary>Refused: the version or the claim changed (canceled meanwhile, or the claim was taken over). Nothing was written.</summary>
    Conflict,
}

/// <summary>Kinds of durable timers.</summary>
public enum TimerKind
{
    /// <summary>A workflow's <c>Timer(...)</c>: fires a <see cref="InboxMessageKind.TimerFired"/> message.</summary>
    WorkflowTimer,

    /// <summary>
    /// A task's delegation deadline: times the task out if still open. Only stores written by earlier versions hold these; a
    /// store now finds deadlines through the task rows (<see cref="TaskRecord.DeadlineAt"/>).
    /// </summary>
    TaskDeadline,

    /// <summary>A task's heartbeat check: times it out if no progress came since <see cref="TaskRecord.HeartbeatDueAt"/>, else moves itself there.</summary>
    TaskHeartbeat,
}

/// <summary>A timer to create.</summary>
public sealed record NewTimer(TimerKind Kind, DateTimeOffset DueAt, string WorkflowId, int? CommandId = null, string? TaskId = null);

/// <summary>What one call of <see cref="ITimerStore.FireDueTimersAsync"/> did.</summary>
/// <param name="Fired">Timers handled (including those whose target had already finished).</param>
/// <param name="NextDueAt">Due time of the earliest remaining timer.</param>
public sealed record TimerFireResult(int Fired, DateTimeOffset? NextDueAt);
