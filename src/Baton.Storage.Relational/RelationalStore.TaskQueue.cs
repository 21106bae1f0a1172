using Baton.Engine.Storage;

namespace Baton.Storage.Relational;

// ITaskQueue; the claim query itself is the engine's (IClaimQueries).
internal sealed partial class RelationalStore
{
    public Task<TaskClaimBatch> ClaimTasksAsync(string owner, IReadOnlyCollection<string> serviceNames, int max, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(serviceNames);
        // Copied on the caller's thread, not the writer's; each name is read once.
        var services = serviceNames.Distinct(StringComparer.Ordinal).ToArray();
        return WriteAsync(ctx => _claims.ClaimTasks(ctx, owner, services, max, now, leaseUntil), cancellationToken);
    }

    public Task<IReadOnlyList<HandlerOutcomeStatus>> RecordHandlerOutcomesAsync(IReadOnlyList<HandlerOutcome> outcomes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        return WriteEachAsync(outcomes, ApplyOutcome, cancellationToken);
    }

    // A delegated outcome checks the claim and records it in one update, returning what the audit and history need.
    private static readonly KeyedUpdate Delegate = new(
        "tasks", "task_id",
        "state = 'Delegated', delegated_at = @at, updated_at = @at, " +
        "heartbeat_due_at = CASE WHEN heartbeat_interval IS NULL THEN NULL ELSE @at + heartbeat_interval END, lease_owner = NULL, lease_until = NULL",
        " AND state = 'Running' AND attempt = @attempt AND lease_owner = @owner",
        "workflow_id, command_id, service_name, method_name, heartbeat_due_at");

    private sealed record DelegatedRow(string WorkflowId, int CommandId, string ServiceName, string MethodName, long? HeartbeatDueAt);

    private static HandlerOutcomeStatus ApplyOutcome(WriteContext ctx, HandlerOutcome outcome)
    {
        var worker = new AuditSource(outcome.Owner, "worker");
        if (outcome.Kind == HandlerOutcomeKind.Delegated)
        {
            return ApplyDelegated(ctx, outcome, worker);
        }
        var task = Mutations.GetTask(ctx, outcome.TaskId);
        if (task is null || task.State != TaskState.Running || task.Attempt != outcome.Attempt
            || !string.Equals(task.LeaseOwner, outcome.Owner, StringComparison.Ordinal))
        {
            return HandlerOutcomeStatus.Superseded;
        }
        switch (outcome.Kind)
        {
            case HandlerOutcomeKind.Returned:
                Mutations.FinishTask(ctx, task, TaskState.Completed, outcome.Result, null, outcome.At, worker);
                break;
            case HandlerOutcomeKind.Failed:
                Mutations.FinishTask(ctx, task, TaskState.Failed, null, outcome.Error ?? JsonText.Error("Failed", "handler failed"), outcome.At, worker);
                break;
            case HandlerOutcomeKind.RetryScheduled:
                ctx.Sql.Send(
                    "UPDATE tasks SET state = 'Scheduled', ready_at = @ready, updated_at = @at, lease_owner = NULL, lease_until = NULL WHERE task_id = @id",
                    ("@id", task.TaskId), ("@at", Rows.Ms(outcome.At)), ("@ready", Rows.Ms(outcome.RetryAt ?? outcome.At)));
                Mutations.Audit(ctx, task.TaskId, outcome.At, "HandlerFailed", worker, null, outcome.Error);
                ctx.Effects.TasksReady = true;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(outcome), outcome.Kind, "Unknown handler outcome kind.");
        }
        return HandlerOutcomeStatus.Applied;
    }

    private static HandlerOutcomeStatus ApplyDelegated(WriteContext ctx, HandlerOutcome outcome, AuditSource worker)
    {
        var task = Delegate.Run(
            ctx.Sql,
            r => new DelegatedRow(r.GetString(0), r.GetInt32(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetInt64(4)),
            ("@id", outcome.TaskId), ("@at", Rows.Ms(outcome.At)), ("@attempt", outcome.Attempt), ("@owner", outcome.Owner));
        if (task is null)
        {
            return HandlerOutcomeStatus.Superseded;
        }
        if (task.HeartbeatDueAt is { } due)
        {
            Mutations.InsertTimer(ctx, new NewTimer(TimerKind.TaskHeartbeat, Rows.Time(due), task.WorkflowId, task.CommandId, outcome.TaskId));
        }
        Mutations.Audit(ctx, outcome.TaskId, outcome.At, "Delegated", worker, null, outcome.Result);
        Mutations.AppendHistory(ctx, task.WorkflowId, new NewHistoryEvent(
            HistoryEventKind.TaskDelegated, outcome.At, task.CommandId, task.ServiceName + "." + task.MethodName, outcome.TaskId, outcome.Result));
        return HandlerOutcomeStatus.Applied;
    }

    public Task RenewTaskLeasesAsync(string owner, IReadOnlyList<string> taskIds, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(taskIds);
        return WriteAsync(
            ctx =>
            {
                foreach (var id in taskIds)
                {
                    ctx.Sql.Send(
                        "UPDATE tasks SET lease_until = @until WHERE task_id = @id AND lease_owner = @owner AND state = 'Running'",
                        ("@id", id), ("@owner", owner), ("@until", Rows.Ms(leaseUntil)));
                }
            },
            cancellationToken);
    }
}
