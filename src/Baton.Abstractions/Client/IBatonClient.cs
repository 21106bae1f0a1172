using System.Text.Json;

namespace Baton;

/// <summary>
/// Everything an application or an outside system does with Baton: start and watch workflows, and complete, fail or
/// report progress on delegated tasks. The same interface is served in-process by the engine and over HTTP by
/// <c>Baton.Client</c>. Typed helpers are in <see cref="BatonClientExtensions"/>.
/// </summary>
/// <remarks>
/// Errors callers can act on are <see cref="BatonException"/>s with a stable <see cref="BatonException.ErrorCode"/>.
/// A rejected call changes nothing.
/// </remarks>
public interface IBatonClient
{
    /// <summary>Starts a workflow. Starting again with the same id and input returns the existing instance.</summary>
    Task<WorkflowStartResult> StartWorkflowAsync(StartWorkflowRequest request, CancellationToken cancellationToken = default);

    /// <summary>A workflow's status with its open tasks.</summary>
    Task<WorkflowInfo> GetWorkflowAsync(string workflowId, CancellationToken cancellationToken = default);

    /// <summary>A workflow's full history, oldest event first.</summary>
    Task<IReadOnlyList<WorkflowHistoryEvent>> GetWorkflowHistoryAsync(string workflowId, CancellationToken cancellationToken = default);

    /// <summary>Waits up to <paramref name="timeout"/> for the workflow to finish and returns its status (still <see cref="WorkflowState.Running"/> if it did not).</summary>
    Task<WorkflowInfo> WaitForWorkflowAsync(string workflowId, TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>Lists workflows, newest first, paged by cursor.</summary>
    Task<WorkflowPage> ListWorkflowsAsync(WorkflowQuery query, CancellationToken cancellationToken = default);

    /// <summary>Cancels a running workflow; its open tasks become <see cref="TaskState.Canceled"/>.</summary>
    Task<WorkflowInfo> CancelWorkflowAsync(string workflowId, string? reason = null, CancellationToken cancellationToken = default);

    /// <summary>Completes a delegated task by service name and task id. The result must match the method's return type.</summary>
    Task<CompletionResult> CompleteDelegatedTaskAsync(string serviceName, string taskId, JsonElement result, CancellationToken cancellationToken = default);

    /// <summary>Completes a delegated task by its signed token.</summary>
    Task<CompletionResult> CompleteDelegatedTaskAsync(string token, JsonElement result, CancellationToken cancellationToken = default);

    /// <summary>Fails a delegated task by service name and task id.</summary>
    Task<CompletionResult> FailDelegatedTaskAsync(string serviceName, string taskId, TaskError error, CancellationToken cancellationToken = default);

    /// <summary>Fails a delegated task by its signed token.</summary>
    Task<CompletionResult> FailDelegatedTaskAsync(string token, TaskError error, CancellationToken cancellationToken = default);

    /// <summary>Reports progress on an open task (also a heartbeat).</summary>
    Task<TaskInfo> ReportProgressAsync(string serviceName, string taskId, ProgressReport progress, CancellationToken cancellationToken = default);

    /// <summary>Reports progress on an open task by its signed token.</summary>
    Task<TaskInfo> ReportProgressAsync(string token, ProgressReport progress, CancellationToken cancellationToken = default);

    /// <summary>Runs the handler of an open delegated task again (the outside system lost the request). The task id and token stay the same.</summary>
    Task<TaskInfo> RetryTaskAsync(string serviceName, string taskId, CancellationToken cancellationToken = default);

    /// <summary>Times an open task out now (TimeoutTask).</summary>
    Task<CompletionResult> TimeoutTaskAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Times out every open task whose deadline lies in [<paramref name="from"/>, <paramref name="to"/>) (TimeoutBetween).
    /// Without <paramref name="from"/>, the previous call's <paramref name="to"/> is used.
    /// </summary>
    Task<TimeoutBetweenResult> TimeoutTasksBetweenAsync(DateTimeOffset? from, DateTimeOffset to, CancellationToken cancellationToken = default);

    /// <summary>One task with its audit trail and progress timeline.</summary>
    Task<TaskDetails> GetTaskAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>Lists tasks by state, service, tag and age, paged by cursor.</summary>
    Task<TaskPage> ListTasksAsync(TaskQuery query, CancellationToken cancellationToken = default);
}
