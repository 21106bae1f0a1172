using Baton.AspNetCore;
using Baton.AspNetCore.Security;
using Baton.Engine.Hosting;
using Baton.Samples.ExpenseApproval;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection.Extensions;

// Expense approval with people in the loop: a manager approves an expense from their inbox (or, after
// --Expense:ManagerTimeout, a director does), then the payment is delegated to a payment provider that confirms by
// webhook. The provider here is a simulated one in this same app (SimulatedPaymentGateway.cs), reached over HTTP.
//   dotnet run --project samples/ExpenseApproval -- --urls http://127.0.0.1:5091 --Database expenses.db --ApiKey <admin key>
// Optional: --Expense:ManagerTimeout 00:05:00 (default 2.00:00:00), --SimulatedGateway:SettleAfter 00:00:03 (default 1 s),
// --PublicBaseUrl <URL callers reach this app at> (default: the listening URL; callback URLs are built from it).
// People are API keys whose roles include theirs: POST /api/keys {"name":"alice","roles":["manager"]} (see README.md).
// Configuration files are read once, not watched: watching covers the whole content root, where the database is, and
// would wake on every commit.
var builder = WebApplication.CreateBuilder(["--hostBuilder:reloadConfigOnChange=false", .. args]);
// Lowest-priority defaults, so the sample's own lines stand out; configuration can still turn the chatter back on.
builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
{
    InitialData = new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
    },
});
var config = builder.Configuration;
var database = config["Database"] ?? "expenses.db";
var apiKey = config["ApiKey"] ?? throw new InvalidOperationException("Give the admin API key: --ApiKey <key>.");
var url = config["urls"] is { Length: > 0 } urls ? urls.Split(';')[0] : "http://127.0.0.1:5091";
builder.WebHost.UseUrls(url);
var publicBase = PublicBase(config["PublicBaseUrl"] is { Length: > 0 } configured ? configured : url);

builder.Services.AddOptions<ExpenseOptions>().Bind(config.GetSection("Expense"))
    .Validate(o => o.ManagerTimeout > TimeSpan.Zero, "Expense:ManagerTimeout must be positive.").ValidateOnStart();
builder.Services.AddOptions<SimulatedGatewayOptions>().Bind(config.GetSection("SimulatedGateway"))
    .Validate(o => o.SettleAfter >= TimeSpan.Zero, "SimulatedGateway:SettleAfter cannot be negative.").ValidateOnStart();
var gatewayUrl = config.GetSection("PaymentGateway").Get<PaymentGatewayOptions>()?.Url ?? new Uri(publicBase, SimulatedPaymentGateway.Path.TrimStart('/') + "/");
builder.Services.AddHttpClient(PaymentGatewayClient.ClientName, c => c.BaseAddress = gatewayUrl);
// The webhook URLs carry task tokens, which alone complete tasks: keep the HTTP client's request logging (full URLs) off.
builder.Services.AddHttpClient(SimulatedPaymentGateway.WebhookClientName).RemoveAllLoggers();
builder.Services.TryAddSingleton(TimeProvider.System);
builder.Services.AddSingleton<SimulatedPaymentGateway>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<SimulatedPaymentGateway>());

builder.Services.AddBaton(b => b
    .UseSqlite($"Data Source={database}")
    .Configure(o => o.PublicBaseUrl = publicBase)
    .AddWorkflow<ExpenseWorkflow>()
    .AddService<IExpensePolicy, ExpensePolicy>()
    .AddService<IPaymentGateway, PaymentGatewayClient>());
builder.Services.AddBatonApi(o =>
{
    var key = new ConfiguredApiKey { Name = "admin", Hash = ApiKeyStore.HashOf(apiKey) };
    key.Roles.Add(BatonRoles.Admin);
    o.ApiKeys.Add(key);
});
// AddBatonApi keeps routing at Information (it only silences the Debug lines that carry paths); two lines per request
// would bury the sample's own.
builder.Logging.AddFilter("Microsoft.AspNetCore.Routing", LogLevel.Warning);

var app = builder.Build();
app.MapBaton();
app.MapSimulatedPaymentGateway();
app.Run();

// Callback URLs must name a host others can reach: a wildcard listening address does not.
static Uri PublicBase(string text) =>
    Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Host is not ("+" or "*" or "0.0.0.0" or "[::]")
        ? uri
        : throw new InvalidOperationException($"'{text}' is not a URL callers can reach this app at: give one with --PublicBaseUrl.");
