using System.Collections.Concurrent;
using Baton.Engine.Storage;
using Baton.Engine.UserTasks;

namespace Baton.Engine.Tasks;

/// <summary>The user-task side of the lifecycle: data validated as the declared type, merged into the input, decided atomically with the claim.</summary>
public sealed partial class TaskOperations
{
    private static readonly ConcurrentDictionary<string, Type?> DataTypes = new(StringComparer.Ordinal);

    /// <summary>
    /// The identity of a caller that holds a task token: a token proves a right to one task, never who a person is, so it
    /// cannot act on user tasks (which never expose a token anyway).
    /// </summary>
    public static UserIdentity TokenHolder { get; } = new("token holder", []);

    internal static bool IsUserTask(TaskRecord task) => string.Equals(task.ServiceName, UserTaskRequest.ServiceName, StringComparison.Ordinal);

    /// <summary>
    /// Submits a person's data (ProceedTask). With <paramref name="user"/>, the store checks in the same transaction that the
    /// task is theirs and not claimed by another, unless they are an admin (an override, recorded as such).
    /// </summary>
    internal async Task<CompletionResult> CompleteUserTaskAsync(UserTaskRecord? known, string taskId, string dataJson, UserIdentity? user, AuditSource source, CancellationToken cancellationToken)
    {
        var userTask = known ?? await _store.GetUserTaskAsync(taskId, cancellationToken).ConfigureAwait(false)
            ?? throw new TaskNotFoundException(UserTaskRequest.ServiceName, taskId);
        var task = userTask.Task;
        var access = user is null ? null : UserTaskAccessOf(user, user.Privilege == UserTaskPrivilege.Admin);
        // Someone the task was never assigned to learns nothing about it, not even its recorded outcome.
        if (access is { Override: false } && !access.IsAssigned(userTask.User, userTask.Roles))
            throw new UserTaskNotAssignedException(taskId, access.UserId, "completed");
        if (task.State.IsOpen())
        {
            var errors = await ValidateUserDataAsync(userTask, dataJson, cancellationToken).ConfigureAwait(false);
            if (errors.Count > 0)
                throw new PayloadValidationException(BatonErrorCodes.ResultInvalid,
                    $"The data does not match what user task '{userTask.Name}' asks for; the task stays open.", errors);
        }
        var envelope = UserTaskEnvelope.Create(dataJson, UserTaskEnvelope.InputOf(task.Arguments), userTask.EnrichPath, user?.UserId ?? source.Actor);
        _codec.CheckSize(envelope, "The data merged into the task's input");
        var outcome = await _store.ResolveTaskAsync(new TaskResolution
        {
            TaskId = taskId, Kind = TaskResolutionKind.Complete, Result = envelope, RequireDelegated = true, UserAccess = access,
            AuditDetail = access is { Override: true } ? OverrideDetail(userTask, access) : null, Source = source, At = _time.GetUtcNow(),
        }, cancellationToken).ConfigureAwait(false);
        return outcome.Status switch
        {
            TaskResolutionStatus.NotAssigned => throw new UserTaskNotAssignedException(taskId, user!.UserId, "completed"),
            TaskResolutionStatus.ClaimedByOther => throw new UserTaskClaimedException(taskId, outcome.ClaimedBy ?? "another user"),
            _ => Answer(outcome, UserTaskRequest.ServiceName, taskId,
                recorded => recorded.State == TaskState.Completed && _codec.SameJson(UserTaskEnvelope.DataOf(recorded.Result), dataJson), "completed", source),
        };
    }

    /// <summary>The store-side access of <paramref name="user"/>: its id and lowercase roles.</summary>
    internal static UserTaskAccess UserTaskAccessOf(UserIdentity user, bool overrides) =>
        new(user.UserId, [.. user.Roles.Select(r => r.Trim().ToLowerInvariant()).Distinct(StringComparer.Ordinal)], overrides);

    /// <summary>Failing or reporting progress on a user task is an operator's intervention, never a person's or an outside system's.</summary>
    private async Task CheckUserTaskInterventionAsync(string? serviceName, string taskId, UserIdentity? user, string operation, CancellationToken cancellationToken)
    {
        if (user is null || user.Privilege != UserTaskPrivilege.None) return;
        if (serviceName is not null && !string.Equals(serviceName, UserTaskRequest.ServiceName, StringComparison.Ordinal)) return;
        if (await _store.GetTaskAsync(taskId, cancellationToken).ConfigureAwait(false) is { } task && IsUserTask(task))
            throw new UserTaskNotAssignedException(taskId, user.UserId, $"{operation} (only operators and admins intervene in user tasks)");
    }

    private async Task<IReadOnlyList<FieldError>> ValidateUserDataAsync(UserTaskRecord userTask, string dataJson, CancellationToken cancellationToken)
    {
        if (userTask.DataType is { } typeName && ResolveDataType(typeName) is { } type) return _validator.Validate(dataJson, type);
        return await ValidateAgainstStoredSchemaAsync(userTask.Task.ResultSchemaId, dataJson, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The data type when this node has its assembly loaded; otherwise the stored schema is the judge.</summary>
    private static Type? ResolveDataType(string assemblyQualifiedName) =>
        DataTypes.GetOrAdd(assemblyQualifiedName, static name => Type.GetType(name, throwOnError: false));

    private static string? OverrideDetail(UserTaskRecord userTask, UserTaskAccess access)
    {
        var assigned = access.IsAssigned(userTask.User, userTask.Roles);
        if (assigned && (userTask.ClaimedBy is null || userTask.ClaimedBy == access.UserId)) return null;
        return assigned ? $"admin override of {userTask.ClaimedBy}'s claim" : "admin override: not assigned to " + access.UserId;
    }
}
