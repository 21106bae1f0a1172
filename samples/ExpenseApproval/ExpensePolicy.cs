using Microsoft.Extensions.Options;

namespace Baton.Samples.ExpenseApproval;

/// <summary>Settings of the approval process (configuration section <c>Expense</c>).</summary>
public sealed class ExpenseOptions
{
    /// <summary>How long the managers have before the expense escalates to the directors. Default two days.</summary>
    public TimeSpan ManagerTimeout { get; set; } = TimeSpan.FromDays(2);
}

/// <summary>The approval rules one expense is handled by.</summary>
public sealed record ApprovalPolicy(TimeSpan ManagerTimeout);

/// <summary>Hands the workflow the current approval rules.</summary>
[Service("ExpensePolicy")]
public interface IExpensePolicy
{
    Task<ApprovalPolicy> GetPolicyAsync(ExpenseReport report);
}

/// <summary>Reads the rules from configuration.</summary>
public sealed class ExpensePolicy(IOptions<ExpenseOptions> options) : IExpensePolicy
{
    public Task<ApprovalPolicy> GetPolicyAsync(ExpenseReport report) => Task.FromResult(new ApprovalPolicy(options.Value.ManagerTimeout));
}
