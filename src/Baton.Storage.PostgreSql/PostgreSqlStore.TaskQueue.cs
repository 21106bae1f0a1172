using Baton.Engine.Storage;
using Baton.Storage.PostgreSql.Internal;

namespace Baton.Storage.PostgreSql;

public sealed partial class PostgreSqlStore
{
    private const string ServiceFilter = "service_name = ANY(@services)";

    /// <inheritdoc />
    public Task<TaskClaimBatch> ClaimTasksAsync(string owner, IReadOnlyCollection<string> serviceNames, int max, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(serviceNames);
        var services = serviceNames.Distinct(StringComparer.Ordinal).ToArray();
        return WriteAsync(
            ctx =>
            {
                var nowMs = Rows.Ms(now);
                // Expired claims first, then ready tasks; rows another node is claiming right now are skipped, not waited for.
                var ids = ctx.Sql.Query(
                    "SELECT task_id FROM tasks WHERE state = 'Running' AND " + ServiceFilter +
                    " AND (lease_owner IS NULL OR (lease_owner <> @owner AND (lease_until IS NULL OR lease_until <= @now))) " +
                    "ORDER BY ready_at, task_id LIMIT @max FOR UPDATE SKIP LOCKED",
                    Rows.Id, ("@services", services), ("@owner", owner), ("@now", nowMs), ("@max", Math.Max(0, max)));
                if (ids.Count < max)
                {
                    ids.AddRange(ctx.Sql.Query(
                        "SELECT task_id FROM tasks WHERE state = 'Scheduled' AND " + ServiceFilter + " AND ready_at <= @now " +
                        "ORDER BY ready_at, task_id LIMIT @max FOR UPDATE SKIP LOCKED",
                        Rows.Id, ("@services", services), ("@now", nowMs), ("@max", max - ids.Count)));
                }
                var claimed = new List<TaskRecord>(ids.Count);
                if (ids.Count > 0)
                {
                    var rows = ctx.Sql.Query(
                        "UPDATE tasks SET state = 'Running', attempt = attempt + 1, lease_owner = @owner, lease_until = @until, updated_at = @now " +
                        "WHERE task_id = ANY(@ids) RETURNING " + Rows.TaskColumns,
                        Rows.Task, ("@ids", ids.ToArray()), ("@owner", owner), ("@until", Rows.Ms(leaseUntil)), ("@now", nowMs))
                        .ToDictionary(t => t.TaskId, StringComparer.Ordinal);
                    claimed.AddRange(ids.Select(id => rows[id]));
                    ctx.Sql.Exec(
                        "INSERT INTO task_audit (task_id, seq, at, kind, actor, via, detail, data) " +
                        "SELECT c.task_id, COALESCE((SELECT MAX(a.seq) FROM task_audit a WHERE a.task_id = c.task_id), 0) + 1, @now, 'Started', " +
                        "@owner, 'worker', 'attempt ' || c.attempt, NULL FROM unnest(@ids, @attempts) AS c(task_id, attempt)",
                        ("@ids", claimed.Select(t => t.TaskId).ToArray()), ("@attempts", claimed.Select(t => t.Attempt).ToArray()),
                        ("@now", nowMs), ("@owner", owner));
                }
                var next = ctx.Sql.Long(
                    "SELECT MIN(ready_at) FROM tasks WHERE state = 'Scheduled' AND " + ServiceFilter + " AND ready_at > @now",
                    ("@services", services), ("@now", nowMs));
                return new TaskClaimBatch(claimed, next is { } ms ? Rows.Time(ms) : null);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<HandlerOutcomeStatus>> RecordHandlerOutcomesAsync(IReadOnlyList<HandlerOutcome> outcomes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        return WriteAsync<IReadOnlyList<HandlerOutcomeStatus>>(
            ctx => outcomes.Select(outcome => ctx.Element(() => ApplyOutcome(ctx, outcome))).ToList(),
            cancellationToken);
    }

    private static HandlerOutcomeStatus ApplyOutcome(WriteContext ctx, HandlerOutcome outcome)
    {
        var task = Mutations.GetTask(ctx, outcome.TaskId);
        if (task is null || task.State != TaskState.Running || task.Attempt != outcome.Attempt
            || !string.Equals(task.LeaseOwner, outcome.Owner, StringComparison.Ordinal))
        {
            return HandlerOutcomeStatus.Superseded;
        }
        var worker = new AuditSource(outcome.Owner, "worker");
        var at = Rows.Ms(outcome.At);
        switch (outcome.Kind)
        {
            case HandlerOutcomeKind.Returned:
                Mutations.FinishTask(ctx, task, TaskState.Completed, outcome.Result, null, outcome.At, worker);
                break;
            case HandlerOutcomeKind.Failed:
                Mutations.FinishTask(ctx, task, TaskState.Failed, null, outcome.Error ?? JsonText.Error("Failed", "handler failed"), outcome.At, worker);
                break;
            case HandlerOutcomeKind.Delegated:
                var due = task.HeartbeatInterval is { } interval ? outcome.At + interval : (DateTimeOffset?)null;
                ctx.Sql.Exec(
                    "UPDATE tasks SET state = 'Delegated', delegated_at = @at, updated_at = @at, heartbeat_due_at = @due, " +
                    "lease_owner = NULL, lease_until = NULL WHERE task_id = @id",
                    ("@id", task.TaskId), ("@at", at), ("@due", Rows.Ms(due)));
                if (due is { } dueAt)
                {
                    Mutations.InsertTimer(ctx, new NewTimer(TimerKind.TaskHeartbeat, dueAt, task.WorkflowId, task.CommandId, task.TaskId));
                }
                Mutations.Audit(ctx, task.TaskId, outcome.At, "Delegated", worker, null, outcome.Result);
                Mutations.AppendHistory(ctx, task.WorkflowId, new NewHistoryEvent(
                    HistoryEventKind.TaskDelegated, outcome.At, task.CommandId, task.ServiceName + "." + task.MethodName, task.TaskId, outcome.Result));
                break;
            case HandlerOutcomeKind.RetryScheduled:
                ctx.Sql.Exec(
                    "UPDATE tasks SET state = 'Scheduled', ready_at = @ready, updated_at = @at, lease_owner = NULL, lease_until = NULL WHERE task_id = @id",
                    ("@id", task.TaskId), ("@at", at), ("@ready", Rows.Ms(outcome.RetryAt ?? outcome.At)));
                Mutations.Audit(ctx, task.TaskId, outcome.At, "HandlerFailed", worker, null, outcome.Error);
                ctx.Effects.TasksReady = true;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(outcome), outcome.Kind, "Unknown handler outcome kind.");
        }
        return HandlerOutcomeStatus.Applied;
    }

    /// <inheritdoc />
    public Task RenewTaskLeasesAsync(string owner, IReadOnlyList<string> taskIds, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(taskIds);
        return WriteAsync(
            ctx =>
            {
                foreach (var id in taskIds)
                {
                    ctx.Sql.Exec(
                        "UPDATE tasks SET lease_until = @until WHERE task_id = @id AND lease_owner = @owner AND state = 'Running'",
                        ("@id", id), ("@owner", owner), ("@until", Rows.Ms(leaseUntil)));
                }
            },
            cancellationToken);
    }
}
