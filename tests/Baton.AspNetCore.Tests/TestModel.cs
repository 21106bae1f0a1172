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
