using System.Globalization;
using System.Text;
using Baton.Engine.Storage;

namespace Baton.Storage.Relational;

// IUserTaskStore.
internal sealed partial class RelationalStore
{
    private static readonly string SelectUserTasks =
        "SELECT " + Rows.UserTaskColumns + ", " + Rows.TaskColumnsOfT + " FROM user_tasks u JOIN tasks t ON t.task_id = u.task_id";

    public Task<UserTaskRecord?> GetUserTaskAsync(string taskId, CancellationToken cancellationToken) =>
        _runner.ReadFirstAsync(SelectUserTasks + " WHERE u.task_id = @id", Rows.UserTask, [("@id", taskId)], cancellationToken);

    public Task<IReadOnlyList<UserTaskRecord>> ListUserTasksAsync(UserTaskListQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (sql, args) = ListUserTasksSql(query);
        return _runner.ReadListAsync(sql, Rows.UserTask, args, cancellationToken);
    }

    /// <summary>
    /// The inbox listing's statement and arguments. A task visible through a role is found by probing the role table's key
    /// (role, task_id) for each candidate task, rather than by collecting every open task of those roles into an <c>IN</c> list.
    /// </summary>
    internal static (string Sql, (string Name, object? Value)[] Args) ListUserTasksSql(UserTaskListQuery query)
    {
        var where = new StringBuilder(" WHERE u.open = {true}");
        var args = new List<(string, object?)>();
        if (query.VisibleTo is { } access)
        {
            // Assigned to the user, or to one of its roles (role rows exist only for open tasks).
            where.Append(" AND (u.assignee = @user");
            args.Add(("@user", access.UserId));
            if (access.Roles.Count > 0)
            {
                where.Append(" OR EXISTS (SELECT 1 FROM user_task_roles r WHERE r.task_id = u.task_id AND r.role IN (");
                for (var i = 0; i < access.Roles.Count; i++)
                {
                    var name = "@r" + i.ToString(CultureInfo.InvariantCulture);
                    where.Append(i == 0 ? name : ", " + name);
                    args.Add((name, access.Roles[i]));
                }
                where.Append("))");
            }
            where.Append(')');
        }
        switch (query.Claimed)
        {
            case InboxClaimFilter.Actionable:
                where.Append(" AND (u.claimed_by IS NULL OR u.claimed_by = @me)");
                args.Add(("@me", query.ClaimantId ?? ""));
                break;
            case InboxClaimFilter.Mine:
                where.Append(" AND u.claimed_by = @me");
                args.Add(("@me", query.ClaimantId ?? ""));
                break;
            case InboxClaimFilter.Unclaimed:
                where.Append(" AND u.claimed_by IS NULL");
                break;
        }
        if (query.Spec is { } spec)
        {
            where.Append(" AND u.spec = @spec");
            args.Add(("@spec", spec));
        }
        if (query.Action is { } action)
        {
            where.Append(" AND u.action = @action");
            args.Add(("@action", action));
        }
        if (query.MinPriority is { } minPriority)
        {
            where.Append(" AND u.priority >= @minPriority");
            args.Add(("@minPriority", minPriority));
        }
        if (query.DueBefore is { } dueBefore)
        {
            where.Append(" AND u.due_at < @dueBefore");
            args.Add(("@dueBefore", Rows.Ms(dueBefore)));
        }
        if (query.Text is { Length: > 0 } text)
        {
            where.Append(" AND u.name_folded LIKE @text ESCAPE '\\'");
            args.Add(("@text", "%" + EscapeLike(text.ToLowerInvariant()) + "%"));
        }
        // Keyset paging on (sort key, task id); due dates sort with "none" last, priorities highest first.
        var (key, descending) = query.Sort switch
        {
            InboxSort.Priority => ("u.priority", true),
            InboxSort.Age => ("u.created_at", false),
            _ => ("COALESCE(u.due_at, " + Invariant(long.MaxValue) + ")", false),
        };
        if (query.After is { } after)
        {
            where.Append(CultureInfo.InvariantCulture, $" AND ({key} {(descending ? "<" : ">")} @afterKey OR ({key} = @afterKey AND u.task_id > @afterId))");
            args.Add(("@afterKey", after.Key));
            args.Add(("@afterId", after.TaskId));
        }
        args.Add(("@limit", Math.Max(0, query.Limit)));
        return (SelectUserTasks + where + " ORDER BY " + key + (descending ? " DESC" : "") + ", u.task_id LIMIT @limit", [.. args]);
    }

    public Task<UserTaskChangeResult> ChangeUserTaskAsync(UserTaskChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        return WriteAsync(ctx => Change(ctx, change), cancellationToken);
    }

    private static UserTaskChangeResult Change(WriteContext ctx, UserTaskChange change)
    {
        var task = Mutations.GetUserTask(ctx, change.TaskId);
        if (task is null) return new UserTaskChangeResult(UserTaskChangeStatus.NotFound, null);
        if (!task.Task.State.IsOpen()) return new UserTaskChangeResult(UserTaskChangeStatus.WrongState, task);
        var access = change.Access;
        var assigned = access.IsAssigned(task.User, task.Roles);
        var claimant = task.ClaimedBy;
        var mine = claimant is not null && string.Equals(claimant, access.UserId, StringComparison.Ordinal);
        switch (change.Kind)
        {
            case UserTaskChangeKind.Claim:
                if (!assigned && !access.Override) return new UserTaskChangeResult(UserTaskChangeStatus.NotAssigned, task);
                if (mine) return new UserTaskChangeResult(UserTaskChangeStatus.Applied, task);
                if (claimant is not null) return new UserTaskChangeResult(UserTaskChangeStatus.ClaimedByOther, task);
                Mutations.SetClaim(ctx, task.Task.TaskId, access.UserId, change.At);
                Mutations.Audit(ctx, task.Task.TaskId, change.At, "Claimed", change.Source, assigned ? null : "admin override: not assigned", null);
                break;
            case UserTaskChangeKind.Unclaim:
                if (!assigned && !access.Override) return new UserTaskChangeResult(UserTaskChangeStatus.NotAssigned, task);
                if (claimant is null) return new UserTaskChangeResult(UserTaskChangeStatus.Applied, task);
                if (!mine && !access.Override) return new UserTaskChangeResult(UserTaskChangeStatus.ClaimedByOther, task);
                Mutations.SetClaim(ctx, task.Task.TaskId, null, change.At);
                Mutations.Audit(ctx, task.Task.TaskId, change.At, "Unclaimed", change.Source, mine ? null : $"released {claimant}'s claim", null);
                break;
            case UserTaskChangeKind.Reassign:
                Mutations.ReassignUserTask(ctx, task.Task.TaskId, change.User, change.Roles);
                Mutations.Audit(ctx, task.Task.TaskId, change.At, "Reassigned", change.Source,
                    Mutations.AssignmentText(change.User, change.Roles) + (claimant is null ? "" : $"; released {claimant}'s claim"), null);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(change), change.Kind, "Unknown user-task change.");
        }
        return new UserTaskChangeResult(UserTaskChangeStatus.Applied, Mutations.GetUserTask(ctx, task.Task.TaskId));
    }

    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
