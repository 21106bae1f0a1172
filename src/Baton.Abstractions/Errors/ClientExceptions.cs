namespace Baton;

/// <summary>No task with that id, or the id belongs to another service.</summary>
public sealed class TaskNotFoundException(string? serviceName, string taskId)
    : BatonException(BatonErrorCodes.TaskNotFound, serviceName is null ? $"No task '{taskId}'." : $"No task '{taskId}' in service '{serviceName}'.")
{
    /// <summary>The service name asked for, if any.</summary>
    public string? ServiceName { get; } = serviceName;

    /// <summary>The task id asked for.</summary>
    public string TaskId { get; } = taskId;
}

/// <summary>No workflow with that id.</summary>
public sealed class WorkflowNotFoundException(string workflowId)
    : BatonException(BatonErrorCodes.WorkflowNotFound, $"No workflow '{workflowId}'.")
{
    /// <summary>The id asked for.</summary>
    public string WorkflowId { get; } = workflowId;
}

/// <summary>No workflow type is registered under that name.</summary>
public sealed class UnknownWorkflowTypeException(string workflowName, IReadOnlyList<string> known)
    : BatonException(BatonErrorCodes.WorkflowTypeUnknown, $"No workflow type named '{workflowName}'. Registered: {(known.Count == 0 ? "none" : string.Join(", ", known))}.")
{
    /// <summary>The name asked for.</summary>
    public string WorkflowName { get; } = workflowName;
}

/// <summary>A start with an existing workflow id but another type or input.</summary>
public sealed class WorkflowIdConflictException(string workflowId, string existingWorkflowName)
    : BatonException(BatonErrorCodes.WorkflowIdConflict, $"Workflow '{workflowId}' already exists as a '{existingWorkflowName}' with another input; an id can only be reused for the same start.")
{
    /// <summary>The id asked for.</summary>
    public string WorkflowId { get; } = workflowId;

    /// <summary>The type of the existing workflow.</summary>
    public string ExistingWorkflowName { get; } = existingWorkflowName;
}

/// <summary>The task already has a different outcome. The recorded outcome is carried so the caller knows the truth.</summary>
public sealed class TaskOutcomeConflictException(string taskId, TaskOutcome recorded)
    : BatonException(BatonErrorCodes.TaskOutcomeConflict, $"Task '{taskId}' already has a different outcome: {recorded.State}.")
{
    /// <summary>The task id.</summary>
    public string TaskId { get; } = taskId;

    /// <summary>The outcome that was recorded first and stays.</summary>
    public TaskOutcome Recorded { get; } = recorded;
}

/// <summary>The task's state does not allow the operation (for example it timed out or was canceled).</summary>
public sealed class TaskWrongStateException(string taskId, TaskState state, string operation)
    : BatonException(BatonErrorCodes.TaskWrongState, $"Task '{taskId}' is {state}; it cannot be {operation}.")
{
    /// <summary>The task id.</summary>
    public string TaskId { get; } = taskId;

    /// <summary>The task's current state.</summary>
    public TaskState State { get; } = state;
}

/// <summary>The task is an ordinary task; only delegated tasks take outcomes from outside.</summary>
public sealed class TaskNotDelegatedException(string taskId)
    : BatonException(BatonErrorCodes.TaskNotDelegated, $"Task '{taskId}' is not a delegated task; its handler's return value is its outcome.")
{
    /// <summary>The task id.</summary>
    public string TaskId { get; } = taskId;
}

/// <summary>The workflow's state does not allow the operation.</summary>
public sealed class WorkflowWrongStateException(string workflowId, WorkflowState state, string operation)
    : BatonException(BatonErrorCodes.WorkflowWrongState, $"Workflow '{workflowId}' is {state}; it cannot be {operation}.")
{
    /// <summary>The workflow id.</summary>
    public string WorkflowId { get; } = workflowId;

    /// <summary>Its current state.</summary>
    public WorkflowState State { get; } = state;
}

/// <summary>A payload does not match its declared type; nothing was changed.</summary>
public sealed class PayloadValidationException(string errorCode, string message, IReadOnlyList<FieldError> errors)
    : BatonException(errorCode, message)
{
    /// <summary>Every problem found, each with its JSON path.</summary>
    public IReadOnlyList<FieldError> Errors { get; } = errors;
}

/// <summary>A payload exceeds the configured limit; nothing was changed.</summary>
public sealed class PayloadTooLargeException(string what, long size, long limit)
    : BatonException(BatonErrorCodes.PayloadTooLarge, $"{what} is {size} bytes; the limit is {limit} bytes.")
{
    /// <summary>The payload size in bytes.</summary>
    public long Size { get; } = size;

    /// <summary>The configured limit in bytes.</summary>
    public long Limit { get; } = limit;
}

/// <summary>A task token is malformed, forged, or signed with a key that is no longer accepted.</summary>
public sealed class InvalidTaskTokenException(string errorCode, string message)
    : BatonException(errorCode, message);

/// <summary>The workflow finished with an error (thrown by typed result helpers).</summary>
public sealed class WorkflowFailedException(string workflowId, TaskError error)
    : BatonException(error.Type == "NonDeterminism" ? BatonErrorCodes.NonDeterminism : BatonErrorCodes.WorkflowFailed, $"Workflow '{workflowId}' failed: {error.Type}: {error.Message}")
{
    /// <summary>The workflow id.</summary>
    public string WorkflowId { get; } = workflowId;

    /// <summary>The recorded error.</summary>
    public TaskError Error { get; } = error;
}

/// <summary>The workflow was canceled (thrown by typed result helpers).</summary>
public sealed class WorkflowCanceledException(string workflowId)
    : BatonException(BatonErrorCodes.WorkflowCanceled, $"Workflow '{workflowId}' was canceled.")
{
    /// <summary>The workflow id.</summary>
    public string WorkflowId { get; } = workflowId;
}
