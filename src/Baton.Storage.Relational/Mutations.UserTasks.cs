using Baton.Engine.Storage;

namespace Baton.Storage.Relational;

internal static partial class Mutations
{
    private const string UserTaskService = "UserTask";

    private static readonly string SelectUserTask =
        "SELECT " + Rows.UserTaskColumns + ", " + Rows.TaskColumnsOfT + " FROM user_tasks u JOIN tasks t ON t.task_id = u.task_id " +
        "WHERE u.task_id = @id {for update}";

    /// <summary>A user task read by the writer; where rows lock, both its rows stay locked until the commit, so claims and completions take turns.</summary>
    public static UserTaskRecord? GetUserTask(WriteContext ctx, string taskId) => ctx.Sql.First(SelectUserTask, Rows.UserTask, ("@id", taskId));

    /// <summary>The assignment of a new user task; its role rows make the inbox query an index lookup.</summary>
    private static void InsertUserTask(WriteContext ctx, NewTask task, NewUserTask userTask)
    {
        var created = Rows.Ms(task.CreatedAt);
        ctx.Sql.Send(
            "INSERT INTO user_tasks (task_id, name, name_folded, spec, action, assignee, roles, priority, due_at, follow_up_at, enrich_path, " +
            "data_type, open, created_at) VALUES (@id, @name, @folded, @spec, @action, @user, @roles, @priority, @due, @followUp, @enrich, @type, {true}, @at)",
            ("@id", task.TaskId), ("@name", userTask.Name), ("@folded", userTask.Name.ToLowerInvariant()), ("@spec", userTask.Spec),
            ("@action", userTask.Action), ("@user", userTask.User), ("@roles", JsonText.Tags(userTask.Roles)), ("@priority", userTask.Priority),
            ("@due", Rows.Ms(userTask.DueAt)), ("@followUp", Rows.Ms(userTask.FollowUpAt)), ("@enrich", userTask.EnrichPath),
            ("@type", userTask.DataType), ("@at", created));
        InsertRoles(ctx, task.TaskId, userTask.Roles);
        Audit(ctx, task.TaskId, task.CreatedAt, "Assigned", AuditSource.Workflow, AssignmentText(userTask.User, userTask.Roles), null);
    }

    /// <summary>Removes a user task's role rows; found through ix_user_task_roles_task, as the primary key leads with the role.</summary>
    internal const string DeleteRolesSql = "DELETE FROM user_task_roles WHERE task_id = @id";

    /// <summary>A user task that got its outcome leaves every inbox: not open, no role rows.</summary>
    private static void CloseUserTask(WriteContext ctx, TaskRecord task)
    {
        if (!string.Equals(task.ServiceName, UserTaskService, StringComparison.Ordinal)) return;
        ctx.Sql.Send("UPDATE user_tasks SET open = {false} WHERE task_id = @id", ("@id", task.TaskId));
        ctx.Sql.Send(DeleteRolesSql, ("@id", task.TaskId));
    }

    /// <summary>Replaces the assignment and releases any claim.</summary>
    public static void ReassignUserTask(WriteContext ctx, string taskId, string? user, IReadOnlyList<string> roles)
    {
        ctx.Sql.Send(
            "UPDATE user_tasks SET assignee = @user, roles = @roles, claimed_by = NULL, claimed_at = NULL WHERE task_id = @id",
            ("@id", taskId), ("@user", user), ("@roles", JsonText.Tags(roles)));
        ctx.Sql.Send(DeleteRolesSql, ("@id", taskId));
        InsertRoles(ctx, taskId, roles);
    }

    public static void SetClaim(WriteContext ctx, string taskId, string? claimant, DateTimeOffset at) =>
        ctx.Sql.Send("UPDATE user_tasks SET claimed_by = @by, claimed_at = @at WHERE task_id = @id",
            ("@id", taskId), ("@by", claimant), ("@at", claimant is null ? null : Rows.Ms(at)));

    /// <summary>Why <paramref name="access"/> may not complete or claim <paramref name="task"/>, or null when it may.</summary>
    public static TaskResolutionStatus? Refusal(UserTaskRecord task, UserTaskAccess access)
    {
        if (access.Override) return null;
        if (!access.IsAssigned(task.User, task.Roles)) return TaskResolutionStatus.NotAssigned;
        return task.ClaimedBy is { } claimant && !string.Equals(claimant, access.UserId, StringComparison.Ordinal) ? TaskResolutionStatus.ClaimedByOther : null;
    }

    public static string AssignmentText(string? user, IReadOnlyList<string> roles) =>
        $"user={user ?? "-"}; roles={(roles.Count == 0 ? "-" : string.Join(",", roles))}";

    private static void InsertRoles(WriteContext ctx, string taskId, IReadOnlyList<string> roles)
    {
        foreach (var role in roles)
        {
            ctx.Sql.Send("INSERT INTO user_task_roles (role, task_id) VALUES (@role, @id) ON CONFLICT DO NOTHING", ("@role", role), ("@id", taskId));
        }
    }
}
