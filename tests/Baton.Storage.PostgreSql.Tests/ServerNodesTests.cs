using System.Net.Http.Json;
using System.Text.Json;
using Baton.Engine.Hosting;
using Baton.Server;
using Baton.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Baton.Storage.PostgreSql.Tests;

/// <summary>Two standalone server nodes configured through Baton:Store:* on one PostgreSQL database.</summary>
public sealed class ServerNodesTests(PostgresServerFixture server)
{
    private const string AdminKey = "bk_pg_nodes_admin_key_0123456789";

    [Fact]
    public async Task Server_PostgreSqlProviderFromConfiguration_TwoNodesShareWork()
    {
        var connectionString = await server.CreateDatabaseAsync();
        await using var nodeA = await StartNodeAsync(connectionString);
        await using var nodeB = await StartNodeAsync(connectionString);
        using var a = Client(nodeA);
        using var b = Client(nodeB);

        using (var started = await a.PostAsJsonAsync("/api/workflows", new { workflow = "Delegate", input = new { invoice = 42 }, id = "inv-42" }))
            Assert.Equal(201, (int)started.StatusCode);
        var taskId = await ServerCalls.DelegatedTaskAsync(b, "inv-42");
        using (var completed = await b.PostAsJsonAsync($"/api/tasks/Delegate/{taskId}/complete", new { result = new { paid = true } }))
            Assert.Equal(200, (int)completed.StatusCode);
        var result = await a.GetFromJsonAsync<JsonElement>("/api/workflows/inv-42/result?wait=30s");

        Assert.Equal("Completed", result.GetProperty("state").GetString());
        Assert.True(result.GetProperty("result").GetProperty("paid").GetBoolean());
    }

    [Fact]
    public async Task Server_NulCharacterFromCaller_RefusedAsTheCallersMistake_NotAStoreFailure()
    {
        // PostgreSQL's text refuses U+0000. Before the engine refused them, the HTTP calls below were 500s and the inbox lookup
        // a PostgresException; the service-name call was already a not-found, and stays one.
        var connectionString = await server.CreateDatabaseAsync();
        await using var node = await StartNodeAsync(connectionString);
        using var client = Client(node);
        using (var started = await client.PostAsJsonAsync("/api/workflows", new { workflow = "Delegate", input = new { invoice = 7 }, id = "inv-7" }))
            Assert.Equal(201, (int)started.StatusCode);
        var taskId = await ServerCalls.DelegatedTaskAsync(client, "inv-7");

        using (var progress = await client.PostAsJsonAsync($"/api/tasks/Delegate/{taskId}/progress", new { percent = 10, message = "a\u0000b" }))
            Assert.Equal(400, (int)progress.StatusCode);
        foreach (var path in (string[])["/api/tasks?service=a%00b", "/api/tasks?tag=a%00b", "/api/workflows?tag=a%00b"])
        {
            using var listed = await client.GetAsync(path);
            Assert.True((int)listed.StatusCode == 400, $"{path}: {(int)listed.StatusCode}");
        }
        using (var status = await client.PostAsJsonAsync("/api/task-statuses", new { taskInstanceId = "x\u0000", status = "Completed" }))
            Assert.Equal(404, (int)status.StatusCode);
        // Public methods, with values no route would let through: a clear not-found, as over HTTP.
        var inProcess = node.Services.GetRequiredService<IBatonClient>();
        using var empty = JsonDocument.Parse("{}");
        await Assert.ThrowsAsync<TaskNotFoundException>(() => inProcess.CompleteDelegatedTaskAsync("Dele\u0000gate", taskId, empty.RootElement));
        var inbox = node.Services.GetRequiredService<BatonEngine>().UserTasks(new UserIdentity("ops", [], UserTaskPrivilege.Admin));
        await Assert.ThrowsAsync<TaskNotFoundException>(() => inbox.GetUserTaskAsync("x\u0000"));
        using (var completed = await client.PostAsJsonAsync($"/api/tasks/Delegate/{taskId}/complete", new { result = new { note = "a\u0000b" } }))
            Assert.Equal(200, (int)completed.StatusCode); // inside JSON it is an escape, which PostgreSQL's text keeps
        var result = await client.GetFromJsonAsync<JsonElement>("/api/workflows/inv-7/result?wait=30s");
        Assert.Equal("a\u0000b", result.GetProperty("result").GetProperty("note").GetString());
    }

    [Fact]
    public void Server_UnknownProviderOrMissingConnectionString_FailsAtStartWithClearMessage()
    {
        var unknown = Assert.Throws<InvalidOperationException>(() => BatonServerApp.Build(["--Baton:Store:Provider=Oracle"]));
        var missing = Assert.Throws<InvalidOperationException>(() => BatonServerApp.Build(["--Baton:Store:Provider=PostgreSql"]));

        Assert.Contains("Sqlite or PostgreSql", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionString is required", missing.Message, StringComparison.Ordinal);
    }

    private static async Task<WebApplication> StartNodeAsync(string connectionString)
    {
        var app = BatonServerApp.Build(
            ["--urls=http://127.0.0.1:0", "--Baton:Store:Provider=PostgreSql", $"--Baton:Store:ConnectionString={connectionString}", $"--Baton:AdminKey={AdminKey}"],
            builder => builder.Logging.ClearProviders());
        await app.StartAsync();
        return app;
    }

    private static HttpClient Client(WebApplication app) => ServerCalls.Client(app, AdminKey);
}
