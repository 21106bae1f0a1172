using Baton.Engine.Storage;

namespace Baton.Storage.Relational;

// ITimerStore.
internal sealed partial class RelationalStore
{
    private static readonly string DeadlinePassed = JsonText.Error("TimedOut", "delegation deadline passed");
    private static readonly string HeartbeatMissed = JsonText.Error("TimedOut", "heartbeat interval passed without progress");

    private sealed record TimerRow(long Id, TimerKind Kind, long DueAt, string WorkflowId, int? CommandId, string? TaskId);

    // Open tasks past their delegation deadline: read from the task rows themselves (no timer row per task).
    private const string DueDeadlines =
        "SELECT " + Rows.TaskColumns + " FROM tasks {indexed by ix_tasks_open_deadline} WHERE open = {true} AND deadline_at IS NOT NULL " +
        "AND deadline_at <= @now ORDER BY deadline_at, task_id LIMIT @max {for update skip locked}";

    // The earliest of the timer rows and of the open tasks' deadlines.
    private const string NextDue =
        "SELECT MIN(due) FROM (SELECT MIN(due_at) AS due FROM timers UNION ALL " +
        "SELECT MIN(deadline_at) AS due FROM tasks {indexed by ix_tasks_open_deadline} WHERE open = {true} AND deadline_at IS NOT NULL) AS d";

    public Task<TimerFireResult> FireDueTimersAsync(DateTimeOffset now, int max, CancellationToken cancellationToken) =>
        WriteAsync(
            ctx =>
            {
                var nowMs = Rows.Ms(now);
                // Deadlines and timer rows share the max: it bounds one round trip's work, whichever kind is due.
                var fired = 0;
                foreach (var task in ctx.Sql.Query(DueDeadlines, Rows.Task, ("@now", nowMs), ("@max", Math.Max(0, max))))
                {
                    Mutations.FinishTask(ctx, task, TaskState.TimedOut, null, DeadlinePassed, now, AuditSource.Timer);
                    fired++;
                }
                var timers = ctx.Sql.Query(
                    "SELECT id, kind, due_at, workflow_id, command_id, task_id FROM timers WHERE due_at <= @now ORDER BY due_at, id LIMIT @max {for update skip locked}",
                    r => new TimerRow(r.GetInt64(0), Enum.Parse<TimerKind>(r.GetString(1)), r.GetInt64(2), r.GetString(3),
                        r.IsDBNull(4) ? null : r.GetInt32(4), r.IsDBNull(5) ? null : r.GetString(5)),
                    ("@now", nowMs), ("@max", Math.Max(0, max - fired)));
                foreach (var timer in timers)
                {
                    // An earlier timer of this batch may have removed this one (a task's outcome deletes its timers).
                    if (ctx.Sql.Long("SELECT COUNT(*) FROM timers WHERE id = @id", ("@id", timer.Id)) == 0)
                    {
                        continue;
                    }
                    Fire(ctx, timer, now);
                    fired++;
                }
                var next = ctx.Sql.Long(NextDue);
                return new TimerFireResult(fired, next is { } ms ? Rows.Time(ms) : null);
            },
            cancellationToken);

    private static void Fire(WriteContext ctx, TimerRow timer, DateTimeOffset now)
    {
        switch (timer.Kind)
        {
            case TimerKind.WorkflowTimer:
                DeleteTimer(ctx, timer.Id);
                Mutations.PostMessage(ctx, new NewInboxMessage(
                    timer.WorkflowId, InboxMessageKind.TimerFired, timer.CommandId ?? 0, null, JsonText.Time(Rows.Time(timer.DueAt)), now));
                break;
            case TimerKind.TaskDeadline:
                // Made by versions before deadlines were read from the task rows; the task may have timed out above already.
                DeleteTimer(ctx, timer.Id);
                if (TaskOf(ctx, timer) is { } task && task.State.IsOpen())
                {
                    Mutations.FinishTask(ctx, task, TaskState.TimedOut, null, DeadlinePassed, now, AuditSource.Timer);
                }
                break;
            case TimerKind.TaskHeartbeat:
                var target = TaskOf(ctx, timer);
                if (target is { HeartbeatDueAt: { } due } && target.State.IsOpen())
                {
                    if (due <= now)
                    {
                        DeleteTimer(ctx, timer.Id);
                        Mutations.FinishTask(ctx, target, TaskState.TimedOut, null, HeartbeatMissed, now, AuditSource.Timer);
                    }
                    else
                    {
                        ctx.Sql.Send("UPDATE timers SET due_at = @due WHERE id = @id", ("@id", timer.Id), ("@due", Rows.Ms(due)));
                        ctx.Effects.TimersChanged = true;
                    }
                }
                else
                {
                    DeleteTimer(ctx, timer.Id);
                }
                break;
            default:
                DeleteTimer(ctx, timer.Id);
                break;
        }
    }

    private static TaskRecord? TaskOf(WriteContext ctx, TimerRow timer) =>
        timer.TaskId is { } id ? Mutations.GetTask(ctx, id) : null;

    private static void DeleteTimer(WriteContext ctx, long id) => ctx.Sql.Send("DELETE FROM timers WHERE id = @id", ("@id", id));

    public async Task<DateTimeOffset?> GetNextTimerDueAsync(CancellationToken cancellationToken) =>
        await _runner.ReadScalarAsync(NextDue, [], cancellationToken).ConfigureAwait(false) is long ms ? Rows.Time(ms) : null;
}
