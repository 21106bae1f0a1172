using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Baton.AspNetCore.Security;
using Baton.Server;
using Baton.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Baton.AspNetCore.Tests;

/// <summary>
/// The real standalone server composition on real loopback HTTP (Kestrel on 127.0.0.1, port 0) over a temp SQLite
/// file, with one API key per role, a revoked key, and every log line captured.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public const string AdminKey = "bk_test_admin_key_0123456789";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "baton-api-" + Guid.NewGuid().ToString("N"));
    private WebApplication? _app;

    public CapturingLoggerProvider Logs { get; } = new();

    public Uri BaseUrl { get; private set; } = null!;

    public Dictionary<string, string> Keys { get; } = new(StringComparer.Ordinal);

    public string RevokedKey { get; private set; } = "";

    public WebApplication App => _app!;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _app = BatonServerApp.Build(
            ["--urls=http://127.0.0.1:0", $"--Baton:Store:ConnectionString=Data Source={Path.Combine(_directory, "baton.db")}", $"--Baton:AdminKey={AdminKey}"],
            builder =>
            {
                builder.Logging.ClearProviders();
                builder.Logging.SetMinimumLevel(LogLevel.Debug);
                builder.Logging.AddProvider(Logs);
            },
            baton => baton.AddWorkflow<ApproveWorkflow>().AddWorkflow<ManagerReviewWorkflow>().AddService<IApprovals, Approvals>());
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = new Uri(address);
        Keys[BatonRoles.Admin] = AdminKey;
        var store = _app.Services.GetRequiredService<ApiKeyStore>();
        foreach (var role in BatonRoles.All.Where(r => r != BatonRoles.Admin))
            Keys[role] = (await store.CreateAsync($"{role}-principal", [role])).Key;
        // People: API keys that stand for a user with the roles user tasks are assigned to.
        foreach (var (person, roles) in new[] { ("alice", new[] { "manager" }), ("carol", ["manager", "viewer"]), ("bob", ["clerk"]), ("dora", ["director"]) })
            Keys[person] = (await store.CreateAsync(person, roles)).Key;
        var revoked = await store.CreateAsync("revoked-principal", [BatonRoles.Admin]);
        await store.RevokeAsync(revoked.Info.Id);
        RevokedKey = revoked.Key;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A client sending <paramref name="key"/> as a bearer token (no key when null).</summary>
    public HttpClient Client(string? key = AdminKey)
    {
        var client = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<JsonElement> BodyAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).Clone();

    /// <summary>Starts an Approve workflow and waits until its task is delegated; returns (workflowId, taskId).</summary>
    public async Task<(string WorkflowId, string TaskId)> StartApprovalAsync(string? id = null)
    {
        using var client = Client();
        id ??= "wf-" + Guid.NewGuid().ToString("N");
        using var started = await client.PostAsync("/api/workflows", JsonBody($$"""{"workflow":"Approve","input":{"documentId":"doc-1"},"id":"{{id}}"}"""));
        Assert.Equal(201, (int)started.StatusCode);
        return (id, await DelegatedTaskAsync(client, id));
    }

    public static Task<string> DelegatedTaskAsync(HttpClient client, string workflowId) => ServerCalls.DelegatedTaskAsync(client, workflowId);

    public async Task<string> TokenAsync(string taskId)
    {
        using var client = Client();
        var task = await client.GetFromJsonAsync<JsonElement>($"/api/tasks/{taskId}");
        return task.GetProperty("token").GetString()!;
    }
}
