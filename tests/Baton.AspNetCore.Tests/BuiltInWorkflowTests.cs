using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Baton.AspNetCore.Tests.ServerFixture;

namespace Baton.AspNetCore.Tests;

/// <summary>The built-in HttpCall and Delegate workflows against a local HTTP receiver on loopback.</summary>
public sealed class BuiltInWorkflowTests(ServerFixture server) : IClassFixture<ServerFixture>, IAsyncLifetime
{
    private readonly ConcurrentQueue<Dictionary<string, string>> _received = new();
    private readonly ConcurrentQueue<Task> _background = new();
    private WebApplication? _receiver;
    private string _receiverUrl = "";

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _receiver = builder.Build();
        _receiver.MapGet("/echo", (HttpContext http) =>
        {
            _received.Enqueue(http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
            return Results.Json(new { hello = "world" });
        });
        _receiver.MapGet("/hang", async (HttpContext http) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), http.RequestAborted);
            return Results.Ok();
        });
        _receiver.MapPost("/ignore", (HttpContext http) =>
        {
            _received.Enqueue(http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
            return Results.Accepted();
        });
        // Like an X4B-integrated system: accept the work, then report through the TaskStatus API.
        _receiver.MapPost("/x4b", (HttpContext http) =>
        {
            _received.Enqueue(http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
            var taskInstanceId = http.Request.Headers["X-Scenario-TaskInstanceId"].ToString();
            var statusUrl = http.Request.Headers["X-Scenario-TaskStatusUrl"].ToString();
            _background.Enqueue(Task.Run(async () =>
            {
                using var client = new HttpClient();
                client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "bearer " + server.Keys["completer"]);
                using var response = await client.PostAsync(statusUrl, JsonBody($$$"""
                    {"taskInstanceId":"{{{taskInstanceId}}}","status":"Completed","message":"processed","invariants":{},"outputValues":{"statusCode":"200","orderId":"A-17"}}
                    """));
                response.EnsureSuccessStatusCode();
            }));
            return Results.Accepted();
        });
        await _receiver.StartAsync();
        _receiverUrl = _receiver.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_background);
        if (_receiver is not null) await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task HttpCall_AutoComplete_ResultHasStatusHeadersBody()
    {
        using var admin = server.Client();
        using var started = await admin.PostAsync("/api/workflows", JsonBody($$$"""{"workflow":"HttpCall","input":{"url":"{{{_receiverUrl}}}/echo","method":"GET"}}"""));
        Assert.Equal(201, (int)started.StatusCode);
        var workflowId = (await BodyAsync(started)).GetProperty("workflowId").GetString()!;
        var done = await admin.GetFromJsonAsync<JsonElement>($"/api/workflows/{workflowId}/result?wait=30s");
        Assert.Equal("Completed", done.GetProperty("state").GetString());
        var result = done.GetProperty("result");
        Assert.Equal(200, result.GetProperty("statusCode").GetInt32());
        Assert.Equal("world", result.GetProperty("body").GetProperty("hello").GetString());
        Assert.Contains(_received, h => h.ContainsKey("X-Baton-Task-Id") && h["X-Baton-Callback-Url"].Contains("/api/callbacks/bt1.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HttpCall_X4bScenario_ReceiverCompletesThroughTaskStatuses()
    {
        using var admin = server.Client();
        using var started = await admin.PostAsync("/api/workflows", JsonBody($$$"""
            {"workflow":"HttpCall","input":{"url":"{{{_receiverUrl}}}/x4b","method":"POST","body":{"order":17},"autoComplete":false,"timeoutSeconds":0,"x4bHeaders":true}}
            """));
        var workflowId = (await BodyAsync(started)).GetProperty("workflowId").GetString()!;
        var done = await admin.GetFromJsonAsync<JsonElement>($"/api/workflows/{workflowId}/result?wait=30s");
        Assert.Equal("Completed", done.GetProperty("state").GetString());
        Assert.Equal("200", done.GetProperty("result").GetProperty("statusCode").GetString());
        Assert.Equal("A-17", done.GetProperty("result").GetProperty("orderId").GetString());
        Assert.Contains(_received, h => h.GetValueOrDefault("X-Scenario-WorkflowInstanceId") == workflowId && h.ContainsKey("X-Scenario-TaskInstanceId"));
    }

    [Fact]
    public async Task HttpCall_NotCompletedWithinTimeout_WorkflowFailsWithTimeout()
    {
        using var admin = server.Client();
        using var started = await admin.PostAsync("/api/workflows", JsonBody($$$"""
            {"workflow":"HttpCall","input":{"url":"{{{_receiverUrl}}}/ignore","method":"POST","autoComplete":false,"timeoutSeconds":1}}
            """));
        var workflowId = (await BodyAsync(started)).GetProperty("workflowId").GetString()!;
        var done = await admin.GetFromJsonAsync<JsonElement>($"/api/workflows/{workflowId}/result?wait=30s");
        Assert.Equal("Failed", done.GetProperty("state").GetString());
        Assert.Contains("TimedOut", done.GetProperty("error").GetProperty("type").GetString(), StringComparison.Ordinal);
        var tasks = await admin.GetFromJsonAsync<JsonElement>($"/api/tasks?workflow={workflowId}");
        Assert.Equal("TimedOut", tasks.GetProperty("items")[0].GetProperty("state").GetString());
    }

    [Fact]
    public async Task HttpCall_AutoCompleteCallNotAnsweredWithinTimeout_TaskTimedOut()
    {
        using var admin = server.Client();
        using var started = await admin.PostAsync("/api/workflows", JsonBody($$$"""
            {"workflow":"HttpCall","input":{"url":"{{{_receiverUrl}}}/hang","method":"GET","timeoutSeconds":1}}
            """));
        var workflowId = (await BodyAsync(started)).GetProperty("workflowId").GetString()!;
        var done = await admin.GetFromJsonAsync<JsonElement>($"/api/workflows/{workflowId}/result?wait=30s");
        Assert.Equal("Failed", done.GetProperty("state").GetString());
        Assert.Contains("TimedOut", done.GetProperty("error").GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.Contains("did not answer within 1 seconds", done.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        var tasks = await admin.GetFromJsonAsync<JsonElement>($"/api/tasks?workflow={workflowId}");
        Assert.Equal("TimedOut", tasks.GetProperty("items")[0].GetProperty("state").GetString());
    }

    [Fact]
    public async Task HttpCall_DelegatedCompletedByOperator_ResultIsCompletion()
    {
        using var admin = server.Client();
        using var started = await admin.PostAsync("/api/workflows", JsonBody($$$"""
            {"workflow":"HttpCall","input":{"url":"{{{_receiverUrl}}}/ignore","method":"POST","autoComplete":false,"timeoutSeconds":0}}
            """));
        var workflowId = (await BodyAsync(started)).GetProperty("workflowId").GetString()!;
        var taskId = await DelegatedTaskAsync(admin, workflowId);
        using var complete = await admin.PostAsync($"/api/tasks/Http/{taskId}/complete", JsonBody("""{"result":{"statusCode":201}}"""));
        Assert.Equal(200, (int)complete.StatusCode);
        var done = await admin.GetFromJsonAsync<JsonElement>($"/api/workflows/{workflowId}/result?wait=30s");
        Assert.Equal(201, done.GetProperty("result").GetProperty("statusCode").GetInt32());
    }

    [Fact]
    public async Task HttpCall_InputWithoutUrl_422()
    {
        using var admin = server.Client();
        using var started = await admin.PostAsync("/api/workflows", JsonBody("""{"workflow":"HttpCall","input":{"method":"GET"}}"""));
        Assert.Equal(422, (int)started.StatusCode);
    }

    [Fact]
    public async Task Delegate_WebhookAnnounced_CallbackCompletes()
    {
        using var admin = server.Client();
        using var started = await admin.PostAsync("/api/workflows", JsonBody($$$"""{"workflow":"Delegate","input":{"webhookUrl":"{{{_receiverUrl}}}/ignore","amount":5}}"""));
        var workflowId = (await BodyAsync(started)).GetProperty("workflowId").GetString()!;
        var taskId = await DelegatedTaskAsync(admin, workflowId);
        var announced = _received.First(h => h.GetValueOrDefault("X-Baton-Task-Id") == taskId);
        var callbackUrl = announced["X-Baton-Callback-Url"];
        using var anonymous = new HttpClient();
        using var response = await anonymous.PostAsync(callbackUrl, JsonBody("""{"result":{"paid":true}}"""));
        Assert.Equal(200, (int)response.StatusCode);
        var done = await admin.GetFromJsonAsync<JsonElement>($"/api/workflows/{workflowId}/result?wait=30s");
        Assert.True(done.GetProperty("result").GetProperty("paid").GetBoolean());
        var token = callbackUrl[(callbackUrl.LastIndexOf('/') + 1)..];
        Assert.DoesNotContain(token, server.Logs.All, StringComparison.Ordinal);
    }
}
