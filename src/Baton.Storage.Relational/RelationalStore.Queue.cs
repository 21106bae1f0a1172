using Baton.Engine.Storage;

namespace Baton.Storage.Relational;

// IWorkflowQueue; the claim query itself is the engine's (IClaimQueries).
internal sealed partial class RelationalStore
{
    // The step's final update, with and without finishing the workflow; it returns whether messages wait for the next step.
    private const string FinishStep = "UPDATE workflows SET state = @state, result = @result, error = @error, completed_at = @at, " + StepRest;

    private const string ContinueStep = "UPDATE workflows SET state = @state, result = @result, error = @error, " + StepRest;

    private const string StepRest =
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
        var current = ctx.Sql.First(
            "SELECT version, lease_owner FROM workflows WHERE id = @id {for update}",
            r => new Tuple<long, string?>(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetString(1)),
            ("@id", step.WorkflowId));
        if (current is null || current.Item1 != step.ExpectedVersion || !string.Equals(current.Item2, step.Owner, StringComparison.Ordinal))
        {
            return StepCommitStatus.Conflict;
        }
        foreach (var id in step.ConsumedMessageIds)
        {
            ctx.Sql.Exec("DELETE FROM inbox WHERE id = @id AND workflow_id = @wf", ("@id", id), ("@wf", step.WorkflowId));
        }
        foreach (var e in step.Events)
        {
            Mutations.AppendHistory(ctx, step.WorkflowId, e);
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
        var finished = step.State != WorkflowState.Running;
        var at = Rows.Ms(step.At);
        var pending = ctx.Sql.Scalar(
            finished ? FinishStep : ContinueStep,
            ("@id", step.WorkflowId), ("@state", step.State.ToString()), ("@result", step.Result), ("@error", step.Error), ("@at", at));
        if (finished)
        {
            Mutations.FinishWorkflow(ctx, step.WorkflowId, CanceledByFinish, AuditSource.Workflow, step.At);
        }
        else if (pending is true or 1L)
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
}
