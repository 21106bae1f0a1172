using System.Globalization;
using System.Text.Json;
using Baton.Engine.Storage;
using Baton.Storage.Relational;

namespace Baton.Storage.Sqlite;

// The claims, written for SQLite: one writer, so plain reads then updates, with SQLite's index hints and json_each.
public sealed partial class SqliteStore
{
    /// <inheritdoc />
    public Task<IReadOnlyList<WorkflowClaim>> ClaimWorkflowsAsync(string owner, int max, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return WriteAsync<IReadOnlyList<WorkflowClaim>>(
            ctx =>
            {
                var ids = ctx.Sql.Query(
                    "SELECT id FROM workflows INDEXED BY ix_workflows_pending WHERE pending = 1 AND state = 'Running' " +
                    "AND (lease_owner IS NULL OR (lease_owner <> @owner AND (lease_until IS NULL OR lease_until <= @now))) " +
                    "ORDER BY pending_since, id LIMIT @max",
                    Rows.Id, ("@owner", owner), ("@now", Rows.Ms(now)), ("@max", Math.Max(0, max)));
                var claims = new List<WorkflowClaim>(ids.Count);
                foreach (var id in ids)
                {
                    // One statement takes the lease and returns the row (no separate re-read).
                    var workflow = ctx.Sql.First(
                        "UPDATE workflows SET lease_owner = @owner, lease_until = @until WHERE id = @id RETURNING " + Rows.WorkflowColumns,
                        Rows.Workflow, ("@id", id), ("@owner", owner), ("@until", Rows.Ms(leaseUntil)))!;
                    var messages = ctx.Sql.Query(
                        "SELECT " + Rows.InboxColumns + " FROM inbox WHERE workflow_id = @id ORDER BY id", Rows.Inbox, ("@id", id));
                    claims.Add(new WorkflowClaim(workflow, messages));
                }
                return claims;
            },
            cancellationToken);
    }

    private const string ServiceFilter = "service_name IN (SELECT value FROM json_each(@services))";

    /// <inheritdoc />
    public Task<TaskClaimBatch> ClaimTasksAsync(string owner, IReadOnlyCollection<string> serviceNames, int max, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(serviceNames);
        var services = JsonSerializer.Serialize(serviceNames.Distinct(StringComparer.Ordinal).ToList(), BatonJson.Options);
        return WriteAsync(
            ctx =>
            {
                var nowMs = Rows.Ms(now);
                var ids = ctx.Sql.Query(
                    "SELECT task_id FROM tasks WHERE state = 'Running' AND " + ServiceFilter +
                    " AND (lease_owner IS NULL OR (lease_owner <> @owner AND (lease_until IS NULL OR lease_until <= @now))) " +
                    "ORDER BY ready_at, task_id LIMIT @max",
                    Rows.Id, ("@services", services), ("@owner", owner), ("@now", nowMs), ("@max", Math.Max(0, max)));
                if (ids.Count < max)
                {
                    ids.AddRange(ctx.Sql.Query(
                        "SELECT task_id FROM tasks WHERE state = 'Scheduled' AND " + ServiceFilter + " AND ready_at <= @now " +
                        "ORDER BY ready_at, task_id LIMIT @max",
                        Rows.Id, ("@services", services), ("@now", nowMs), ("@max", max - ids.Count)));
                }
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
                var next = ctx.Sql.Long(
                    "SELECT MIN(ready_at) FROM tasks WHERE state = 'Scheduled' AND " + ServiceFilter + " AND ready_at > @now",
                    ("@services", services), ("@now", nowMs));
                return new TaskClaimBatch(claimed, next is { } ms ? Rows.Time(ms) : null);
            },
            cancellationToken);
    }
}
