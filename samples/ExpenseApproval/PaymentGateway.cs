namespace Baton.Samples.ExpenseApproval;

/// <summary>What to pay.</summary>
public sealed record PaymentOrder(string ExpenseId, string Payee, decimal Amount, string Memo);

/// <summary>The provider's confirmation, delivered by its webhook as the payment task's result.</summary>
public sealed record PaymentReceipt(string Reference, decimal Amount, DateTimeOffset PaidAt);

/// <summary>The payment task: the handler submits the payment and returns; the provider confirms later by webhook.</summary>
[Service("PaymentGateway")]
public interface IPaymentGateway
{
    // A payment the provider has not confirmed within a day is given up: the workflow ends PaymentFailed.
    [Delegated(CompleteWithin = "1.00:00:00")]
    Task<PaymentReceipt> PayAsync(PaymentOrder order);
}

/// <summary>
/// The payment provider's API: a payment request (what a real provider's "create payment" call takes). The idempotency
/// key is the Baton task id, the same across handler retries, so a retry never pays twice; the webhook URL, where the
/// provider posts its confirmation, is the task's callback URL.
/// </summary>
public sealed record GatewayPaymentRequest(string IdempotencyKey, string Payee, decimal Amount, string Memo, Uri WebhookUrl);

/// <summary>The payment provider's API: its answer to a payment request.</summary>
public sealed record GatewayPaymentAccepted(string Reference, string Status);

/// <summary>Settings of the payment provider's client (configuration section <c>PaymentGateway</c>).</summary>
public sealed class PaymentGatewayOptions
{
    /// <summary>Base URL of the provider's API. Default: this app's simulated provider, <c>{PublicBaseUrl}/simulated-payment-gateway/</c>.</summary>
    public Uri? Url { get; set; }
}

/// <summary>The payment task's handler: sends the payment request, with the task's callback URL as the webhook, and returns.</summary>
public sealed class PaymentGatewayClient(IHttpClientFactory clients, ILogger<PaymentGatewayClient> logger) : IPaymentGateway
{
    /// <summary>The named <see cref="HttpClient"/> whose base address is the provider's API.</summary>
    public const string ClientName = "PaymentGateway";

    public async Task<PaymentReceipt> PayAsync(PaymentOrder order)
    {
        var task = TaskContext.Current!;
        var webhook = task.CallbackUrl
            ?? throw new InvalidOperationException("The payment task has no callback URL: set the engine's PublicBaseUrl (--PublicBaseUrl).");
        var request = new GatewayPaymentRequest(task.TaskId, order.Payee, order.Amount, order.Memo, webhook);
        using var response = await clients.CreateClient(ClientName).PostAsJsonAsync("payments", request, task.CancellationToken);
        // A refused request throws, and the task's retry policy sends it again under the same idempotency key.
        response.EnsureSuccessStatusCode();
        var accepted = await response.Content.ReadFromJsonAsync<GatewayPaymentAccepted>(task.CancellationToken);
        logger.LogInformation("[payment] expense {ExpenseId}: {Amount} to {Payee} submitted to the provider as {Reference} (task {TaskId}, attempt {Attempt}); waiting for its webhook",
            order.ExpenseId, order.Amount, order.Payee, accepted?.Reference, task.TaskId, task.Attempt);
        return null!; // ignored: the task stays Delegated until the provider's webhook completes it
    }
}
