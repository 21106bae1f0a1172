namespace Baton;

/// <summary>The caller is neither the task's user nor a holder of one of its roles (HTTP 403).</summary>
public sealed class UserTaskNotAssignedException(string taskId, string userId, string operation)
    : BatonException(BatonErrorCodes.UserTaskNotAssigned, $"User task '{taskId}' is not assigned to '{userId}' or any of its roles; it cannot be {operation} by them.")
{
    /// <summary>The task id.</summary>
    public string TaskId { get; } = taskId;

    /// <summary>Who asked.</summary>
    public string UserId { get; } = userId;
}

/// <summary>Someone else has claimed the task; only they may complete it until they release it (HTTP 409).</summary>
public sealed class UserTaskClaimedException(string taskId, string claimedBy)
    : BatonException(BatonErrorCodes.UserTaskClaimed, $"User task '{taskId}' is claimed by '{claimedBy}'.")
{
    /// <summary>The task id.</summary>
    public string TaskId { get; } = taskId;

    /// <summary>The claimant.</summary>
    public string ClaimedBy { get; } = claimedBy;
}
