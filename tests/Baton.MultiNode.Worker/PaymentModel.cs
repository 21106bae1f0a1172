namespace Baton.MultiNode.Worker;

public sealed record PaymentResult(bool Approved, int N);

[Service("PaymentGateway")]
public interface IPaymentGateway
{
    [Delegated(CompleteWithin = "1.00:00:00")]
    Task<PaymentResult> ChargeAsync(int i);
}

/// <summary>One payment: a delegated charge completed by the gateway's webhook (through any node), then a final step.</summary>
public sealed class PaymentWorkflow : Workflow<int, string>
{
    protected override async Task<string> RunAsync(int i)
    {
        var result = await Dispatch((IPaymentGateway g) => g.ChargeAsync(i));
        return $"{i}:{result.N}:{result.Approved}";
    }
}

/// <summary>The handler hands the charge to the gateway and returns.</summary>
public sealed class PaymentGatewayService(Gateway gateway) : IPaymentGateway
{
    public async Task<PaymentResult> ChargeAsync(int i)
    {
        await gateway.EnqueueAsync(TaskContext.Current!.TaskId, i);
        return null!;
    }
}
