using System.Net.Http.Json;
using System.Text.Json;
using Baton.Server;
using Baton.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Baton.Storage.PostgreSql.Tests;

/// <summary>API keys edited through one standalone server node, seen by another on the same PostgreSQL database.</summary>
public sealed class ApiKeyNodesTests(PostgresServerFixture server)
{
    private const string AdminKey = "bk_pg_keys_admin_key_0123456789";
    private static readonly TimeSpan PollTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task KeyCreatedOnOneNode_WorksOnTheOther_AndRevokedStopsThere()
    {
        var connectionString = await server.CreateDatabaseAsync();
        await using var nodeA = await StartNodeAsync(connectionString);
        await using var nodeB = await StartNodeAsync(connectionString);
        using var adminA = ServerCalls.Client(nodeA, AdminKey);
        using var adminB = ServerCalls.Client(nodeB, AdminKey);
        Assert.Equal(200, await StatusAsync(adminB));

        var created = await CreateAsync(adminA, "travelling-viewer");
        using var onA = ServerCalls.Client(nodeA, created.Key);
        using var onB = ServerCalls.Client(nodeB, created.Key);
        Assert.Equal(200, await StatusAsync(onA));
        await PollUntilAsync(onB, 200);

        using (var revoked = await adminA.PostAsync($"/api/keys/{created.Id}/revoke", null))
            Assert.Equal(200, (int)revoked.StatusCode);

        Assert.Equal(401, await StatusAsync(onA));
        await PollUntilAsync(onB, 401);
    }

    [Fact]
    public async Task ConcurrentCreates_OnTwoNodes_AllKept()
    {
        var connectionString = await server.CreateDatabaseAsync();
        await using var nodeA = await StartNodeAsync(connectionString);
        await using var nodeB = await StartNodeAsync(connectionString);
        using var adminA = ServerCalls.Client(nodeA, AdminKey);
        using var adminB = ServerCalls.Client(nodeB, AdminKey);

        var created = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => CreateAsync(i % 2 == 0 ? adminA : adminB, "p" + i)));

        var listed = await adminB.GetFromJsonAsync<JsonElement>("/api/keys");
        var ids = listed.EnumerateArray().Select(k => k.GetProperty("id").GetString()).ToHashSet();
        Assert.All(created, c => Assert.Contains(c.Id, ids));
        Assert.Contains("admin", ids);
        foreach (var key in created)
        {
            using var onA = ServerCalls.Client(nodeA, key.Key);
            using var onB = ServerCalls.Client(nodeB, key.Key);
            await PollUntilAsync(onA, 200);
            await PollUntilAsync(onB, 200);
        }
    }

    private static async Task<(string Key, string Id)> CreateAsync(HttpClient admin, string name)
    {
        using var response = await admin.PostAsJsonAsync("/api/keys", new { name, roles = new[] { "viewer" } });
        Assert.Equal(201, (int)response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("key").GetString()!, body.GetProperty("info").GetProperty("id").GetString()!);
    }

    private static async Task<int> StatusAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/api/workflows");
        return (int)response.StatusCode;
    }

    /// <summary>Polls with the key until the node answers <paramref name="status"/>; no bound tighter than a generous timeout.</summary>
    private static async Task PollUntilAsync(HttpClient client, int status)
    {
        var deadline = DateTime.UtcNow + PollTimeout;
        int last;
        while ((last = await StatusAsync(client)) != status)
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Still {last}, not {status}, after {PollTimeout}.");
            await Task.Delay(20);
        }
    }

    private static async Task<WebApplication> StartNodeAsync(string connectionString)
    {
        var app = BatonServerApp.Build(
            ["--urls=http://127.0.0.1:0", "--Baton:Store:Provider=PostgreSql", $"--Baton:Store:ConnectionString={connectionString}",
                $"--Baton:AdminKey={AdminKey}", "--Baton:ApiKeyCacheDuration=00:00:00.300"],
            builder => builder.Logging.ClearProviders());
        await app.StartAsync();
        return app;
    }
}
