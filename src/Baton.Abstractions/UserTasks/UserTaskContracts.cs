using System.Text.Json;

namespace Baton;

/// <summary>A user task as a person (or an operator) sees it.</summary>
public sealed record UserTaskInfo
{
    /// <summary>Task id.</summary>
    public required string TaskId { get; init; }

    /// <summary>The workflow that waits for it.</summary>
    public required string WorkflowId { get; init; }

    /// <summary>Title.</summary>
    public required string Name { get; init; }

    /// <summary>Kind of task.</summary>
    public required string Spec { get; init; }

    /// <summary>Action to take.</summary>
    public required string Action { get; init; }

    /// <summary>The one user it is assigned to, if any.</summary>
    public string? User { get; init; }

    /// <summary>Roles whose holders may do it.</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>Who claimed it, if anyone: only they may complete it until they release it.</summary>
    public string? ClaimedBy { get; init; }

    /// <summary>When it was claimed.</summary>
    public DateTimeOffset? ClaimedAt { get; init; }

    /// <summary>Priority (higher first).</summary>
    public int Priority { get; init; }

    /// <summary>When it should be done.</summary>
    public DateTimeOffset? DueAt { get; init; }

    /// <summary>When to look at it again.</summary>
    public DateTimeOffset? FollowUpAt { get; init; }

    /// <summary>When it times out, if it does.</summary>
    public DateTimeOffset? TimeoutAt { get; init; }

    /// <summary>Its state (<see cref="TaskState.Delegated"/> while open).</summary>
    public required TaskState State { get; init; }

    /// <summary>When it was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it got its outcome.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>What the person needs to see.</summary>
    public JsonElement? Input { get; init; }

    /// <summary>Where the submitted data is merged into the input, if anywhere.</summary>
    public string? EnrichPath { get; init; }

    /// <summary>The JSON Schema the submitted data must match (for building a form); only on single-task reads.</summary>
    public JsonElement? DataSchema { get; init; }

    /// <summary>Tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
}

/// <summary>How the inbox is ordered.</summary>
public enum InboxSort
{
    /// <summary>Earliest due date first; tasks without one last.</summary>
    Due,

    /// <summary>Highest priority first.</summary>
    Priority,

    /// <summary>Oldest first.</summary>
    Age,
}

/// <summary>Which claimed tasks the inbox shows.</summary>
public enum InboxClaimFilter
{
    /// <summary>What the caller can act on: unclaimed tasks and the caller's own claims.</summary>
    Actionable,

    /// <summary>Only tasks the caller claimed.</summary>
    Mine,

    /// <summary>Only unclaimed tasks.</summary>
    Unclaimed,

    /// <summary>Also tasks others claimed (shown with their claimant).</summary>
    Any,
}

/// <summary>Filters, order and page of an inbox listing. Only open user tasks are listed.</summary>
public sealed record InboxQuery
{
    /// <summary>Only this kind of task.</summary>
    public string? Spec { get; init; }

    /// <summary>Only this action.</summary>
    public string? Action { get; init; }

    /// <summary>Only at least this priority.</summary>
    public int? MinPriority { get; init; }

    /// <summary>Only tasks due strictly before this moment.</summary>
    public DateTimeOffset? DueBefore { get; init; }

    /// <summary>Only tasks whose name contains this text (case-insensitive).</summary>
    public string? Text { get; init; }

    /// <summary>Which claimed tasks to show.</summary>
    public InboxClaimFilter Claimed { get; init; } = InboxClaimFilter.Actionable;

    /// <summary>Every open user task, not only the caller's (operators and admins).</summary>
    public bool All { get; init; }

    /// <summary>Order.</summary>
    public InboxSort Sort { get; init; } = InboxSort.Due;

    /// <summary>Page size, 1 to 500.</summary>
    public int Limit { get; init; } = 50;

    /// <summary>The previous page's <see cref="UserTaskPage.NextCursor"/>.</summary>
    public string? Cursor { get; init; }
}

/// <summary>A page of user tasks.</summary>
/// <param name="Items">The tasks.</param>
/// <param name="NextCursor">Where the next page starts, or null on the last page.</param>
public sealed record UserTaskPage(IReadOnlyList<UserTaskInfo> Items, string? NextCursor);

/// <summary>A new assignment for a user task (reassign): replaces user and roles and releases any claim.</summary>
/// <param name="User">The user, or null for none.</param>
/// <param name="Roles">The roles, or null/empty for none.</param>
public sealed record UserTaskAssignment(string? User, IReadOnlyList<string>? Roles);
