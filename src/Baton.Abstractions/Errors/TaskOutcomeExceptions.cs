namespace Baton;

/// <summary>Base of the exceptions a workflow sees when it awaits a task that did not complete.</summary>
public abstract class TaskException(string errorCode, string message, string serviceName, string taskId)
    : BatonException(errorCode, message)
{
    /// <summary>The task's service.</summary>
    public string ServiceName { get; } = serviceName;

    /// <summary>The task's id.</summary>
    public string TaskId { get; } = taskId;
}

/// <summary>The awaited task failed: its handler exhausted its retries, or the outside party reported a failure.</summary>
public sealed class TaskFailedException(string serviceName, string taskId, TaskError error)
    : TaskException("task_failed", $"Task {serviceName}/{taskId} failed: {error.Type}: {error.Message}", serviceName, taskId)
{
    /// <summary>The recorded error.</summary>
    public TaskError Error { get; } = error;
}

/// <summary>The awaited task passed its deadline (delegation deadline, heartbeat, or a manual timeout).</summary>
public sealed class TaskTimedOutException(string serviceName, string taskId, string reason)
    : TaskException("task_timed_out", $"Task {serviceName}/{taskId} timed out: {reason}", serviceName, taskId)
{
    /// <summary>Which deadline expired, or who timed the task out.</summary>
    public string Reason { get; } = reason;
}

/// <summary>
/// The awaited task was canceled. Named with the Baton prefix so that it never collides with
/// <see cref="System.Threading.Tasks.TaskCanceledException"/> under implicit usings.
/// </summary>
public sealed class BatonTaskCanceledException(string serviceName, string taskId, string reason)
    : TaskException("task_canceled", $"Task {serviceName}/{taskId} was canceled: {reason}", serviceName, taskId)
{
    /// <summary>Why it was canceled.</summary>
    public string Reason { get; } = reason;
}

/// <summary>An awaited child workflow failed or was canceled.</summary>
public sealed class ChildWorkflowFailedException(string workflowId, TaskError error)
    : BatonException("child_workflow_failed", $"Child workflow {workflowId} failed: {error.Type}: {error.Message}")
{
    /// <summary>The child's id.</summary>
    public string WorkflowId { get; } = workflowId;

    /// <summary>The child's error (type <c>Canceled</c> when it was canceled).</summary>
    public TaskError Error { get; } = error;
}
