using Baton.Engine.Storage;

namespace Baton.Storage.Relational;

// ITimerStore.
internal sealed partial class RelationalStore
{
    private static readonly string DeadlinePassed = JsonText.Error("TimedOut", "delegation deadline passed");
    private static readonly string HeartbeatMissed = JsonText.Error("TimedOut", "heartbeat interval passed without progress");

    private sealed record TimerRow(long Id, TimerKind Kind, long DueAt, string WorkflowId, int? CommandId, string? TaskId);

    public Task<TimerFireResult> FireDueTimersAsync(DateTimeOffset now, int max, CancellationToken cancellationToken) =>
        WriteAsync(
            ctx =>
            {
                var timers = ctx.Sql.Query(
                    "SELECT id, kind, due_at, workflow_id, command_id, task_id FROM timers WHERE due_at <= @now ORDER BY due_at, id LIMIT @max {for update skip locked}",
                    r => new TimerRow(r.GetInt64(0), Enum.Parse<TimerKind>(r.GetString(1)), r.GetInt64(2), r.GetString(3),
                        r.IsDBNull(4) ? null : r.GetInt32(4), r.IsDBNull(5) ? null : r.GetString(5)),
                    ("@now", Rows.Ms(now)), ("@max", Math.Max(0, max)));
                var fired = 0;
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
                var next = ctx.Sql.Long("SELECT MIN(due_at) FROM timers");
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
                        ctx.Sql.Exec("UPDATE timers SET due_at = @due WHERE id = @id", ("@id", timer.Id), ("@due", Rows.Ms(due)));
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

    private static void DeleteTimer(WriteContext ctx, long id) => ctx.Sql.Exec("DELETE FROM timers WHERE id = @id", ("@id", id));

    public async Task<DateTimeOffset?> GetNextTimerDueAsync(CancellationToken cancellationToken) =>
        await _runner.ReadScalarAsync("SELECT MIN(due_at) FROM timers", [], cancellationToken).ConfigureAwait(false) is long ms ? Rows.Time(ms) : null;
}
