using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Baton.Samples.ExpenseApproval;

/// <summary>Settings of the simulated payment provider (configuration section <c>SimulatedGateway</c>).</summary>
public sealed class SimulatedGatewayOptions
{
    /// <summary>How long after accepting a payment the provider confirms it. Default one second.</summary>
    public TimeSpan SettleAfter { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// THE STAND-IN FOR A REAL PAYMENT PROVIDER. It lives in this app only so the sample runs alone: the handler reaches it over
/// HTTP exactly as it would reach a real provider, and it answers the way such providers do: it accepts the payment at
/// once (idempotently, by key), settles it later, and then posts the receipt to the webhook URL it was given, which is
/// the Baton task's callback URL. Nothing here uses Baton's API: the completion arrives through Baton's callback endpoint.
/// </summary>
public sealed class SimulatedPaymentGateway(IHttpClientFactory clients, IOptions<SimulatedGatewayOptions> options, TimeProvider time,
    ILogger<SimulatedPaymentGateway> logger) : BackgroundService
{
    /// <summary>The named <see cref="HttpClient"/> that delivers webhooks.</summary>
    public const string WebhookClientName = "SimulatedGateway.Webhooks";

    /// <summary>Where the provider's API is mapped.</summary>
    public const string Path = "/simulated-payment-gateway";

    private const int DeliveryAttempts = 5;
    private readonly ConcurrentDictionary<string, Payment> _byKey = new(StringComparer.Ordinal);
    private readonly Channel<Payment> _toSettle = Channel.CreateUnbounded<Payment>();

    /// <summary>The provider's "create payment" call.</summary>
    public GatewayPaymentAccepted Accept(GatewayPaymentRequest request)
    {
        var candidate = new Payment("pay_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), request);
        if (_byKey.TryAdd(request.IdempotencyKey, candidate))
        {
            _toSettle.Writer.TryWrite(candidate);
            logger.LogInformation("[gateway] accepted payment {Reference}: {Amount} to {Payee} ({Memo})", candidate.Reference, request.Amount, request.Payee, request.Memo);
        }
        return new GatewayPaymentAccepted(_byKey[request.IdempotencyKey].Reference, "pending");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var payment in _toSettle.Reader.ReadAllAsync(stoppingToken))
            {
                await Task.Delay(options.Value.SettleAfter, time, stoppingToken);
                await DeliverWebhookAsync(payment, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task DeliverWebhookAsync(Payment payment, CancellationToken cancellationToken)
    {
        var receipt = new { result = new { reference = payment.Reference, amount = payment.Request.Amount, paidAt = time.GetUtcNow() } };
        var client = clients.CreateClient(WebhookClientName);
        for (var attempt = 1; attempt <= DeliveryAttempts; attempt++)
        {
            try
            {
                // The URL itself is never logged: it carries the task's token, which alone completes the task.
                using var response = await client.PostAsJsonAsync(payment.Request.WebhookUrl, receipt, cancellationToken);
                logger.LogInformation("[gateway] payment {Reference} settled; webhook answered {Status}", payment.Reference, (int)response.StatusCode);
                // 2xx: recorded (or already recorded); 4xx: the task will never take it (timed out, canceled): stop either way.
                if ((int)response.StatusCode < 500) return;
            }
            catch (HttpRequestException e)
            {
                logger.LogWarning("[gateway] webhook for {Reference} failed (attempt {Attempt}): {Error}", payment.Reference, attempt, e.Message);
            }
            if (attempt < DeliveryAttempts) await Task.Delay(TimeSpan.FromSeconds(attempt), time, cancellationToken);
        }
        logger.LogError("[gateway] gave up delivering the webhook for {Reference}", payment.Reference);
    }

    private sealed record Payment(string Reference, GatewayPaymentRequest Request);
}

/// <summary>Maps the simulated provider's API.</summary>
public static class SimulatedPaymentGatewayEndpoints
{
    public static void MapSimulatedPaymentGateway(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost($"{SimulatedPaymentGateway.Path}/payments", (GatewayPaymentRequest request, SimulatedPaymentGateway gateway) =>
            request.Amount <= 0 || !request.WebhookUrl.IsAbsoluteUri || string.IsNullOrWhiteSpace(request.IdempotencyKey)
                ? Results.BadRequest(new { error = "a positive amount, an idempotency key and an absolute webhook URL are required" })
                : Results.Accepted(value: gateway.Accept(request)));
    }
}
