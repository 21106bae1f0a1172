using System.Text.Json;

namespace Baton;

/// <summary>Typed conveniences over <see cref="IBatonClient"/>.</summary>
public static class BatonClientExtensions
{
    /// <summary>Starts workflow <typeparamref name="TWorkflow"/> with <paramref name="input"/>.</summary>
    public static Task<WorkflowStartResult> StartWorkflowAsync<TWorkflow>(this IBatonClient client, object? input,
        string? workflowId = null, CancellationToken cancellationToken = default)
        where TWorkflow : Workflow
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.StartWorkflowAsync(new StartWorkflowRequest
        {
            Workflow = WorkflowAttribute.NameOf(typeof(TWorkflow)),
            Input = BatonJson.ToElement(input),
            Id = workflowId,
        }, cancellationToken);
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for the workflow's result. Throws <see cref="WorkflowFailedException"/>,
    /// <see cref="WorkflowCanceledException"/>, or <see cref="TimeoutException"/> when it is still running.
    /// </summary>
    public static async Task<TResult> GetResultAsync<TResult>(this IBatonClient client, string workflowId, TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var info = await client.WaitForWorkflowAsync(workflowId, timeout, cancellationToken).ConfigureAwait(false);
        return info.State switch
        {
            WorkflowState.Completed => info.Result is { } r ? r.Deserialize<TResult>(BatonJson.Options)! : default!,
            WorkflowState.Failed => throw new WorkflowFailedException(workflowId, info.Error ?? new TaskError("Unknown", "no error recorded")),
            WorkflowState.Canceled => throw new WorkflowCanceledException(workflowId),
            _ => throw new TimeoutException($"Workflow '{workflowId}' is still running after {timeout}."),
        };
    }

    /// <summary>Completes a delegated task with a typed result.</summary>
    public static Task<CompletionResult> CompleteDelegatedTaskAsync<TResult>(this IBatonClient client, string serviceName, string taskId,
        TResult result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.CompleteDelegatedTaskAsync(serviceName, taskId, BatonJson.ToElement(result), cancellationToken);
    }

    /// <summary>Completes a delegated task, named by its token, with a typed result.</summary>
    public static Task<CompletionResult> CompleteDelegatedTaskAsync<TResult>(this IBatonClient client, string token,
        TResult result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.CompleteDelegatedTaskAsync(token, BatonJson.ToElement(result), cancellationToken);
    }

    /// <summary>Reports progress by token.</summary>
    public static Task<TaskInfo> ReportProgressAsync(this IBatonClient client, string token, double? percent, string? message = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.ReportProgressAsync(token, new ProgressReport(percent, message), cancellationToken);
    }
}
