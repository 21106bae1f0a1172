using Baton.Engine.Storage;
using Baton.Storage.Sqlite.Internal;

namespace Baton.Storage.Sqlite;

public sealed partial class SqliteStore
{
    private static readonly string CanceledByFinish = JsonText.Error("Canceled", "workflow finished");

    /// <inheritdoc />
    public Task<IReadOnlyList<WorkflowClaim>> ClaimWorkflowsAsync(string owner, int max, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return WriteAsync<IReadOnlyList<WorkflowClaim>>(
            ctx =>
            {
                var ids = ctx.Sql.Query(
                    "SELECT id FROM workflows INDEXED BY ix_workflows_pending WHERE pending = 1 AND state = 'Running' " +
                    "AND (lease_owner IS NULL OR (lease_owner <> $owner AND (lease_until IS NULL OR lease_until <= $now))) " +
                    "ORDER BY pending_since, id LIMIT $max",
                    Rows.Id, ("$owner", owner), ("$now", Rows.Ms(now)), ("$max", Math.Max(0, max)));
                var claims = new List<WorkflowClaim>(ids.Count);
                foreach (var id in ids)
                {
                    // One statement takes the lease and returns the row (no separate re-read).
                    var workflow = ctx.Sql.First(
                        "UPDATE workflows SET lease_owner = $owner, lease_until = $until WHERE id = $id RETURNING " + Rows.WorkflowColumns,
                        Rows.Workflow, ("$id", id), ("$owner", owner), ("$until", Rows.Ms(leaseUntil)))!;
                    var messages = ctx.Sql.Query(
                        "SELECT " + Rows.InboxColumns + " FROM inbox WHERE workflow_id = $id ORDER BY id", Rows.Inbox, ("$id", id));
                    claims.Add(new WorkflowClaim(workflow, messages));
                }
                return claims;
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
            "SELECT version, lease_owner FROM workflows WHERE id = $id",
            r => new Tuple<long, string?>(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetString(1)),
            ("$id", step.WorkflowId));
        if (current is null || current.Item1 != step.ExpectedVersion || !string.Equals(current.Item2, step.Owner, StringComparison.Ordinal))
        {
            return StepCommitStatus.Conflict;
        }
        foreach (var id in step.ConsumedMessageIds)
        {
            ctx.Sql.Exec("DELETE FROM inbox WHERE id = $id AND workflow_id = $wf", ("$id", id), ("$wf", step.WorkflowId));
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
        var pending = ctx.Sql.Long(
            "UPDATE workflows SET state = $state, result = $result, error = $error, " +
            "completed_at = CASE WHEN $finished = 1 THEN $at ELSE completed_at END, updated_at = $at, version = version + 1, " +
            "lease_owner = NULL, lease_until = NULL, " +
            "pending = EXISTS (SELECT 1 FROM inbox WHERE workflow_id = $id), " +
            "pending_since = (SELECT MIN(at) FROM inbox WHERE workflow_id = $id) WHERE id = $id RETURNING pending",
            ("$id", step.WorkflowId), ("$state", step.State.ToString()), ("$result", step.Result), ("$error", step.Error),
            ("$finished", finished ? 1 : 0), ("$at", at));
        if (finished)
        {
            Mutations.FinishWorkflow(ctx, step.WorkflowId, CanceledByFinish, AuditSource.Workflow, step.At);
        }
        else if (pending == 1)
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
                    if (ctx.Sql.Exec("UPDATE workflows SET lease_owner = NULL, lease_until = NULL WHERE id = $id AND lease_owner = $owner", ("$id", id), ("$owner", owner)) > 0)
                    {
                        ctx.Effects.WorkflowsReady = true;
                    }
                }
            },
            cancellationToken);
    }
}
