using Baton.Engine.Serialization;
using Baton.Engine.Storage;

namespace Baton.Engine.UserTasks;

/// <summary>Stored user tasks as people see them.</summary>
internal static class UserTaskViews
{
    public static UserTaskInfo Info(UserTaskRecord u, string? dataSchema = null) => new()
    {
        TaskId = u.Task.TaskId,
        WorkflowId = u.Task.WorkflowId,
        Name = u.Name,
        Spec = u.Spec,
        Action = u.Action,
        User = u.User,
        Roles = u.Roles,
        ClaimedBy = u.ClaimedBy,
        ClaimedAt = u.ClaimedAt,
        Priority = u.Priority,
        DueAt = u.DueAt,
        FollowUpAt = u.FollowUpAt,
        TimeoutAt = u.Task.DeadlineAt,
        State = u.Task.State,
        CreatedAt = u.Task.CreatedAt,
        CompletedAt = u.Task.CompletedAt,
        Input = PayloadCodec.ToElement(UserTaskEnvelope.InputOf(u.Task.Arguments)),
        EnrichPath = u.EnrichPath,
        DataSchema = PayloadCodec.ToElement(dataSchema),
        Tags = u.Task.Tags,
    };

    /// <summary>The keyset sort key of a row for <paramref name="sort"/> (see <see cref="UserTaskListQuery.After"/>).</summary>
    public static long SortKey(UserTaskRecord u, InboxSort sort) => sort switch
    {
        InboxSort.Priority => u.Priority,
        InboxSort.Age => u.Task.CreatedAt.ToUnixTimeMilliseconds(),
        _ => u.DueAt?.ToUnixTimeMilliseconds() ?? long.MaxValue,
    };
}
