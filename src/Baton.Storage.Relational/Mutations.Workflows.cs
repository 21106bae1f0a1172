using System.Collections.ObjectModel;
using Baton.Engine.Storage;

namespace Baton.Storage.Relational;

internal static partial class Mutations
{
    private const string SelectWorkflow = "SELECT " + Rows.WorkflowColumns + " FROM workflows WHERE id = @id {for update}";

    public static WorkflowRecord? GetWorkflow(WriteContext ctx, string workflowId) =>
        ctx.Sql.First(SelectWorkflow, Rows.Workflow, ("@id", workflowId));

    public static CreateWorkflowResult CreateWorkflow(WriteContext ctx, NewWorkflow workflow)
    {
        var created = Rows.Ms(workflow.CreatedAt);
        // An existing id inserts nothing (another node creating the same id meanwhile makes the insert wait for it and do
        // nothing). The new row is known without reading it back. The started event takes sequence number 1 directly.
        var inserted = ctx.Sql.Exec(
            "INSERT INTO workflows (id, name, state, input, parent_id, parent_command_id, tags, meta, created_at, updated_at, version, next_seq, pending, pending_since, " +
            "lease_owner, lease_until) " +
            "VALUES (@id, @name, 'Running', @input, @parent, @parentCommand, @tags, @meta, @at, @at, 1, 2, {true}, @at, @owner, @until) ON CONFLICT (id) DO NOTHING",
            ("@id", workflow.Id), ("@name", workflow.Name), ("@input", workflow.Input), ("@parent", workflow.ParentId),
            ("@parentCommand", workflow.ParentCommandId), ("@tags", JsonText.Tags(workflow.Tags)), ("@meta", JsonText.Meta(workflow.Meta)),
            ("@at", created), ("@owner", workflow.Handoff?.Owner), ("@until", Rows.Ms(workflow.Handoff?.LeaseUntil)));
        if (inserted == 0)
        {
            return new CreateWorkflowResult(CreateWorkflowStatus.AlreadyExists, GetWorkflow(ctx, workflow.Id)!);
        }
        foreach (var tag in workflow.Tags.Distinct(StringComparer.Ordinal))
        {
            ctx.Sql.Send(
                "INSERT INTO workflow_tags (tag, workflow_id, created_at) VALUES (@tag, @id, @at) ON CONFLICT DO NOTHING",
                ("@tag", tag), ("@id", workflow.Id), ("@at", created));
        }
        InsertHistory(ctx, workflow.Id, 1, new NewHistoryEvent(HistoryEventKind.WorkflowStarted, workflow.CreatedAt, Name: workflow.Name, Payload: workflow.Input));
        if (workflow.Handoff is null)
        {
            ctx.Effects.WorkflowsReady = true;
        }
        return new CreateWorkflowResult(CreateWorkflowStatus.Created, new WorkflowRecord
        {
            Id = workflow.Id,
            Name = workflow.Name,
            State = WorkflowState.Running,
            Input = workflow.Input,
            ParentId = workflow.ParentId,
            ParentCommandId = workflow.ParentCommandId,
            // Copies, as a read gives: the caller's collections may change later.
            Tags = workflow.Tags.Count == 0 ? [] : [.. workflow.Tags],
            Meta = workflow.Meta.Count == 0 ? ReadOnlyDictionary<string, string>.Empty : new Dictionary<string, string>(workflow.Meta, StringComparer.Ordinal),
            CreatedAt = Rows.Time(created),
            UpdatedAt = Rows.Time(created),
            Version = 1,
        });
    }

    private static readonly KeyedUpdate NextSeq = new("workflows", "id", "next_seq = next_seq + 1", "", "next_seq - 1");

    private sealed record ReservedSeq(long Seq);

    private const string HistoryColumns = "workflow_id, seq, kind, at, command_id, name, ref_id, payload";

    // Reserves the number and writes the event in one statement (where the dialect chains writes).
    private const string AppendHistorySql =
        "WITH reserved AS (UPDATE workflows SET next_seq = next_seq + 1 WHERE id = @wf RETURNING next_seq - 1 AS seq) " +
        "INSERT INTO history (" + HistoryColumns + ") SELECT @wf, seq, @kind, @at, @cmd, @name, @ref, @payload FROM reserved";

    /// <summary>Appends an event at the workflow's next sequence number; nothing when the workflow does not exist.</summary>
    public static void AppendHistory(WriteContext ctx, string workflowId, NewHistoryEvent e)
    {
        if (ctx.Sql.Dialect.ChainsWrites)
        {
            ctx.Sql.Send(
                AppendHistorySql, ("@wf", workflowId), ("@kind", e.Kind.ToString()), ("@at", Rows.Ms(e.At)), ("@cmd", e.CommandId),
                ("@name", e.Name), ("@ref", e.RefId), ("@payload", e.Payload));
            return;
        }
        if (NextSeq.Run(ctx.Sql, static r => new ReservedSeq(r.GetInt64(0)), ("@id", workflowId)) is { } reserved)
        {
            InsertHistory(ctx, workflowId, reserved.Seq, e);
        }
    }

    /// <summary>Writes an event at a sequence number the caller reserved (<c>next_seq</c> already moved past it).</summary>
    public static void InsertHistory(WriteContext ctx, string workflowId, long seq, NewHistoryEvent e) =>
        ctx.Sql.Send(
            "INSERT INTO history (" + HistoryColumns + ") VALUES (@wf, @seq, @kind, @at, @cmd, @name, @ref, @payload)",
            ("@wf", workflowId), ("@seq", seq), ("@kind", e.Kind.ToString()), ("@at", Rows.Ms(e.At)), ("@cmd", e.CommandId),
            ("@name", e.Name), ("@ref", e.RefId), ("@payload", e.Payload));

    private const string MarkPendingSet =
        "pending_since = CASE WHEN pending = {true} THEN pending_since ELSE @at END, pending = {true} WHERE id = @wf AND state = 'Running'";

    private const string InboxColumns = "workflow_id, kind, command_id, ref_id, payload, at";

    // Marks the recipient and delivers in one statement (where the dialect chains writes).
    private const string PostMessageSql =
        "WITH marked AS (UPDATE workflows SET " + MarkPendingSet + " RETURNING id) " +
        "INSERT INTO inbox (" + InboxColumns + ") SELECT id, @kind, @cmd, @ref, @payload, @at FROM marked";

    /// <summary>
    /// Delivers a message if the recipient is running (marking it as needing a step); otherwise drops it. Where the dialect
    /// chains writes, the workflows signal is raised whether or not the recipient ran: a wasted look for work is cheaper
    /// than waiting for the answer of the mark.
    /// </summary>
    public static void PostMessage(WriteContext ctx, NewInboxMessage message)
    {
        (string, object?)[] args =
        [
            ("@wf", message.WorkflowId), ("@at", Rows.Ms(message.At)), ("@kind", message.Kind.ToString()), ("@cmd", message.CommandId),
            ("@ref", message.RefId), ("@payload", message.Payload),
        ];
        if (ctx.Sql.Dialect.ChainsWrites)
        {
            ctx.Sql.Send(PostMessageSql, args);
        }
        else if (ctx.Sql.Exec("UPDATE workflows SET " + MarkPendingSet, args.AsSpan(0, 2)) > 0)
        {
            ctx.Sql.Send("INSERT INTO inbox (" + InboxColumns + ") VALUES (@wf, @kind, @cmd, @ref, @payload, @at)", args);
        }
        else
        {
            return;
        }
        ctx.Effects.WorkflowsReady = true;
    }

    /// <summary>
    /// The open tasks of one workflow, in creation order. Pinned to <c>ix_tasks_workflow</c>: without statistics SQLite prefers
    /// <c>ix_tasks_open</c>, whose order matches the <c>ORDER BY</c>, and then walks every open task of every workflow: with many
    /// tasks open (delegated tasks wait for days) each finishing workflow cost the writer a scan of all of them.
    /// </summary>
    internal const string OpenTasksOfWorkflowSql =
        "SELECT " + Rows.TaskColumns + " FROM tasks {indexed by ix_tasks_workflow} WHERE workflow_id = @wf AND open = {true} ORDER BY created_at, task_id";

    /// <summary>
    /// The consequences of a workflow reaching a finished state: open tasks Canceled with <paramref name="taskError"/> (audited),
    /// its timers and inbox deleted, no longer needing a step nor claimed (<paramref name="rowUpdated"/>: the caller's own update of
    /// the row did that already). <paramref name="mayHaveOpenTasks"/> false skips the look for open tasks (the instance knows
    /// there are none; see <see cref="WorkflowStep.MayHaveOpenTasks"/>). <paramref name="finished"/>, when the caller has it, is
    /// the row as it now stands, for the finish notice.
    /// </summary>
    public static void FinishWorkflow(
        WriteContext ctx, string workflowId, string taskError, AuditSource source, DateTimeOffset at, bool rowUpdated = false, bool mayHaveOpenTasks = true,
        WorkflowRecord? finished = null)
    {
        if (mayHaveOpenTasks)
        {
            foreach (var task in ctx.Sql.Query(OpenTasksOfWorkflowSql, Rows.Task, ("@wf", workflowId)))
            {
                CancelTask(ctx, task, taskError, source, at);
            }
        }
        ctx.Sql.Send("DELETE FROM timers WHERE workflow_id = @wf", ("@wf", workflowId));
        ctx.Sql.Send("DELETE FROM inbox WHERE workflow_id = @wf", ("@wf", workflowId));
        if (!rowUpdated)
        {
            ctx.Sql.Send("UPDATE workflows SET pending = {false}, pending_since = NULL, lease_owner = NULL, lease_until = NULL WHERE id = @id", ("@id", workflowId));
        }
        // Its timers are only deleted: nothing becomes due earlier, so the timer loop is not woken.
        ctx.Effects.WorkflowFinished(workflowId, finished);
    }

    /// <summary>
    /// A running workflow's record (<paramref name="before"/>, the version the finishing update checked or read) as that update
    /// leaves it: the state, result and error it sets, both times at <paramref name="atMs"/>, the next version. Lets the finish
    /// notice carry the row without reading it back.
    /// </summary>
    public static WorkflowRecord AsFinished(WorkflowRecord before, WorkflowState state, string? result, string? error, long atMs) =>
        before with { State = state, Result = result, Error = error, UpdatedAt = Rows.Time(atMs), CompletedAt = Rows.Time(atMs), Version = before.Version + 1 };

    /// <summary>
    /// Cancels a running workflow (<paramref name="workflow"/>, as read in this transaction) and, recursively, its running
    /// children; only the root tells its parent. Returns the root's record as the cancel leaves it.
    /// </summary>
    public static WorkflowRecord CancelTree(WriteContext ctx, WorkflowRecord workflow, string reason, AuditSource source, DateTimeOffset at, bool root)
    {
        var error = JsonText.Error("Canceled", reason);
        var ms = Rows.Ms(at);
        ctx.Sql.Send(
            "UPDATE workflows SET state = 'Canceled', error = @error, completed_at = @at, updated_at = @at, version = version + 1 WHERE id = @id",
            ("@id", workflow.Id), ("@error", error), ("@at", ms));
        var canceled = AsFinished(workflow, WorkflowState.Canceled, workflow.Result, error, ms);
        AppendHistory(ctx, workflow.Id, new NewHistoryEvent(HistoryEventKind.WorkflowCanceled, at, Payload: error));
        FinishWorkflow(ctx, workflow.Id, error, source, at, finished: canceled);
        CancelRunningChildren(ctx, workflow.Id, reason, source, at);
        if (root && workflow.ParentId is { } parent && workflow.ParentCommandId is { } command)
        {
            PostMessage(ctx, new NewInboxMessage(parent, InboxMessageKind.ChildFailed, command, workflow.Id, error, at));
        }
        return canceled;
    }

    /// <summary>
    /// Cancels the running children of a workflow that finished (<see cref="CancelTree"/> for each, so theirs too); a finished
    /// parent is not told.
    /// </summary>
    public static void CancelRunningChildren(WriteContext ctx, string parentId, string reason, AuditSource source, DateTimeOffset at)
    {
        var children = ctx.Sql.Query(
            "SELECT " + Rows.WorkflowColumns + " FROM workflows {indexed by ix_workflows_parent} WHERE parent_id = @id AND state = 'Running' ORDER BY created_at, id",
            Rows.Workflow, ("@id", parentId));
        foreach (var child in children)
        {
            CancelTree(ctx, child, reason, source, at, root: false);
        }
    }
}
