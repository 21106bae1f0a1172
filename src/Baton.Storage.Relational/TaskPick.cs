using System.Data.Common;

namespace Baton.Storage.Relational;

/// <summary>
/// What a task claim picks, the same plan on every engine: tasks whose claim expired first, then scheduled tasks that are
/// ready, oldest (<c>ready_at</c>, <c>task_id</c>) first across the services; and when the next scheduled one becomes ready.
/// Rows another writer holds are skipped where rows lock. How the claimed rows are then updated is the engine's own
/// (<see cref="IClaimQueries"/>).
/// </summary>
/// <remarks>
/// Each service is read on its own, in the order of its partial index (<c>ix_tasks_running</c>, <c>ix_tasks_scheduled</c>:
/// <c>service_name, ready_at, task_id</c>), and the short ordered lists are merged here. One query over all the services
/// (<c>IN</c>, <c>= ANY</c>) cannot be answered in that order, so the engines sorted the whole backlog on every claim.
/// Hosted service lists are short: a claim costs a few index seeks per service.
/// </remarks>
internal static class TaskPick
{
    /// <summary>Running tasks of one service whose claim another owner let expire (or that have no owner), oldest first.</summary>
    public const string ExpiredSql =
        "SELECT task_id, ready_at FROM tasks WHERE state = 'Running' AND service_name = @service " +
        "AND (lease_owner IS NULL OR (lease_owner <> @owner AND (lease_until IS NULL OR lease_until <= @now))) " +
        "ORDER BY ready_at, task_id LIMIT @max {for update skip locked}";

    /// <summary>Scheduled tasks of one service that are ready, oldest first.</summary>
    public const string ReadySql =
        "SELECT task_id, ready_at FROM tasks WHERE state = 'Scheduled' AND service_name = @service AND ready_at <= @now " +
        "ORDER BY ready_at, task_id LIMIT @max {for update skip locked}";

    /// <summary>When the next scheduled task of one service becomes ready (no row when none waits).</summary>
    /// <remarks>The first row in index order rather than <c>MIN</c>, which PostgreSQL may answer by reading the whole range.</remarks>
    public const string NextSql =
        "SELECT ready_at FROM tasks WHERE state = 'Scheduled' AND service_name = @service AND ready_at > @now ORDER BY ready_at LIMIT 1";

    /// <summary>The ids to claim, at most <paramref name="max"/>: expired claims of other owners first, then ready tasks.</summary>
    /// <remarks>
    /// Where rows lock, each service's query locks up to the whole remaining <paramref name="max"/>; the rows the merge leaves
    /// out stay locked (and skipped by other nodes) only until the claim's transaction ends, and are claimable again then.
    /// </remarks>
    public static List<string> Ids(WriteContext ctx, IReadOnlyList<string> services, string owner, int max, long nowMs)
    {
        var ids = new List<string>(Math.Max(0, Math.Min(max, 256)));
        if (max <= 0)
        {
            return ids;
        }
        var expired = new List<(string Id, long ReadyAt)>[services.Count];
        for (var i = 0; i < services.Count; i++)
        {
            expired[i] = ctx.Sql.Query(ExpiredSql, IdAndReadyAt, ("@service", services[i]), ("@owner", owner), ("@now", nowMs), ("@max", max));
        }
        Merge(expired, max, ids);
        if (ids.Count < max)
        {
            var ready = new List<(string Id, long ReadyAt)>[services.Count];
            for (var i = 0; i < services.Count; i++)
            {
                ready[i] = ctx.Sql.Query(ReadySql, IdAndReadyAt, ("@service", services[i]), ("@now", nowMs), ("@max", max - ids.Count));
            }
            Merge(ready, max, ids);
        }
        return ids;
    }

    /// <summary>When the next scheduled task of these services becomes ready; null when none waits.</summary>
    public static DateTimeOffset? NextReady(WriteContext ctx, IReadOnlyList<string> services, long nowMs)
    {
        long? next = null;
        foreach (var service in services)
        {
            if (ctx.Sql.Long(NextSql, ("@service", service), ("@now", nowMs)) is { } ms && (next is null || ms < next))
            {
                next = ms;
            }
        }
        return next is { } at ? Rows.Time(at) : null;
    }

    // Never null for Running or Scheduled rows (a task is ready from its creation); read defensively like the other claims.
    private static (string Id, long ReadyAt) IdAndReadyAt(DbDataReader r) => (r.GetString(0), r.IsDBNull(1) ? long.MinValue : r.GetInt64(1));

    /// <summary>Appends the heads of the per-service lists (each already in order) to <paramref name="ids"/> in (ready_at, task_id) order, up to <paramref name="max"/>.</summary>
    private static void Merge(List<(string Id, long ReadyAt)>[] lists, int max, List<string> ids)
    {
        var next = new int[lists.Length];
        while (ids.Count < max)
        {
            var best = -1;
            for (var i = 0; i < lists.Length; i++)
            {
                if (next[i] < lists[i].Count && (best < 0 || Before(lists[i][next[i]], lists[best][next[best]])))
                {
                    best = i;
                }
            }
            if (best < 0)
            {
                return;
            }
            ids.Add(lists[best][next[best]++].Id);
        }
    }

    // Ties across services go by ordinal id: the order SQLite (BINARY) and a C-collated PostgreSQL give task ids.
    private static bool Before((string Id, long ReadyAt) a, (string Id, long ReadyAt) b) =>
        a.ReadyAt != b.ReadyAt ? a.ReadyAt < b.ReadyAt : string.CompareOrdinal(a.Id, b.Id) < 0;
}
