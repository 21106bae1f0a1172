namespace Baton.AspNetCore.Tests;

public sealed record Approval(bool Approved, string Comment);

public sealed record ApproveInput(string DocumentId);

[Service("Approvals")]
public interface IApprovals
{
    [Delegated(CompleteWithin = "1.00:00:00")]
    Task<Approval> RequestAsync(string documentId);
}

public sealed class Approvals : IApprovals
{
    public Task<Approval> RequestAsync(string documentId) => Task.FromResult<Approval>(null!);
}

[Workflow("Approve")]
public sealed class ApproveWorkflow : Workflow<ApproveInput, Approval>
{
    protected override async Task<Approval> RunAsync(ApproveInput input) =>
        await Dispatch<IApprovals, Approval>(s => s.RequestAsync(input.DocumentId));
}

public sealed record ExpenseDecision(bool Approved, string Comment);

/// <summary>A typed user task for the 'manager' role, with the submitted decision merged into the input at 'review'.</summary>
[Workflow("ManagerReview")]
public sealed class ManagerReviewWorkflow : Workflow<ApproveInput, UserTaskResult<ExpenseDecision>>
{
    protected override async Task<UserTaskResult<ExpenseDecision>> RunAsync(ApproveInput input) =>
        await UserTask<ExpenseDecision>(new UserTaskRequest
        {
            Name = $"Review {input.DocumentId}",
            Spec = "review",
            Action = "Review",
            Roles = ["manager"],
            Input = new { document = input.DocumentId },
            EnrichPath = "review",
        });
}
