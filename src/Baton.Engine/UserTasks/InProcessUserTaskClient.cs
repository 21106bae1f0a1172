using System.Text.Json;
using Baton.Engine.Serialization;
using Baton.Engine.Storage;
using Baton.Engine.Tasks;

namespace Baton.Engine.UserTasks;

/// <summary>
/// <see cref="IUserTaskClient"/> served by the engine for one person. Every rule about who may see, claim and complete a
/// task is decided here and in the store (atomically with the change), so the REST API and in-process callers share them.
/// </summary>
public sealed class InProcessUserTaskClient : IUserTaskClient
{
    private readonly IBatonStore _store;
    private readonly TaskOperations _tasks;
    private readonly PayloadCodec _codec;
    private readonly TimeProvider _time;
    private readonly AuditSource _source;

    internal InProcessUserTaskClient(IBatonStore store, TaskOperations tasks, PayloadCodec codec, TimeProvider time, UserIdentity user, AuditSource source)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (string.IsNullOrWhiteSpace(user.UserId)) throw new ArgumentException("A user needs an id.", nameof(user));
        _store = store;
        _tasks = tasks;
        _codec = codec;
        _time = time;
        User = user;
        _source = source;
    }

    /// <summary>The person this client acts for.</summary>
    public UserIdentity User { get; }

    /// <inheritdoc/>
    public async Task<UserTaskPage> GetInboxAsync(InboxQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var limit = PageCursor.CheckLimit(query.Limit);
        if (query.All && User.Privilege == UserTaskPrivilege.None)
            throw new BatonException(BatonErrorCodes.Forbidden, $"'{User.UserId}' may list only its own inbox; every user task is for operators and admins.");
        if (query.Text is { Length: > 200 }) throw new BatonException(BatonErrorCodes.InvalidArgument, "The text filter is at most 200 characters.");
        CallerText.CheckFilter(query.Text, "text");
        CallerText.CheckFilter(query.Spec, "spec");
        CallerText.CheckFilter(query.Action, "action");
        var rows = await _store.ListUserTasksAsync(new UserTaskListQuery
        {
            VisibleTo = query.All ? null : TaskOperations.UserTaskAccessOf(User, overrides: false),
            Claimed = query.Claimed,
            ClaimantId = User.UserId,
            Spec = query.Spec,
            Action = query.Action,
            MinPriority = query.MinPriority,
            DueBefore = query.DueBefore,
            Text = string.IsNullOrWhiteSpace(query.Text) ? null : query.Text.Trim(),
            Sort = query.Sort,
            Limit = limit + 1,
            After = PageCursor.DecodeKey(query.Cursor),
        }, cancellationToken).ConfigureAwait(false);
        var page = rows.Take(limit).ToList();
        var next = rows.Count > limit ? PageCursor.EncodeKey(UserTaskViews.SortKey(page[^1], query.Sort), page[^1].Task.TaskId) : null;
        return new UserTaskPage([.. page.Select(u => UserTaskViews.Info(u))], next);
    }

    /// <inheritdoc/>
    public async Task<UserTaskInfo> GetUserTaskAsync(string taskId, CancellationToken cancellationToken = default)
    {
        var task = await FindVisibleAsync(taskId, "seen", cancellationToken).ConfigureAwait(false);
        var schema = task.Task.ResultSchemaId is { } id ? await _store.GetSchemaAsync(id, cancellationToken).ConfigureAwait(false) : null;
        return UserTaskViews.Info(task, schema);
    }

    /// <inheritdoc/>
    public Task<UserTaskInfo> ClaimUserTaskAsync(string taskId, CancellationToken cancellationToken = default) =>
        ChangeAsync(taskId, UserTaskChangeKind.Claim, User.Privilege == UserTaskPrivilege.Admin, null, "claimed", cancellationToken);

    /// <inheritdoc/>
    public Task<UserTaskInfo> UnclaimUserTaskAsync(string taskId, CancellationToken cancellationToken = default) =>
        ChangeAsync(taskId, UserTaskChangeKind.Unclaim, User.Privilege != UserTaskPrivilege.None, null, "released", cancellationToken);

    /// <inheritdoc/>
    public Task<UserTaskInfo> ReassignUserTaskAsync(string taskId, UserTaskAssignment assignment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        if (User.Privilege == UserTaskPrivilege.None)
            throw new BatonException(BatonErrorCodes.Forbidden, $"'{User.UserId}' cannot reassign user tasks; operators and admins can.");
        var user = string.IsNullOrWhiteSpace(assignment.User) ? null : assignment.User.Trim();
        if (user is { Length: > 100 }) throw new BatonException(BatonErrorCodes.InvalidArgument, "A user id is at most 100 characters.");
        if (user is not null && user.Any(char.IsControl)) throw new BatonException(BatonErrorCodes.InvalidArgument, "A user id cannot contain control characters.");
        IReadOnlyList<string> roles;
        try
        {
            roles = UserTaskDispatch.NormalizeRoles(assignment.Roles ?? []);
        }
        catch (ArgumentException e)
        {
            throw new BatonException(BatonErrorCodes.InvalidArgument, e.Message);
        }
        if (user is null && roles.Count == 0) throw new BatonException(BatonErrorCodes.InvalidArgument, "A reassignment needs a user or at least one role.");
        return ChangeAsync(taskId, UserTaskChangeKind.Reassign, true, (user, roles), "reassigned", cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<CompletionResult> CompleteUserTaskAsync(string taskId, JsonElement data, CancellationToken cancellationToken = default)
    {
        CheckTaskId(taskId);
        var json = _codec.Accept(data, "The data");
        var task = await FindVisibleAsync(taskId, "completed", cancellationToken).ConfigureAwait(false);
        return await _tasks.CompleteUserTaskAsync(task, taskId, json, User, _source, cancellationToken).ConfigureAwait(false);
    }

    private async Task<UserTaskInfo> ChangeAsync(string taskId, UserTaskChangeKind kind, bool overrides, (string? User, IReadOnlyList<string> Roles)? assignment,
        string operation, CancellationToken cancellationToken)
    {
        CheckTaskId(taskId);
        var result = await _store.ChangeUserTaskAsync(new UserTaskChange
        {
            TaskId = taskId, Kind = kind, Access = TaskOperations.UserTaskAccessOf(User, overrides),
            User = assignment?.User, Roles = assignment?.Roles ?? [], Source = _source, At = _time.GetUtcNow(),
        }, cancellationToken).ConfigureAwait(false);
        return result.Status switch
        {
            UserTaskChangeStatus.Applied => UserTaskViews.Info(result.Task!),
            UserTaskChangeStatus.NotFound => throw new TaskNotFoundException(UserTaskRequest.ServiceName, taskId),
            UserTaskChangeStatus.NotAssigned => throw new UserTaskNotAssignedException(taskId, User.UserId, operation),
            UserTaskChangeStatus.ClaimedByOther => throw new UserTaskClaimedException(taskId, result.Task!.ClaimedBy ?? "another user"),
            _ => throw new TaskWrongStateException(taskId, result.Task!.Task.State, operation),
        };
    }

    /// <summary>The task if the caller may see it: assigned to them or their roles, or they are an operator or admin.</summary>
    private async Task<UserTaskRecord> FindVisibleAsync(string taskId, string operation, CancellationToken cancellationToken)
    {
        CheckTaskId(taskId);
        var task = await _store.GetUserTaskAsync(taskId, cancellationToken).ConfigureAwait(false)
            ?? throw new TaskNotFoundException(UserTaskRequest.ServiceName, taskId);
        if (User.Privilege == UserTaskPrivilege.None && !TaskOperations.UserTaskAccessOf(User, false).IsAssigned(task.User, task.Roles))
            throw new UserTaskNotAssignedException(taskId, User.UserId, operation);
        return task;
    }

    private static void CheckTaskId(string taskId)
    {
        if (string.IsNullOrWhiteSpace(taskId)) throw new BatonException(BatonErrorCodes.InvalidArgument, "A task id cannot be empty.");
        if (taskId.Length > 200) throw new TaskNotFoundException(UserTaskRequest.ServiceName, taskId[..200]);
        if (taskId.Any(char.IsControl)) throw new TaskNotFoundException(UserTaskRequest.ServiceName, taskId); // as TaskOperations.CheckTaskId
    }
}
