using System.Text.Json;

namespace Baton.Engine.Tests;

public sealed record ExpenseReport(string Id, string Employee, decimal Amount);

public sealed record Decision(bool Approved, string Comment, DateTimeOffset? DecidedOn = null);

/// <summary>What the expense workflow ends with: who decided what, and whether it had to escalate.</summary>
public sealed record ExpenseOutcome(string DecidedBy, bool Approved, bool Escalated, string? Comment, JsonElement EnrichedInput);

/// <summary>Manager approval with a two-day timeout; on timeout, escalation to the director (with no timeout).</summary>
public sealed class ExpenseWorkflow : Workflow<ExpenseReport, ExpenseOutcome>
{
    protected override async Task<ExpenseOutcome> RunAsync(ExpenseReport report)
    {
        var review = await UserTask<Decision>(new UserTaskRequest
        {
            Name = $"Approve expense {report.Id} of {report.Employee}",
            Spec = "expense_approval",
            Action = "Approve",
            Roles = ["Manager"],
            Input = new { report },
            EnrichPath = "review",
            Priority = report.Amount > 1000 ? 10 : 1,
            DueAt = Now.AddDays(1),
            Timeout = TimeSpan.FromDays(2),
        });
        if (review.IsCompleted) return new(review.CompletedBy!, review.Data!.Approved, false, review.Data.Comment, review.Input);
        var escalation = await UserTask<Decision>(new UserTaskRequest
        {
            Name = $"Escalated: approve expense {report.Id}",
            Spec = "expense_approval",
            Action = "Escalate",
            Roles = ["director"],
            Input = new { report, reason = review.TimeoutReason },
            EnrichPath = "escalation.decision",
            Priority = 100,
        });
        return new(escalation.CompletedBy!, escalation.Data!.Approved, true, escalation.Data.Comment, escalation.Input);
    }
}

/// <summary>One user task for one named user, timing out at an absolute moment; returns what happened.</summary>
public sealed class DeadlineUserTaskWorkflow : Workflow<DateTimeOffset, string>
{
    protected override async Task<string> RunAsync(DateTimeOffset timeoutOn)
    {
        var result = await UserTask<Decision>(new UserTaskRequest { Name = "Sign", Action = "Sign", User = "alice", TimeoutOn = timeoutOn, Timeout = TimeSpan.FromDays(30) });
        return result.IsTimedOut ? "TIMEOUT: " + result.TimeoutReason : "COMPLETED";
    }
}

/// <summary>A user task no one could ever do: the workflow fails at once with a clear error.</summary>
public sealed class UnassignedUserTaskWorkflow : Workflow<int, string>
{
    protected override async Task<string> RunAsync(int input)
    {
        var result = await UserTask<Decision>(new UserTaskRequest { Name = "Orphan", Action = "Do" });
        return result.Outcome.ToString();
    }
}
