using System.Text.Json;

namespace Baton;

/// <summary>
/// The inbox of one person: list, claim, release and complete the user tasks assigned to them or their roles. Over
/// HTTP the person is the API key's principal; in process, an engine hands out one client per <see cref="UserIdentity"/>.
/// </summary>
/// <remarks>
/// Refusals are <see cref="BatonException"/>s: <see cref="UserTaskNotAssignedException"/> (not yours),
/// <see cref="UserTaskClaimedException"/> (someone else claimed it), <see cref="TaskWrongStateException"/> (no longer open),
/// <see cref="PayloadValidationException"/> (data of the wrong shape). A refused call changes nothing.
/// </remarks>
public interface IUserTaskClient
{
    /// <summary>The open user tasks the caller may act on, filtered, ordered and paged.</summary>
    Task<UserTaskPage> GetInboxAsync(InboxQuery query, CancellationToken cancellationToken = default);

    /// <summary>One user task visible to the caller, with the schema its data must match.</summary>
    Task<UserTaskInfo> GetUserTaskAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>Claims the task: from now on only the caller may complete it. Claiming one's own claim again is harmless.</summary>
    Task<UserTaskInfo> ClaimUserTaskAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>Releases the caller's claim (operators and admins may release anyone's).</summary>
    Task<UserTaskInfo> UnclaimUserTaskAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>Gives the task to another user and/or roles, releasing any claim (operators and admins).</summary>
    Task<UserTaskInfo> ReassignUserTaskAsync(string taskId, UserTaskAssignment assignment, CancellationToken cancellationToken = default);

    /// <summary>Submits the data (ProceedTask): validated against the declared type; the workflow continues with it.</summary>
    Task<CompletionResult> CompleteUserTaskAsync(string taskId, JsonElement data, CancellationToken cancellationToken = default);
}
