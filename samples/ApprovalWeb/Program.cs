using Baton.AspNetCore;
using Baton.AspNetCore.Security;
using Baton.Engine.Hosting;
using Baton.Samples.Approval;

// The approval sample hosted in an ASP.NET Core app: the document workflow and its delegated approval task run here,
// and the REST API is mapped next to them, so an approval system in any other process completes the task over HTTP.
//   dotnet run --project samples/ApprovalWeb -- --urls http://127.0.0.1:5090 --Database approval-web.db --ApiKey <key>
// Configuration files are read once, not watched: watching covers the whole content root, where the database is, and
// would wake on every commit.
var builder = WebApplication.CreateBuilder(["--hostBuilder:reloadConfigOnChange=false", .. args]);
var database = builder.Configuration["Database"] ?? "approval-web.db";
var apiKey = builder.Configuration["ApiKey"] ?? throw new InvalidOperationException("Give the API key callers will use: --ApiKey <key>.");

builder.Services.AddSingleton<ApprovalSystem>();
builder.Services.AddBaton(b => b
    .UseSqlite($"Data Source={database}")
    .AddWorkflow<DocumentWorkflow>()
    .AddService<IApprovalService>(sp => new ApprovalService(sp.GetRequiredService<ApprovalSystem>(), Console.Out)));
builder.Services.AddBatonApi(o =>
{
    var key = new ConfiguredApiKey { Name = "approval-system", Hash = ApiKeyStore.HashOf(apiKey) };
    key.Roles.Add(BatonRoles.Admin);
    o.ApiKeys.Add(key);
});

var app = builder.Build();
app.MapBaton();
app.Run();
