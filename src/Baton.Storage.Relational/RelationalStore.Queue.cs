using Baton.Engine.Storage;

namespace Baton.Storage.Relational;

// IWorkflowQueue; the claim query itself is the engine's (IClaimQueries).
internal sealed partial class RelationalStore
{
    // The step's first statement checks that the instance is still this owner's at the version it stepped, and reserves the
    // sequence numbers of the step's events; nothing matches (no row returned) when it is not.
    private const string ReserveStep =
        "UPDATE workflows SET next_seq = next_seq + @events WHERE id = @id AND version = @version AND lease_owner = @owner RETURNING next_seq - @events";

    // The step's final update when it finishes the workflow: nothing is pending any more (FinishWorkflow deletes the inbox).
    private const string FinishStep =
        "UPDATE workflows SET state = @state, result = @result, error = @error, completed_at = @at, updated_at = @at, version = version + 1, " +
        "lease_owner = NULL, lease_until = NULL, pending = {false}, pending_since = NULL WHERE id = @id";

    // The step's final update when the workflow goes on; it returns whether messages wait for the next step.
    private const string ContinueStep =
        "UPDATE workflows SET state = @state, result = @result, error = @error, " +
        "updated_at = @at, version = version + 1, lease_owner = NULL, lease_until = NULL, " +
        "pending = EXISTS (SELECT 1 FROM inbox WHERE workflow_id = @id), " +
        "pending_since = (SELECT MIN(at) FROM inbox WHERE workflow_id = @id) WHERE id = @id RETURNING pending";

    private static readonly string CanceledByFinish = JsonText.Error("Canceled", "workflow finished");

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
        var firstSeq = ctx.Sql.Long(
            ReserveStep, ("@id", step.WorkflowId), ("@version", step.ExpectedVersion), ("@owner", step.Owner), ("@events", step.Events.Count));
        if (firstSeq is not { } seq)
        {
            return StepCommitStatus.Conflict;
        }
        var finished = step.State != WorkflowState.Running;
        if (!finished)
        {
            // A finishing step leaves them: FinishWorkflow deletes the whole inbox.
            foreach (var id in step.ConsumedMessageIds)
            {
                ctx.Sql.Exec("DELETE FROM inbox WHERE id = @id AND workflow_id = @wf", ("@id", id), ("@wf", step.WorkflowId));
            }
        }
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
        var args = new (string, object?)[] { ("@id", step.WorkflowId), ("@state", step.State.ToString()), ("@result", step.Result), ("@error", step.Error), ("@at", Rows.Ms(step.At)) };
        if (finished)
        {
            ctx.Sql.Exec(FinishStep, args);
            Mutations.FinishWorkflow(ctx, step.WorkflowId, CanceledByFinish, AuditSource.Workflow, step.At, rowUpdated: true);
        }
        else if (ctx.Sql.Scalar(ContinueStep, args) is true or 1L)
        {
            ctx.Effects.WorkflowsReady = true;
        }
        return StepCommitStatus.Committed;
    }

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
