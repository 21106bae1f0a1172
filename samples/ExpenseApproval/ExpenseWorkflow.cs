namespace Baton.Samples.ExpenseApproval;

/// <summary>An expense an employee asks to be reimbursed for.</summary>
public sealed record ExpenseReport(string Id, string Employee, decimal Amount, string Description);

/// <summary>What the manager (or the director) submits for the <c>Approve</c> user task.</summary>
public sealed record ExpenseDecision(bool Approved, string? Comment = null);

/// <summary>What the director sees when the manager did not decide in time.</summary>
public sealed record EscalatedExpense(ExpenseReport Expense, string EscalatedFrom, string Reason);

/// <summary>How an expense ended.</summary>
public enum ExpenseStatus
{
    /// <summary>Approved and paid out.</summary>
    Paid,

    /// <summary>Rejected (or never decided): nothing was paid.</summary>
    Rejected,

    /// <summary>Approved, but the payment provider failed it or never confirmed it.</summary>
    PaymentFailed,
}

/// <summary>The workflow's result.</summary>
public sealed record ExpenseOutcome(string ExpenseId, ExpenseStatus Status, string? DecidedBy, bool Escalated, string? PaymentReference, string? Comment);

/// <summary>
/// A manager approves the expense within the policy's timeout, or it escalates to a director; an approved expense is
/// paid through the payment provider, which confirms by calling the task's callback URL.
/// </summary>
public sealed class ExpenseWorkflow : Workflow<ExpenseReport, ExpenseOutcome>
{
    protected override async Task<ExpenseOutcome> RunAsync(ExpenseReport report)
    {
        // Configuration is read by a task rather than here: its answer is recorded in the history, so every replay,
        // and every restart with other settings, sees the timeout this expense started with.
        var policy = await Dispatch((IExpensePolicy p) => p.GetPolicyAsync(report));

        var review = await UserTask<ExpenseDecision>(new UserTaskRequest
        {
            Name = $"Approve expense {report.Id}: {report.Amount} for {report.Employee}",
            Spec = "expense_approval",
            Action = "Approve",
            Roles = ["manager"],
            Input = report,
            EnrichPath = "managerReview",
            DueAt = Now + policy.ManagerTimeout,
            Timeout = policy.ManagerTimeout,
        });
        var escalated = review.IsTimedOut;
        if (escalated)
        {
            review = await UserTask<ExpenseDecision>(new UserTaskRequest
            {
                Name = $"Escalated: approve expense {report.Id}: {report.Amount} for {report.Employee}",
                Spec = "expense_approval",
                Action = "Approve",
                Roles = ["director"],
                Input = new EscalatedExpense(report, "manager", review.TimeoutReason ?? "timed out"),
                EnrichPath = "directorReview",
                Priority = 10,
            });
        }

        // The director's task has no deadline, but an operator can still time it out by hand: nobody approved, so nothing is paid.
        if (review.IsTimedOut) return new(report.Id, ExpenseStatus.Rejected, null, escalated, null, $"no decision: {review.TimeoutReason}");
        var decision = review.Data!;
        if (!decision.Approved) return new(report.Id, ExpenseStatus.Rejected, review.CompletedBy, escalated, null, decision.Comment);

        try
        {
            var receipt = await Dispatch((IPaymentGateway g) => g.PayAsync(new PaymentOrder(report.Id, report.Employee, report.Amount, $"Expense {report.Id}: {report.Description}")));
            return new(report.Id, ExpenseStatus.Paid, review.CompletedBy, escalated, receipt.Reference, decision.Comment);
        }
        catch (TaskException e) when (e is TaskFailedException or TaskTimedOutException)
        {
            return new(report.Id, ExpenseStatus.PaymentFailed, review.CompletedBy, escalated, null, e.Message);
        }
    }
}
