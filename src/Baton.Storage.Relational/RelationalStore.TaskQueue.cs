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

    public Task RenewTaskLeasesAsync(string owner, IReadOnlyList<string> taskIds, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
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
