namespace Baton.Engine.Storage;

/// <summary>
/// The person-facing part of a user task, created with its <see cref="NewTask"/> (which then starts
/// <see cref="TaskState.Delegated"/>: there is no handler to run). The task's arguments hold the input as a one-element array.
/// </summary>
public sealed record NewUserTask
{
    /// <summary>Title.</summary>
    public required string Name { get; init; }

    /// <summary>Kind of task.</summary>
    public required string Spec { get; init; }

    /// <summary>Action.</summary>
    public required string Action { get; init; }

    /// <summary>Assigned user, if any.</summary>
    public string? User { get; init; }

    /// <summary>Assigned roles, lowercase, distinct.</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>Priority.</summary>
    public int Priority { get; init; }

    /// <summary>Due date.</summary>
    public DateTimeOffset? DueAt { get; init; }

    /// <summary>Follow-up date.</summary>
    public DateTimeOffset? FollowUpAt { get; init; }

    /// <summary>Where the submitted data is merged into the input.</summary>
    public string? EnrichPath { get; init; }

    /// <summary>Assembly-qualified name of the data type, so a node that has it can check the data fully.</summary>
    public string? DataType { get; init; }
}

/// <summary>A stored user task: its task and its assignment.</summary>
public sealed record UserTaskRecord
{
    /// <summary>The underlying task (state, deadline, input in <see cref="TaskRecord.Arguments"/>, result schema).</summary>
    public required TaskRecord Task { get; init; }

    /// <summary>Title.</summary>
    public required string Name { get; init; }

    /// <summary>Kind.</summary>
    public required string Spec { get; init; }

    /// <summary>Action.</summary>
    public required string Action { get; init; }

    /// <summary>Assigned user.</summary>
    public string? User { get; init; }

    /// <summary>Assigned roles.</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>Priority.</summary>
    public int Priority { get; init; }

    /// <summary>Due date.</summary>
    public DateTimeOffset? DueAt { get; init; }

    /// <summary>Follow-up date.</summary>
    public DateTimeOffset? FollowUpAt { get; init; }

    /// <summary>Enrich path.</summary>
    public string? EnrichPath { get; init; }

    /// <summary>Data type name.</summary>
    public string? DataType { get; init; }

    /// <summary>Claimant.</summary>
    public string? ClaimedBy { get; init; }

    /// <summary>When claimed.</summary>
    public DateTimeOffset? ClaimedAt { get; init; }
}

/// <summary>
/// Who acts on a user task, checked by the store in the same transaction as the change: the task must be assigned to
/// <see cref="UserId"/> or one of <see cref="Roles"/>, unless <see cref="Override"/>.
/// </summary>
/// <param name="UserId">The acting user.</param>
/// <param name="Roles">Its roles, lowercase.</param>
/// <param name="Override">Whether assignment (and, where the operation allows, another's claim) is overridden.</param>
public sealed record UserTaskAccess(string UserId, IReadOnlyList<string> Roles, bool Override)
{
    /// <summary>Whether the task is assigned to this user or one of its roles.</summary>
    public bool IsAssigned(string? user, IReadOnlyList<string> roles) =>
        user is not null && string.Equals(user, UserId, StringComparison.Ordinal) || roles.Any(r => Roles.Contains(r, StringComparer.Ordinal));
}

/// <summary>Which user-task change to make; see <see cref="IUserTaskStore.ChangeUserTaskAsync"/>.</summary>
public enum UserTaskChangeKind
{
    /// <summary>Claim for the acting user: refused if not assigned (unless override) or claimed by another.</summary>
    Claim,

    /// <summary>Release the claim: the claimant's own, or anyone's with override; releasing an unclaimed task changes nothing.</summary>
    Unclaim,

    /// <summary>Replace user and roles and release any claim (the caller checks the privilege).</summary>
    Reassign,
}

/// <summary>A change of a user task's claim or assignment.</summary>
public sealed record UserTaskChange
{
    /// <summary>The task.</summary>
    public required string TaskId { get; init; }

    /// <summary>Which change.</summary>
    public required UserTaskChangeKind Kind { get; init; }

    /// <summary>Who acts.</summary>
    public required UserTaskAccess Access { get; init; }

    /// <summary>New user for <see cref="UserTaskChangeKind.Reassign"/>.</summary>
    public string? User { get; init; }

    /// <summary>New roles for <see cref="UserTaskChangeKind.Reassign"/> (lowercase, distinct).</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>For the audit trail.</summary>
    public required AuditSource Source { get; init; }

    /// <summary>When.</summary>
    public required DateTimeOffset At { get; init; }
}

/// <summary>What happened to a <see cref="UserTaskChange"/>.</summary>
public enum UserTaskChangeStatus
{
    /// <summary>Applied (or nothing needed changing).</summary>
    Applied,

    /// <summary>No such user task.</summary>
    NotFound,

    /// <summary>The task is no longer open.</summary>
    WrongState,

    /// <summary>Not assigned to the acting user or its roles.</summary>
    NotAssigned,

    /// <summary>Claimed by someone else (<see cref="UserTaskRecord.ClaimedBy"/>).</summary>
    ClaimedByOther,
}

/// <summary>The status of a user-task change and the task as it is after it (null when not found).</summary>
public sealed record UserTaskChangeResult(UserTaskChangeStatus Status, UserTaskRecord? Task);

/// <summary>Inbox listing filters; only open user tasks. Order by the sort key then task id.</summary>
public sealed record UserTaskListQuery
{
    /// <summary>Only tasks assigned to this user or these roles; null lists every open user task.</summary>
    public UserTaskAccess? VisibleTo { get; init; }

    /// <summary>Claim filter, relative to <see cref="ClaimantId"/>.</summary>
    public InboxClaimFilter Claimed { get; init; } = InboxClaimFilter.Any;

    /// <summary>The user the claim filter is about.</summary>
    public string? ClaimantId { get; init; }

    /// <summary>Only this spec.</summary>
    public string? Spec { get; init; }

    /// <summary>Only this action.</summary>
    public string? Action { get; init; }

    /// <summary>Only at least this priority.</summary>
    public int? MinPriority { get; init; }

    /// <summary>Only due strictly before.</summary>
    public DateTimeOffset? DueBefore { get; init; }

    /// <summary>Only names containing this text (case-insensitive for ASCII letters).</summary>
    public string? Text { get; init; }

    /// <summary>Order.</summary>
    public InboxSort Sort { get; init; } = InboxSort.Due;

    /// <summary>Maximum rows.</summary>
    public int Limit { get; init; } = 50;

    /// <summary>Keyset position: rows strictly after this (sort key, task id). The sort key is epoch ms for Due (long.MaxValue when none) and Age, and the priority for Priority.</summary>
    public (long Key, string TaskId)? After { get; init; }
}
