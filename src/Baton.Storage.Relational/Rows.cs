using System.Data.Common;
using Baton.Engine.Storage;

namespace Baton.Storage.Relational;

/// <summary>Column lists and row mappers shared by readers and the writer.</summary>
internal static class Rows
{
    public const string WorkflowColumns =
        "id, name, state, input, result, error, parent_id, parent_command_id, tags, meta, created_at, updated_at, completed_at, version";

    public const string TaskColumns =
        "task_id, workflow_id, command_id, service_name, method_name, arguments, is_delegated, state, attempt, deadline_at, " +
        "heartbeat_interval, heartbeat_due_at, handler_timeout, retry_policy, result_schema_id, result, error, tags, meta, " +
        "created_at, updated_at, delegated_at, completed_at, ready_at, lease_owner, lease_until, " +
        "progress_percent, progress_message, progress_details, progress_at";

    /// <summary><see cref="TaskColumns"/> of the table aliased <c>t</c>, for joins.</summary>
    public static readonly string TaskColumnsOfT = "t." + TaskColumns.Replace(", ", ", t.", StringComparison.Ordinal);

    /// <summary>The columns of <c>user_tasks u</c> that <see cref="UserTask(DbDataReader)"/> reads, followed by <see cref="TaskColumnsOfT"/>.</summary>
    public const string UserTaskColumns =
        "u.name, u.spec, u.action, u.assignee, u.roles, u.priority, u.due_at, u.follow_up_at, u.enrich_path, u.data_type, u.claimed_by, u.claimed_at";

    public const string HistoryColumns = "seq, kind, at, command_id, name, ref_id, payload";

    public const string InboxColumns = "id, workflow_id, kind, command_id, ref_id, payload, at";

    public const string AuditColumns = "seq, at, kind, actor, via, detail, data";

    public static long Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    public static long? Ms(DateTimeOffset? time) => time?.ToUnixTimeMilliseconds();

    public static long? Ms(TimeSpan? span) => span is { } s ? (long)s.TotalMilliseconds : null;

    public static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    public static WorkflowRecord Workflow(DbDataReader r) => Workflow(r, 0);

    /// <summary>A workflow whose columns start at <paramref name="o"/>.</summary>
    public static WorkflowRecord Workflow(DbDataReader r, int o) => new()
    {
        Id = r.GetString(o + 0),
        Name = r.GetString(o + 1),
        State = Enum.Parse<WorkflowState>(r.GetString(o + 2)),
        Input = Str(r, o + 3),
        Result = Str(r, o + 4),
        Error = Str(r, o + 5),
        ParentId = Str(r, o + 6),
        ParentCommandId = r.IsDBNull(o + 7) ? null : r.GetInt32(o + 7),
        Tags = JsonText.ReadTags(r.GetString(o + 8)),
        Meta = JsonText.ReadMeta(r.GetString(o + 9)),
        CreatedAt = Time(r.GetInt64(o + 10)),
        UpdatedAt = Time(r.GetInt64(o + 11)),
        CompletedAt = At(r, o + 12),
        Version = r.GetInt64(o + 13),
    };

    public static TaskRecord Task(DbDataReader r) => Task(r, 0);

    /// <summary>A task whose columns start at <paramref name="o"/>.</summary>
    public static TaskRecord Task(DbDataReader r, int o) => new()
    {
        TaskId = r.GetString(o + 0),
        WorkflowId = r.GetString(o + 1),
        CommandId = r.GetInt32(o + 2),
        ServiceName = r.GetString(o + 3),
        MethodName = r.GetString(o + 4),
        Arguments = r.GetString(o + 5),
        IsDelegated = r.GetBoolean(o + 6),
        State = Enum.Parse<TaskState>(r.GetString(o + 7)),
        Attempt = r.GetInt32(o + 8),
        DeadlineAt = At(r, o + 9),
        HeartbeatInterval = Span(r, o + 10),
        HeartbeatDueAt = At(r, o + 11),
        HandlerTimeout = Span(r, o + 12),
        RetryPolicy = Str(r, o + 13),
        ResultSchemaId = Str(r, o + 14),
        Result = Str(r, o + 15),
        Error = Str(r, o + 16),
        Tags = JsonText.ReadTags(r.GetString(o + 17)),
        Meta = JsonText.ReadMeta(r.GetString(o + 18)),
        CreatedAt = Time(r.GetInt64(o + 19)),
        UpdatedAt = Time(r.GetInt64(o + 20)),
        DelegatedAt = At(r, o + 21),
        CompletedAt = At(r, o + 22),
        ReadyAt = At(r, o + 23),
        LeaseOwner = Str(r, o + 24),
        LeaseUntil = At(r, o + 25),
        ProgressPercent = r.IsDBNull(o + 26) ? null : r.GetDouble(o + 26),
        ProgressMessage = Str(r, o + 27),
        ProgressDetails = Str(r, o + 28),
        ProgressAt = At(r, o + 29),
    };

    /// <summary>A user task: <see cref="UserTaskColumns"/> then the task's columns.</summary>
    public static UserTaskRecord UserTask(DbDataReader r) => new()
    {
        Name = r.GetString(0),
        Spec = r.GetString(1),
        Action = r.GetString(2),
        User = Str(r, 3),
        Roles = JsonText.ReadTags(r.GetString(4)),
        Priority = r.GetInt32(5),
        DueAt = At(r, 6),
        FollowUpAt = At(r, 7),
        EnrichPath = Str(r, 8),
        DataType = Str(r, 9),
        ClaimedBy = Str(r, 10),
        ClaimedAt = At(r, 11),
        Task = Task(r, 12),
    };

    public static HistoryEvent History(DbDataReader r) => new(
        r.GetInt64(0),
        Enum.Parse<HistoryEventKind>(r.GetString(1)),
        Time(r.GetInt64(2)),
        r.IsDBNull(3) ? null : r.GetInt32(3),
        Str(r, 4),
        Str(r, 5),
        Str(r, 6));

    public static InboxMessage Inbox(DbDataReader r) => new(
        r.GetInt64(0),
        r.GetString(1),
        Enum.Parse<InboxMessageKind>(r.GetString(2)),
        r.GetInt32(3),
        Str(r, 4),
        Str(r, 5),
        Time(r.GetInt64(6)));

    public static TaskAuditRecord Audit(DbDataReader r) => new(
        r.GetInt64(0),
        Time(r.GetInt64(1)),
        r.GetString(2),
        r.GetString(3),
        r.GetString(4),
        Str(r, 5),
        Str(r, 6));

    private static string? Str(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static DateTimeOffset? At(DbDataReader r, int i) => r.IsDBNull(i) ? null : Time(r.GetInt64(i));

    private static TimeSpan? Span(DbDataReader r, int i) => r.IsDBNull(i) ? null : TimeSpan.FromMilliseconds(r.GetInt64(i));
}
