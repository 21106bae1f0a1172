using System.Globalization;
using Baton.Engine.Storage;
using Baton.Storage.Relational;

namespace Baton.Storage.Sqlite.Internal;

/// <summary>The claims on SQLite: the one writer holds the database, so plain reads and updates, with the index hints SQLite needs.</summary>
internal sealed class SqliteClaims : IClaimQueries
{
    public static readonly SqliteClaims Instance = new();

    public IReadOnlyList<WorkflowClaim> ClaimWorkflows(WriteContext ctx, string owner, int max, DateTimeOffset now, DateTimeOffset leaseUntil)
    {
        // The rows are read with the pick and the leases taken by plain updates: no lease column is part of the record, and
        // RETURNING costs SQLite more than the read (see SqlDialect.PrefersReturning).
        var workflows = ctx.Sql.Query(
            "SELECT " + Rows.WorkflowColumns + " FROM workflows INDEXED BY ix_workflows_pending WHERE pending = 1 AND state = 'Running' " +
            "AND (lease_owner IS NULL OR (lease_owner <> @owner AND (lease_until IS NULL OR lease_until <= @now))) " +
            "ORDER BY pending_since, id LIMIT @max",
            Rows.Workflow, ("@owner", owner), ("@now", Rows.Ms(now)), ("@max", Math.Max(0, max)));
        var claims = new List<WorkflowClaim>(workflows.Count);
        foreach (var workflow in workflows)
        {
            ctx.Sql.Exec(
                "UPDATE workflows SET lease_owner = @owner, lease_until = @until WHERE id = @id",
                ("@id", workflow.Id), ("@owner", owner), ("@until", Rows.Ms(leaseUntil)));
            var messages = ctx.Sql.Query(
                "SELECT " + Rows.InboxColumns + " FROM inbox WHERE workflow_id = @id ORDER BY id", Rows.Inbox, ("@id", workflow.Id));
            claims.Add(new WorkflowClaim(workflow, messages));
        }
        return claims;
    }

    public TaskClaimBatch ClaimTasks(WriteContext ctx, string owner, IReadOnlyList<string> serviceNames, int max, DateTimeOffset now, DateTimeOffset leaseUntil)
    {
        var nowMs = Rows.Ms(now);
        var ids = TaskPick.Ids(ctx, serviceNames, owner, max, nowMs);
        var claimed = new List<TaskRecord>(ids.Count);
        var worker = new AuditSource(owner, "worker");
        foreach (var id in ids)
        {
            ctx.Sql.Exec(
                "UPDATE tasks SET state = 'Running', attempt = attempt + 1, lease_owner = @owner, lease_until = @until, updated_at = @now WHERE task_id = @id",
                ("@id", id), ("@owner", owner), ("@until", Rows.Ms(leaseUntil)), ("@now", nowMs));
            var task = Mutations.GetTask(ctx, id)!;
            Mutations.Audit(ctx, id, now, "Started", worker, "attempt " + task.Attempt.ToString(CultureInfo.InvariantCulture), null);
            claimed.Add(task);
        }
        return new TaskClaimBatch(claimed, TaskPick.NextReady(ctx, serviceNames, nowMs));
    }
}
