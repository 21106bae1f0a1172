namespace Baton.Samples.Approval;

/// <summary>What to approve and how long to wait for the approver.</summary>
public sealed record DocumentRequest(string DocumentId, string ApproverId, TimeSpan WaitFor);

/// <summary>The approver's decision, as the approval system reports it.</summary>
public sealed record ApprovalResult(bool Approved, string Comment);

/// <summary>The delegated task: the handler files a request with the approval system and returns; the approver answers later.</summary>
[Service("ApprovalService")]
public interface IApprovalService
{
    [Delegated(CompleteWithin = "7.00:00:00")]
    Task<ApprovalResult> RequestApprovalAsync(string documentId, string approverId);
}

/// <summary>The reference texts' document workflow: a delegated approval raced against a timer.</summary>
public sealed class DocumentWorkflow : Workflow<DocumentRequest, string>
{
    protected override async Task<string> RunAsync(DocumentRequest request)
    {
        var approval = Dispatch((IApprovalService s) => s.RequestApprovalAsync(request.DocumentId, request.ApproverId));
        var timeout = Timer(request.WaitFor);
        await WhenAny(approval, timeout);
        if (!approval.IsCompleted) return $"{request.DocumentId}: no decision within {request.WaitFor}, escalated";
        var decision = await approval;
        return decision.Approved
            ? $"{request.DocumentId}: approved ({decision.Comment})"
            : $"{request.DocumentId}: rejected ({decision.Comment})";
    }
}
