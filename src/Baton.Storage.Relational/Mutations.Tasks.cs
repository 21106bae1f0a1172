using Baton.Engine.Storage;

namespace Baton.Storage.Relational;

/// <summary>
/// Writes shared by several operations of the relational stores; always run on a writer, inside its transaction. One file per
/// store concept (<c>Mutations.Tasks.cs</c>, <c>Mutations.Workflows.cs</c>, ...); the operations that use them are in
/// <see cref="RelationalStore"/>.
/// </summary>
internal static partial class Mutations
{
    private const string SelectTask = "SELECT " + Rows.TaskColumns + " FROM tasks WHERE task_id = @id {for update}";

    public static TaskRecord? GetTask(WriteContext ctx, string taskId) => ctx.Sql.First(SelectTask, Rows.Task, ("@id", taskId));

    /// <summary>
    /// Creates a task: Scheduled, attempt 0, ready at creation, audited as <c>Scheduled</c>. Its deadline needs no timer row: the
    /// timer loop finds open tasks past their deadline through <c>ix_tasks_open_deadline</c>.
    /// A user task has no handler: it starts Delegated, with its assignment (see <see cref="InsertUserTask"/>). A task with a
    /// <see cref="NewTask.Handoff"/> starts Running, claimed by the dispatching node (no claim follows).
    /// </summary>
    public static void InsertTask(WriteContext ctx, NewTask task)
    {
        var created = Rows.Ms(task.CreatedAt);
        var handled = task.UserTask is null;
        var handoff = handled ? task.Handoff : null;
        ctx.Sql.Send(
            "INSERT INTO tasks (task_id, workflow_id, command_id, service_name, method_name, arguments, is_delegated, state, open, attempt, " +
            "deadline_at, heartbeat_interval, handler_timeout, retry_policy, result_schema_id, tags, meta, created_at, updated_at, ready_at, delegated_at, " +
            "lease_owner, lease_until) " +
            "VALUES (@id, @wf, @cmd, @service, @method, @args, @delegated, @state, {true}, @attempt, @deadline, @heartbeat, @handlerTimeout, " +
            "@retry, @schema, @tags, @meta, @at, @at, @ready, @delegatedAt, @owner, @until)",
            ("@id", task.TaskId), ("@wf", task.WorkflowId), ("@cmd", task.CommandId), ("@service", task.ServiceName),
            ("@method", task.MethodName), ("@args", task.Arguments), ("@delegated", task.IsDelegated),
            ("@state", !handled ? "Delegated" : handoff is null ? "Scheduled" : "Running"), ("@attempt", handoff is null ? 0 : 1),
            ("@deadline", Rows.Ms(task.DeadlineAt)), ("@heartbeat", Rows.Ms(task.HeartbeatInterval)), ("@handlerTimeout", Rows.Ms(task.HandlerTimeout)),
            ("@retry", task.RetryPolicy), ("@schema", task.ResultSchemaId), ("@tags", JsonText.Tags(task.Tags)), ("@meta", JsonText.Meta(task.Meta)),
            ("@at", created), ("@ready", handled ? created : null), ("@delegatedAt", handled ? null : created),
            ("@owner", handoff?.Owner), ("@until", Rows.Ms(handoff?.LeaseUntil)));
        foreach (var tag in task.Tags.Distinct(StringComparer.Ordinal))
        {
            ctx.Sql.Send(
                "INSERT INTO task_tags (tag, task_id, created_at) VALUES (@tag, @id, @at) ON CONFLICT DO NOTHING",
                ("@tag", tag), ("@id", task.TaskId), ("@at", created));
        }
        if (handoff is null)
        {
            Audit(ctx, task.TaskId, task.CreatedAt, "Scheduled", AuditSource.Workflow, null, null);
        }
        else
        {
            // A new task: its first two entries, in one statement.
            ctx.Sql.Send(
                "INSERT INTO task_audit (task_id, seq, at, kind, actor, via, detail, data) VALUES " +
                "(@id, 1, @at, 'Scheduled', @workflowActor, @workflowVia, NULL, NULL), (@id, 2, @at, 'Started', @owner, 'worker', 'attempt 1', NULL)",
                ("@id", task.TaskId), ("@at", created), ("@workflowActor", AuditSource.Workflow.Actor), ("@workflowVia", AuditSource.Workflow.Via),
                ("@owner", handoff.Owner));
        }
        if (task.DeadlineAt is not null)
        {
            ctx.Effects.TimersChanged = true;
        }
        if (task.UserTask is { } userTask)
        {
            InsertUserTask(ctx, task, userTask);
        }
        else if (handoff is null)
        {
            ctx.Effects.TasksReady = true;
        }
    }

    public static void InsertTimer(WriteContext ctx, NewTimer timer)
    {
        ctx.Sql.Send(
            "INSERT INTO timers (kind, due_at, workflow_id, command_id, task_id) VALUES (@kind, @due, @wf, @cmd, @task)",
            ("@kind", timer.Kind.ToString()), ("@due", Rows.Ms(timer.DueAt)), ("@wf", timer.WorkflowId), ("@cmd", timer.CommandId),
            ("@task", timer.TaskId));
        ctx.Effects.TimersChanged = true;
    }

    public static void Audit(WriteContext ctx, string taskId, DateTimeOffset at, string kind, AuditSource source, string? detail, string? data)
    {
        ctx.Sql.Send(
            "INSERT INTO task_audit (task_id, seq, at, kind, actor, via, detail, data) " +
            "VALUES (@id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM task_audit WHERE task_id = @id), @at, @kind, @actor, @via, @detail, @data)",
            ("@id", taskId), ("@at", Rows.Ms(at)), ("@kind", kind), ("@actor", source.Actor), ("@via", source.Via),
            ("@detail", detail), ("@data", data));
    }

    /// <summary>
    /// Gives an open task its outcome (Completed, Failed or TimedOut): claim cleared, timers deleted, audited, and the workflow
    /// told if it is running. Returns the task as it now is.
    /// </summary>
    public static TaskRecord FinishTask(WriteContext ctx, TaskRecord task, TaskState state, string? result, string? error, DateTimeOffset at, AuditSource source, string? detail = null)
    {
        var finished = Finish.Run(
            ctx.Sql, Rows.Task, ("@id", task.TaskId), ("@state", state.ToString()), ("@result", result), ("@error", error), ("@at", Rows.Ms(at)))!;
        AfterFinish(ctx, finished, state, result, error, at, source, detail);
        return finished;
    }

    /// <summary>
    /// Like <see cref="FinishTask"/> for a task not read first: finishes it only if it is open, of <paramref name="serviceName"/>
    /// (when given) and delegated (when <paramref name="requireDelegated"/>), in one conditional update; null when it is not
    /// (the caller then reads it to say why).
    /// </summary>
    public static TaskRecord? FinishIfOpen(
        WriteContext ctx, string taskId, string? serviceName, bool requireDelegated, TaskState state, string? result, string? error, DateTimeOffset at,
        AuditSource source, string? detail)
    {
        var update = (serviceName is null, requireDelegated) switch
        {
            (true, false) => FinishIfOpenUpdate,
            (true, true) => FinishIfOpenDelegated,
            (false, false) => FinishIfOpenOfService,
            (false, true) => FinishIfOpenDelegatedOfService,
        };
        (string, object?)[] args = [("@id", taskId), ("@state", state.ToString()), ("@result", result), ("@error", error), ("@at", Rows.Ms(at)), ("@service", serviceName)];
        var finished = update.Run(ctx.Sql, Rows.Task, serviceName is null ? args.AsSpan(0, args.Length - 1) : args);
        if (finished is not null)
        {
            AfterFinish(ctx, finished, state, result, error, at, source, detail);
        }
        return finished;
    }

    private const string FinishSetClause =
        "state = @state, open = {false}, result = @result, error = @error, completed_at = @at, updated_at = @at, lease_owner = NULL, lease_until = NULL";

    private static readonly KeyedUpdate Finish = FinishUpdate("");
    private static readonly KeyedUpdate FinishIfOpenUpdate = FinishUpdate(" AND open = {true}");
    private static readonly KeyedUpdate FinishIfOpenDelegated = FinishUpdate(" AND open = {true} AND is_delegated = {true}");
    private static readonly KeyedUpdate FinishIfOpenOfService = FinishUpdate(" AND open = {true} AND service_name = @service");
    private static readonly KeyedUpdate FinishIfOpenDelegatedOfService = FinishUpdate(" AND open = {true} AND is_delegated = {true} AND service_name = @service");

    private static KeyedUpdate FinishUpdate(string condition) => new("tasks", "task_id", FinishSetClause, condition, Rows.TaskColumns);

    /// <summary>What follows a task's outcome: its timers deleted, a user task closed, the audit entry, the workflow told.</summary>
    private static void AfterFinish(WriteContext ctx, TaskRecord task, TaskState state, string? result, string? error, DateTimeOffset at, AuditSource source, string? detail)
    {
        DeleteTaskTimers(ctx, task);
        var kind = state switch
        {
            TaskState.Completed => InboxMessageKind.TaskCompleted,
            TaskState.Failed => InboxMessageKind.TaskFailed,
            TaskState.TimedOut => InboxMessageKind.TaskTimedOut,
            _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Not an outcome state."),
        };
        var payload = state == TaskState.Completed ? result : error;
        CloseUserTask(ctx, task);
        Audit(ctx, task.TaskId, at, state.ToString(), source, detail, payload);
        PostMessage(ctx, new NewInboxMessage(task.WorkflowId, kind, task.CommandId, task.TaskId, payload, at));
    }

    /// <summary>
    /// Deletes the timers of a task that closes. Only heartbeat timers are made for tasks today (a deadline is read from the task
    /// row); a deadline timer left by an older version is deleted when it fires and finds the task closed.
    /// </summary>
    private static void DeleteTaskTimers(WriteContext ctx, TaskRecord task)
    {
        if (task.HeartbeatInterval is not null)
        {
            ctx.Sql.Send("DELETE FROM timers WHERE task_id = @id", ("@id", task.TaskId));
        }
    }

    /// <summary>Cancels an open task because its workflow finished; the workflow is not told.</summary>
    public static void CancelTask(WriteContext ctx, TaskRecord task, string error, AuditSource source, DateTimeOffset at)
    {
        var ms = Rows.Ms(at);
        ctx.Sql.Send(
            "UPDATE tasks SET state = 'Canceled', open = {false}, error = @error, completed_at = @at, updated_at = @at, " +
            "lease_owner = NULL, lease_until = NULL WHERE task_id = @id",
            ("@id", task.TaskId), ("@error", error), ("@at", ms));
        DeleteTaskTimers(ctx, task);
        CloseUserTask(ctx, task);
        Audit(ctx, task.TaskId, at, "Canceled", source, null, error);
    }
}
