namespace Baton.Storage.Relational;

/// <summary>
/// What a task claim picks, the same plan on every engine: tasks whose claim expired first, then scheduled tasks that are
/// ready, oldest first; and when the next scheduled one becomes ready. Rows another writer holds are skipped where rows lock.
/// How the claimed rows are then updated is the engine's own (<see cref="IClaimQueries"/>).
/// </summary>
internal sealed class TaskPick
{
    private readonly string _expired;
    private readonly string _ready;
    private readonly string _next;

    /// <param name="serviceFilter">The engine's condition matching <c>service_name</c> against the <c>@services</c> parameter.</param>
    public TaskPick(string serviceFilter)
    {
        _expired =
            "SELECT task_id FROM tasks WHERE state = 'Running' AND " + serviceFilter +
            " AND (lease_owner IS NULL OR (lease_owner <> @owner AND (lease_until IS NULL OR lease_until <= @now))) " +
            "ORDER BY ready_at, task_id LIMIT @max {for update skip locked}";
        _ready =
            "SELECT task_id FROM tasks WHERE state = 'Scheduled' AND " + serviceFilter + " AND ready_at <= @now " +
            "ORDER BY ready_at, task_id LIMIT @max {for update skip locked}";
        _next = "SELECT MIN(ready_at) FROM tasks WHERE state = 'Scheduled' AND " + serviceFilter + " AND ready_at > @now";
    }

    /// <summary>The ids to claim, at most <paramref name="max"/>: expired claims of other owners first, then ready tasks.</summary>
    public List<string> Ids(WriteContext ctx, object services, string owner, int max, long nowMs)
    {
        var ids = ctx.Sql.Query(_expired, Rows.Id, ("@services", services), ("@owner", owner), ("@now", nowMs), ("@max", Math.Max(0, max)));
        if (ids.Count < max)
        {
            ids.AddRange(ctx.Sql.Query(_ready, Rows.Id, ("@services", services), ("@now", nowMs), ("@max", max - ids.Count)));
        }
        return ids;
    }

    /// <summary>When the next scheduled task of these services becomes ready; null when none waits.</summary>
    public DateTimeOffset? NextReady(WriteContext ctx, object services, long nowMs) =>
        ctx.Sql.Long(_next, ("@services", services), ("@now", nowMs)) is { } ms ? Rows.Time(ms) : null;
}
