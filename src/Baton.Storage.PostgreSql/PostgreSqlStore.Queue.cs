using Baton.Engine.Storage;
using Baton.Storage.PostgreSql.Internal;

namespace Baton.Storage.PostgreSql;

public sealed partial class PostgreSqlStore
{
    private static readonly string CanceledByFinish = JsonText.Error("Canceled", "workflow finished");

    /// <inheritdoc />
    public Task<IReadOnlyList<WorkflowClaim>> ClaimWorkflowsAsync(string owner, int max, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return WriteAsync<IReadOnlyList<WorkflowClaim>>(
            ctx =>
            {
                // One round trip claims the batch: rows another node is claiming or committing right now are skipped, not waited for.
                var claimed = ctx.Sql.Query(
                    "WITH picked AS (SELECT id, pending_since FROM workflows WHERE pending AND state = 'Running' " +
                    "AND (lease_owner IS NULL OR (lease_owner <> @owner AND (lease_until IS NULL OR lease_until <= @now))) " +
                    "ORDER BY pending_since, id LIMIT @max FOR UPDATE SKIP LOCKED) " +
                    "UPDATE workflows w SET lease_owner = @owner, lease_until = @until FROM picked WHERE w.id = picked.id " +
                    "RETURNING picked.pending_since, " + string.Join(", ", Rows.WorkflowColumns.Split(", ").Select(c => "w." + c)),
                    r => (Since: r.IsDBNull(0) ? long.MinValue : r.GetInt64(0), Workflow: Rows.Workflow(r, 1)),
                    ("@owner", owner), ("@now", Rows.Ms(now)), ("@until", Rows.Ms(leaseUntil)), ("@max", Math.Max(0, max)));
                if (claimed.Count == 0)
                {
                    return [];
                }
                claimed.Sort((a, b) => a.Since != b.Since ? a.Since.CompareTo(b.Since) : string.CompareOrdinal(a.Workflow.Id, b.Workflow.Id));
                var messages = ctx.Sql.Query(
                    "SELECT " + Rows.InboxColumns + " FROM inbox WHERE workflow_id = ANY(@ids) ORDER BY id",
                    Rows.Inbox, ("@ids", claimed.Select(c => c.Workflow.Id).ToArray()))
                    .ToLookup(m => m.WorkflowId, StringComparer.Ordinal);
                return claimed.Select(c => new WorkflowClaim(c.Workflow, messages[c.Workflow.Id].ToList())).ToList();
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StepCommitStatus>> CommitStepsAsync(IReadOnlyList<WorkflowStep> steps, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(steps);
        return WriteAsync<IReadOnlyList<StepCommitStatus>>(
            ctx => steps.Select(step => ctx.Element(() => CommitStep(ctx, step))).ToList(),
            cancellationToken);
    }

    private static StepCommitStatus CommitStep(WriteContext ctx, WorkflowStep step)
    {
        var current = ctx.Sql.First(
            "SELECT version, lease_owner FROM workflows WHERE id = @id FOR UPDATE",
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
        ctx.Sql.Exec(
            "UPDATE workflows SET state = @state, result = @result, error = @error, " +
            "completed_at = " + (finished ? "@at" : "completed_at") + ", updated_at = @at, version = version + 1, " +
            "lease_owner = NULL, lease_until = NULL, " +
            "pending = EXISTS (SELECT 1 FROM inbox WHERE workflow_id = @id), " +
            "pending_since = (SELECT MIN(at) FROM inbox WHERE workflow_id = @id) WHERE id = @id",
            ("@id", step.WorkflowId), ("@state", step.State.ToString()), ("@result", step.Result), ("@error", step.Error), ("@at", at));
        if (finished)
        {
            Mutations.FinishWorkflow(ctx, step.WorkflowId, CanceledByFinish, AuditSource.Workflow, step.At);
        }
        else if (ctx.Sql.Scalar("SELECT pending FROM workflows WHERE id = @id", ("@id", step.WorkflowId)) is true)
        {
            ctx.Effects.WorkflowsReady = true;
        }
        return StepCommitStatus.Committed;
    }

    /// <inheritdoc />
    public Task ReleaseWorkflowClaimsAsync(string owner, IReadOnlyList<string> workflowIds, CancellationToken cancellationToken = default)
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
