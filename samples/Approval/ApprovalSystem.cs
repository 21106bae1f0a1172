using System.Threading.Channels;

namespace Baton.Samples.Approval;

/// <summary>One request the approval system received: which task to complete when the approver decides.</summary>
public sealed record ApprovalRequest(string ServiceName, string TaskId, string DocumentId, string ApproverId);

/// <summary>
/// Stands in for an external approval system (a separate product in real life): it queues requests, and an approver
/// decides on them later through the Baton client, knowing only the service name and task id.
/// </summary>
public sealed class ApprovalSystem
{
    private readonly Channel<ApprovalRequest> _inbox = Channel.CreateUnbounded<ApprovalRequest>();

    /// <summary>Requests waiting for the approver.</summary>
    public ChannelReader<ApprovalRequest> Inbox => _inbox.Reader;

    /// <summary>Files a request.</summary>
    public ValueTask SubmitAsync(ApprovalRequest request) => _inbox.Writer.WriteAsync(request);
}

/// <summary>The delegated task's handler: hands the request to the approval system and returns.</summary>
public sealed class ApprovalService(ApprovalSystem system, TextWriter log) : IApprovalService
{
    public async Task<ApprovalResult> RequestApprovalAsync(string documentId, string approverId)
    {
        var task = TaskContext.Current!;
        log.WriteLine($"  [handler]  asking {approverId} to approve {documentId} (task {task.ServiceName}/{task.TaskId}, attempt {task.Attempt})");
        await system.SubmitAsync(new ApprovalRequest(task.ServiceName, task.TaskId, documentId, approverId));
        return null!; // ignored: the task stays Delegated until the approver answers
    }
}
