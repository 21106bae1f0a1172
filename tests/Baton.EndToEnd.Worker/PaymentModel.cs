namespace Baton.EndToEnd.Worker;

public sealed record PaymentResult(bool Approved, int N);

[Service("PaymentGateway")]
public interface IPaymentGateway
{
    [Delegated(CompleteWithin = "1.00:00:00")]
    Task<PaymentResult> ChargeAsync(int i);
}

/// <summary>One payment: a delegated charge completed by the gateway's webhook, then a final step.</summary>
public sealed class PaymentWorkflow : Workflow<int, string>
{
    protected override async Task<string> RunAsync(int i)
    {
        var result = await Dispatch((IPaymentGateway g) => g.ChargeAsync(i));
        return $"{i}:{result.N}:{result.Approved}";
    }
}

/// <summary>The handler hands the charge to the gateway (its own durable queue) and returns.</summary>
public sealed class PaymentGatewayService(GatewayQueue gateway) : IPaymentGateway
{
    public Task<PaymentResult> ChargeAsync(int i)
    {
        var task = TaskContext.Current!;
        gateway.Enqueue(task.TaskId, i);
        return Task.FromResult<PaymentResult>(null!);
    }
}
