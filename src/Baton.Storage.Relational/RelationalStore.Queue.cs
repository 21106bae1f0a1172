using Baton.Engine.Storage;

namespace Baton.Storage.Relational;

// IWorkflowQueue; the claim query itself is the engine's (IClaimQueries).
internal sealed partial class RelationalStore
{
    // A step's one update of its workflow row, run first: it checks that the instance is still this owner's at the version it
    // stepped (nothing matches, no row returned, when it is not), reserves the sequence numbers of the step's events and writes
    // the row's new state. The rest of the step touches other rows only.

    // When the step finishes the workflow: nothing is pending any more (FinishWorkflow deletes the inbox).
    private static readonly KeyedUpdate FinishStep = new(
        "workflows", "id",
        "next_seq = next_seq + @events, state = @state, result = @result, error = @error, completed_at = @at, updated_at = @at, " +
        "version = version + 1, lease_owner = NULL, lease_until = NULL, pending = {false}, pending_since = NULL",
        " AND version = @version AND lease_owner = @owner",
        "next_seq - @events");

    // When the workflow goes on: the messages the step consumed are all still in the inbox (only their owner deletes them, and
    // a cancel would have moved the version), so more rows than that means messages arrived during the step and wait for the
    // next one; the workflow is pending since this step then. Returns whether it is.
    private static readonly KeyedUpdate ContinueStep = new(
        "workflows", "id",
        "next_seq = next_seq + @events, state = @state, result = @result, error = @error, updated_at = @at, " +
        "version = version + 1, lease_owner = NULL, lease_until = NULL, " +
        "pending = (SELECT COUNT(*) FROM inbox WHERE workflow_id = @id) > @consumed, " +
        "pending_since = CASE WHEN (SELECT COUNT(*) FROM inbox WHERE workflow_id = @id) > @consumed THEN @at END",
        " AND version = @version AND lease_owner = @owner",
        "next_seq - @events, pending");

    private static readonly string CanceledByFinish = JsonText.Error("Canceled", "workflow finished");

    /// <summary>
    /// The row as <see cref="FinishStep"/> leaves it, from the record the step was computed from; null without one, or when that
    /// record is not the version the step committed against (it would not describe the row).
    /// </summary>
    private static WorkflowRecord? FinishedRecord(WorkflowStep step)
    {
        if (step.Claimed is not { } claimed || claimed.Id != step.WorkflowId || claimed.Version != step.ExpectedVersion)
        {
            return null;
        }
        return Mutations.AsFinished(claimed, step.State, step.Result, step.Error, Rows.Ms(step.At));
    }

    public Task<IReadOnlyList<WorkflowClaim>> ClaimWorkflowsAsync(string owner, int max, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return WriteAsync(ctx => _claims.ClaimWorkflows(ctx, owner, max, now, leaseUntil), cancellationToken);
    }

    public Task<IReadOnlyList<StepCommitStatus>> CommitStepsAsync(IReadOnlyList<WorkflowStep> steps, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(steps);
        return WriteEachAsync(steps, CommitStep, cancellationToken);
    }

    private static StepCommitStatus CommitStep(WriteContext ctx, WorkflowStep step)
    {
        var finished = step.State != WorkflowState.Running;
        (string, object?)[] args =
        [
            ("@id", step.WorkflowId), ("@version", step.ExpectedVersion), ("@owner", step.Owner), ("@events", step.Events.Count),
            ("@state", step.State.ToString()), ("@result", step.Result), ("@error", step.Error), ("@at", Rows.Ms(step.At)),
            ("@consumed", step.ConsumedMessageIds.Count),
        ];
        var row = finished
            ? FinishStep.Run(ctx.Sql, static r => new UpdatedStepRow(r.GetInt64(0), false), args.AsSpan(0, args.Length - 1))
            : ContinueStep.Run(ctx.Sql, static r => new UpdatedStepRow(r.GetInt64(0), r.GetValue(1) is true or 1L), args);
        if (row is null)
        {
            return StepCommitStatus.Conflict;
        }
        if (!finished)
        {
            // A finishing step leaves them: FinishWorkflow deletes the whole inbox.
            foreach (var id in step.ConsumedMessageIds)
            {
                ctx.Sql.Send("DELETE FROM inbox WHERE id = @id AND workflow_id = @wf", ("@id", id), ("@wf", step.WorkflowId));
            }
        }
        var seq = row.FirstSeq;
        foreach (var e in step.Events)
        {
            Mutations.InsertHistory(ctx, step.WorkflowId, seq++, e);
        }
        foreach (var task in step.Tasks)
        {
            Mutations.InsertTask(ctx, task);
        }
        foreach (var timer in step.Timers)
        {
            Mutations.InsertTimer(ctx, timer);
        }
        foreach (var child in step.Children)
        {
            Mutations.CreateWorkflow(ctx, child);
        }
        foreach (var message in step.Messages)
        {
            Mutations.PostMessage(ctx, message);
        }
        if (finished)
        {
            Mutations.FinishWorkflow(
                ctx, step.WorkflowId, CanceledByFinish, AuditSource.Workflow, step.At, rowUpdated: true, step.MayHaveOpenTasks, FinishedRecord(step));
            if (step.MayHaveRunningChildren)
            {
                // As with its open tasks: what a finished workflow started and no longer waits for is canceled, not orphaned.
                Mutations.CancelRunningChildren(ctx, step.WorkflowId, "parent workflow finished", AuditSource.Workflow, step.At);
            }
        }
        else if (row.Pending)
        {
            ctx.Effects.WorkflowsReady = true;
        }
        return StepCommitStatus.Committed;
    }

    /// <summary>What a step's update of its workflow row returned: the first sequence number it reserved, and whether messages wait.</summary>
    private sealed record UpdatedStepRow(long FirstSeq, bool Pending);

    public Task ReleaseWorkflowClaimsAsync(string owner, IReadOnlyList<string> workflowIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(workflowIds);
        return WriteAsync(
            ctx =>
            {
                foreach (var id in workflowIds)
                {
                    if (ctx.Sql.Exec("UPDATE workflows SET lease_owner = NULL, lease_until = NULL WHERE id = @id AND lease_owner = @owner", ("@id", id), ("@owner", owner)) > 0)
                    {
                        ctx.Effects.WorkflowsReady = true;
                    }
                }
            },
            cancellationToken);
    }

    public Task ReleaseOwnerClaimsAsync(string owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return WriteAsync(
            ctx =>
            {
                if (ctx.Sql.Exec("UPDATE workflows SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = @owner", ("@owner", owner)) > 0)
                {
                    ctx.Effects.WorkflowsReady = true;
                }
                if (ctx.Sql.Exec("UPDATE tasks SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = @owner", ("@owner", owner)) > 0)
                {
                    ctx.Effects.TasksReady = true;
                }
            },
            cancellationToken);
    }
}
