using System.Globalization;
using Baton.Engine.Storage;

namespace Baton.Storage.Relational;

// ITaskStore.
internal sealed partial class RelationalStore
{
    private const string WatermarkKey = "timeout-between.watermark";

    public Task<TaskRecord?> GetTaskAsync(string taskId, CancellationToken cancellationToken) =>
        _runner.ReadFirstAsync("SELECT " + Rows.TaskColumns + " FROM tasks WHERE task_id = @id", Rows.Task, [("@id", taskId)], cancellationToken);

    public Task<IReadOnlyList<TaskRecord>> ListTasksAsync(TaskListQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (text, args) = ListTasksSql(query);
        return _runner.ReadListAsync(text, Rows.Task, args, cancellationToken);
    }

    public Task<IReadOnlyList<TaskAuditRecord>> GetTaskAuditAsync(string taskId, CancellationToken cancellationToken) =>
        _runner.ReadListAsync("SELECT " + Rows.AuditColumns + " FROM task_audit WHERE task_id = @id ORDER BY seq", Rows.Audit, [("@id", taskId)], cancellationToken);

    public Task<TaskOperationResult> ResolveTaskAsync(TaskResolution resolution, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resolution);
        return WriteAsync(ctx => Resolve(ctx, resolution), cancellationToken);
    }

    private static TaskOperationResult Resolve(WriteContext ctx, TaskResolution resolution)
    {
        var (state, result, error) = resolution.Kind switch
        {
            TaskResolutionKind.Complete => (TaskState.Completed, resolution.Result, (string?)null),
            TaskResolutionKind.Fail => (TaskState.Failed, null, resolution.Error ?? JsonText.Error("Failed", "failed")),
            TaskResolutionKind.TimeOut => (TaskState.TimedOut, null, resolution.Error ?? JsonText.Error("TimedOut", "timed out")),
            _ => throw new ArgumentOutOfRangeException(nameof(resolution), resolution.Kind, "Unknown resolution kind."),
        };
        if (resolution.UserAccess is null)
        {
            // The usual case, an open task getting its outcome, in one conditional update; every refusal is explained below.
            var done = Mutations.FinishIfOpen(
                ctx, resolution.TaskId, resolution.ServiceName, resolution.RequireDelegated, state, result, error, resolution.At, resolution.Source, resolution.AuditDetail);
            if (done is not null)
            {
                return new TaskOperationResult(TaskResolutionStatus.Applied, done);
            }
        }
        var task = Mutations.GetTask(ctx, resolution.TaskId);
        if (task is null || (resolution.ServiceName is not null && !string.Equals(resolution.ServiceName, task.ServiceName, StringComparison.Ordinal)))
        {
            return new TaskOperationResult(TaskResolutionStatus.NotFound, null);
        }
        if (resolution.RequireDelegated && !task.IsDelegated)
        {
            return new TaskOperationResult(TaskResolutionStatus.NotDelegated, task);
        }
        if (!task.State.IsOpen())
        {
            return new TaskOperationResult(TaskResolutionStatus.WrongState, task);
        }
        if (resolution.UserAccess is { } access)
        {
            // The person's right to decide is checked under the same lock as the decision: a claim or reassignment that
            // commits first wins, one that comes later finds the task finished.
            var userTask = Mutations.GetUserTask(ctx, task.TaskId);
            if (userTask is not null && Mutations.Refusal(userTask, access) is { } refusal)
            {
                return new TaskOperationResult(refusal, task, userTask.ClaimedBy);
            }
        }
        var finished = Mutations.FinishTask(ctx, task, state, result, error, resolution.At, resolution.Source, resolution.AuditDetail);
        return new TaskOperationResult(TaskResolutionStatus.Applied, finished);
    }

    public Task<TaskOperationResult> RecordProgressAsync(TaskProgressUpdate update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        return WriteAsync(
            ctx =>
            {
                var task = Mutations.GetTask(ctx, update.TaskId);
                if (task is null || (update.ServiceName is not null && !string.Equals(update.ServiceName, task.ServiceName, StringComparison.Ordinal)))
                {
                    return new TaskOperationResult(TaskResolutionStatus.NotFound, null);
                }
                if (!task.State.IsOpen())
                {
                    return new TaskOperationResult(TaskResolutionStatus.WrongState, task);
                }
                var at = Rows.Ms(update.At);
                ctx.Sql.Send(
                    "UPDATE tasks SET progress_percent = @percent, progress_message = @message, progress_details = @details, progress_at = @at, " +
                    "updated_at = @at, heartbeat_due_at = CASE WHEN heartbeat_interval IS NULL THEN heartbeat_due_at ELSE @at + heartbeat_interval END " +
                    "WHERE task_id = @id",
                    ("@id", task.TaskId), ("@percent", update.Percent), ("@message", update.Message), ("@details", update.Details), ("@at", at));
                var json = JsonText.Progress(update.Percent, update.Message, update.Details);
                Mutations.Audit(ctx, task.TaskId, update.At, "Progress", update.Source, null, json);
                Mutations.AppendHistory(ctx, task.WorkflowId, new NewHistoryEvent(
                    HistoryEventKind.TaskProgress, update.At, task.CommandId, task.ServiceName + "." + task.MethodName, task.TaskId, json));
                return new TaskOperationResult(TaskResolutionStatus.Applied, Mutations.GetTask(ctx, task.TaskId));
            },
            cancellationToken);
    }

    public Task<TaskOperationResult> RequestTaskRetryAsync(string taskId, string? serviceName, AuditSource source, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        return WriteAsync(
            ctx =>
            {
                var task = Mutations.GetTask(ctx, taskId);
                if (task is null || (serviceName is not null && !string.Equals(serviceName, task.ServiceName, StringComparison.Ordinal)))
                {
                    return new TaskOperationResult(TaskResolutionStatus.NotFound, null);
                }
                if (!task.IsDelegated)
                {
                    return new TaskOperationResult(TaskResolutionStatus.NotDelegated, task);
                }
                if (task.State != TaskState.Delegated)
                {
                    return new TaskOperationResult(TaskResolutionStatus.WrongState, task);
                }
                ctx.Sql.Send(
                    "UPDATE tasks SET state = 'Scheduled', ready_at = @at, updated_at = @at, lease_owner = NULL, lease_until = NULL, " +
                    "heartbeat_due_at = NULL WHERE task_id = @id",
                    ("@id", taskId), ("@at", Rows.Ms(at)));
                ctx.Sql.Send("DELETE FROM timers WHERE task_id = @id AND kind = 'TaskHeartbeat'", ("@id", taskId));
                Mutations.Audit(ctx, taskId, at, "RetryRequested", source, null, null);
                ctx.Effects.TasksReady = true;
                return new TaskOperationResult(TaskResolutionStatus.Applied, Mutations.GetTask(ctx, taskId));
            },
            cancellationToken);
    }

    public Task<TimeoutBetweenOutcome> TimeoutTasksBetweenAsync(DateTimeOffset? from, DateTimeOffset to, AuditSource source, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        return WriteAsync(
            ctx =>
            {
                var start = from;
                // The watermark row is locked first so that nodes running TimeoutBetween together take turns (where rows lock).
                ctx.Sql.Exec("INSERT INTO kv (key, value) VALUES (@key, '') ON CONFLICT (key) DO NOTHING", ("@key", WatermarkKey));
                if (ctx.Sql.Scalar("SELECT value FROM kv WHERE key = @key {for update}", ("@key", WatermarkKey)) is string stored && start is null && stored.Length > 0)
                {
                    start = Rows.Time(long.Parse(stored, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
                }
                var effectiveFrom = start ?? DateTimeOffset.MinValue;
                var tasks = ctx.Sql.Query(
                    "SELECT " + Rows.TaskColumns + " FROM tasks {indexed by ix_tasks_open_deadline} WHERE open = {true} AND deadline_at IS NOT NULL AND deadline_at >= @from AND deadline_at < @to " +
                    "ORDER BY deadline_at, task_id",
                    Rows.Task, ("@from", Rows.Ms(effectiveFrom)), ("@to", Rows.Ms(to)));
                var error = JsonText.Error("TimedOut", "timeout-between");
                foreach (var task in tasks)
                {
                    Mutations.FinishTask(ctx, task, TaskState.TimedOut, null, error, at, source);
                }
                ctx.Sql.Send(
                    "INSERT INTO kv (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    ("@key", WatermarkKey), ("@value", Invariant(Rows.Ms(to))));
                return new TimeoutBetweenOutcome(effectiveFrom, to, tasks.Select(t => t.TaskId).ToList());
            },
            cancellationToken);
    }
}
