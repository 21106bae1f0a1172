using Baton.Engine.Storage;
using Baton.Storage.Relational;

namespace Baton.Storage.PostgreSql.Internal;

/// <summary>The claims on PostgreSQL: one round trip per batch where it can; rows another node is claiming right now are skipped (<c>SKIP LOCKED</c>), not waited for.</summary>
internal sealed class PostgreSqlClaims : IClaimQueries
{
    public static readonly PostgreSqlClaims Instance = new();

    private static readonly string UpdatedWorkflowColumns = string.Join(", ", Rows.WorkflowColumns.Split(", ").Select(c => "w." + c));

    public IReadOnlyList<WorkflowClaim> ClaimWorkflows(WriteContext ctx, string owner, int max, DateTimeOffset now, DateTimeOffset leaseUntil)
    {
        // One round trip claims the batch: rows another node is claiming or committing right now are skipped, not waited for.
        var claimed = ctx.Sql.Query(
            "WITH picked AS (SELECT id, pending_since FROM workflows WHERE pending AND state = 'Running' " +
            "AND (lease_owner IS NULL OR (lease_owner <> @owner AND (lease_until IS NULL OR lease_until <= @now))) " +
            "ORDER BY pending_since, id LIMIT @max FOR UPDATE SKIP LOCKED) " +
            "UPDATE workflows w SET lease_owner = @owner, lease_until = @until FROM picked WHERE w.id = picked.id " +
            "RETURNING picked.pending_since, " + UpdatedWorkflowColumns,
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
    }

    public TaskClaimBatch ClaimTasks(WriteContext ctx, string owner, IReadOnlyList<string> serviceNames, int max, DateTimeOffset now, DateTimeOffset leaseUntil)
    {
        var nowMs = Rows.Ms(now);
        // Expired claims first, then ready tasks; rows another node is claiming right now are skipped, not waited for.
        var ids = TaskPick.Ids(ctx, serviceNames, owner, max, nowMs);
        var claimed = new List<TaskRecord>(ids.Count);
        if (ids.Count > 0)
        {
            var rows = ctx.Sql.Query(
                "UPDATE tasks SET state = 'Running', attempt = attempt + 1, lease_owner = @owner, lease_until = @until, updated_at = @now " +
                "WHERE task_id = ANY(@ids) RETURNING " + Rows.TaskColumns,
                Rows.Task, ("@ids", ids.ToArray()), ("@owner", owner), ("@until", Rows.Ms(leaseUntil)), ("@now", nowMs))
                .ToDictionary(t => t.TaskId, StringComparer.Ordinal);
            claimed.AddRange(ids.Select(id => rows[id]));
            ctx.Sql.Send(
                "INSERT INTO task_audit (task_id, seq, at, kind, actor, via, detail, data) " +
                "SELECT c.task_id, COALESCE((SELECT MAX(a.seq) FROM task_audit a WHERE a.task_id = c.task_id), 0) + 1, @now, 'Started', " +
                "@owner, 'worker', 'attempt ' || c.attempt, NULL FROM unnest(@ids, @attempts) AS c(task_id, attempt)",
                ("@ids", claimed.Select(t => t.TaskId).ToArray()), ("@attempts", claimed.Select(t => t.Attempt).ToArray()),
                ("@now", nowMs), ("@owner", owner));
        }
        return new TaskClaimBatch(claimed, TaskPick.NextReady(ctx, serviceNames, nowMs));
    }
}
