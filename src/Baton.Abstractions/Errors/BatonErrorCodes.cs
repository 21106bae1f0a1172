namespace Baton;

/// <summary>
/// Stable machine-readable error codes. They appear in <see cref="BatonException.ErrorCode"/> and as the
/// <c>code</c> member of RFC 7807 problem documents, and never change meaning.
/// </summary>
public static class BatonErrorCodes
{
    /// <summary>No task with that id (and service name).</summary>
    public const string TaskNotFound = "task_not_found";

    /// <summary>No workflow with that id.</summary>
    public const string WorkflowNotFound = "workflow_not_found";

    /// <summary>No workflow type registered under that name.</summary>
    public const string WorkflowTypeUnknown = "workflow_type_unknown";

    /// <summary>A workflow with that id exists with another type or input.</summary>
    public const string WorkflowIdConflict = "workflow_id_conflict";

    /// <summary>The task already has a different outcome; the body carries the recorded one.</summary>
    public const string TaskOutcomeConflict = "task_outcome_conflict";

    /// <summary>The task is in a state that does not allow the operation (timed out, canceled, running...).</summary>
    public const string TaskWrongState = "task_wrong_state";

    /// <summary>The workflow is in a state that does not allow the operation.</summary>
    public const string WorkflowWrongState = "workflow_wrong_state";

    /// <summary>Only delegated tasks can be completed, failed or re-run from outside.</summary>
    public const string TaskNotDelegated = "task_not_delegated";

    /// <summary>A task result does not match the method's declared return type.</summary>
    public const string ResultInvalid = "result_invalid";

    /// <summary>A workflow input does not match the workflow's declared input type.</summary>
    public const string InputInvalid = "input_invalid";

    /// <summary>A payload is larger than the configured limit.</summary>
    public const string PayloadTooLarge = "payload_too_large";

    /// <summary>A task token is malformed, forged or signed with an unknown key.</summary>
    public const string TokenInvalid = "token_invalid";

    /// <summary>A task token was signed with a key that is no longer accepted.</summary>
    public const string TokenExpired = "token_expired";

    /// <summary>An argument is missing or malformed.</summary>
    public const string InvalidArgument = "invalid_argument";

    /// <summary>A replayed workflow issued different commands than its history recorded.</summary>
    public const string NonDeterminism = "non_determinism";

    /// <summary>The workflow finished with an error.</summary>
    public const string WorkflowFailed = "workflow_failed";

    /// <summary>The workflow was canceled.</summary>
    public const string WorkflowCanceled = "workflow_canceled";

    /// <summary>No credential, or an unknown or revoked one (HTTP 401).</summary>
    public const string Unauthenticated = "unauthenticated";

    /// <summary>The credential is valid but lacks the role the operation needs (HTTP 403).</summary>
    public const string Forbidden = "forbidden";

    /// <summary>The request body is not valid JSON or has members of the wrong JSON type (HTTP 400).</summary>
    public const string MalformedRequest = "malformed_request";

    /// <summary>No API key with that id.</summary>
    public const string ApiKeyNotFound = "api_key_not_found";

    /// <summary>The user task is not assigned to the caller or any of its roles (HTTP 403).</summary>
    public const string UserTaskNotAssigned = "user_task_not_assigned";

    /// <summary>Another user has claimed the user task; the body names the claimant (HTTP 409).</summary>
    public const string UserTaskClaimed = "user_task_claimed";
}
