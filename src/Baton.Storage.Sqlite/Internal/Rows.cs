using Baton.Engine.Storage;
using Microsoft.Data.Sqlite;

namespace Baton.Storage.Sqlite.Internal;

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

    public const string HistoryColumns = "seq, kind, at, command_id, name, ref_id, payload";

    public const string InboxColumns = "id, workflow_id, kind, command_id, ref_id, payload, at";

    public const string AuditColumns = "seq, at, kind, actor, via, detail, data";

    public static long Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    public static long? Ms(DateTimeOffset? time) => time?.ToUnixTimeMilliseconds();

    public static long? Ms(TimeSpan? span) => span is { } s ? (long)s.TotalMilliseconds : null;

    public static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    public static WorkflowRecord Workflow(SqliteDataReader r) => new()
    {
        Id = r.GetString(0),
        Name = r.GetString(1),
        State = Enum.Parse<WorkflowState>(r.GetString(2)),
        Input = Str(r, 3),
        Result = Str(r, 4),
        Error = Str(r, 5),
        ParentId = Str(r, 6),
        ParentCommandId = r.IsDBNull(7) ? null : r.GetInt32(7),
        Tags = JsonText.ReadTags(r.GetString(8)),
        Meta = JsonText.ReadMeta(r.GetString(9)),
        CreatedAt = Time(r.GetInt64(10)),
        UpdatedAt = Time(r.GetInt64(11)),
        CompletedAt = At(r, 12),
        Version = r.GetInt64(13),
    };

    public static TaskRecord Task(SqliteDataReader r) => new()
    {
        TaskId = r.GetString(0),
        WorkflowId = r.GetString(1),
        CommandId = r.GetInt32(2),
        ServiceName = r.GetString(3),
        MethodName = r.GetString(4),
        Arguments = r.GetString(5),
        IsDelegated = r.GetInt64(6) != 0,
        State = Enum.Parse<TaskState>(r.GetString(7)),
        Attempt = r.GetInt32(8),
        DeadlineAt = At(r, 9),
        HeartbeatInterval = Span(r, 10),
        HeartbeatDueAt = At(r, 11),
        HandlerTimeout = Span(r, 12),
        RetryPolicy = Str(r, 13),
        ResultSchemaId = Str(r, 14),
        Result = Str(r, 15),
        Error = Str(r, 16),
        Tags = JsonText.ReadTags(r.GetString(17)),
        Meta = JsonText.ReadMeta(r.GetString(18)),
        CreatedAt = Time(r.GetInt64(19)),
        UpdatedAt = Time(r.GetInt64(20)),
        DelegatedAt = At(r, 21),
        CompletedAt = At(r, 22),
        ReadyAt = At(r, 23),
        LeaseOwner = Str(r, 24),
        LeaseUntil = At(r, 25),
        ProgressPercent = r.IsDBNull(26) ? null : r.GetDouble(26),
        ProgressMessage = Str(r, 27),
        ProgressDetails = Str(r, 28),
        ProgressAt = At(r, 29),
    };

    public static HistoryEvent History(SqliteDataReader r) => new(
        r.GetInt64(0),
        Enum.Parse<HistoryEventKind>(r.GetString(1)),
        Time(r.GetInt64(2)),
        r.IsDBNull(3) ? null : r.GetInt32(3),
        Str(r, 4),
        Str(r, 5),
        Str(r, 6));

    public static InboxMessage Inbox(SqliteDataReader r) => new(
        r.GetInt64(0),
        r.GetString(1),
        Enum.Parse<InboxMessageKind>(r.GetString(2)),
        r.GetInt32(3),
        Str(r, 4),
        Str(r, 5),
        Time(r.GetInt64(6)));

    public static TaskAuditRecord Audit(SqliteDataReader r) => new(
        r.GetInt64(0),
        Time(r.GetInt64(1)),
        r.GetString(2),
        r.GetString(3),
        r.GetString(4),
        Str(r, 5),
        Str(r, 6));

    public static string Id(SqliteDataReader r) => r.GetString(0);

    private static string? Str(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static DateTimeOffset? At(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : Time(r.GetInt64(i));

    private static TimeSpan? Span(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : TimeSpan.FromMilliseconds(r.GetInt64(i));
}
