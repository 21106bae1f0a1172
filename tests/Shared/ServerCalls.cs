using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Baton.Shared;

/// <summary>
/// What tests do with a running Baton server over loopback HTTP: a client with a key, and waiting for a workflow's
/// delegated task. Shared as source by the API, CLI and PostgreSQL tests.
/// </summary>
internal static class ServerCalls
{
    /// <summary>A client for <paramref name="app"/>'s first address, sending <paramref name="key"/> as a bearer token.</summary>
    public static HttpClient Client(WebApplication app, string key)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>Polls the workflow until it has a Delegated task and returns its id.</summary>
    public static async Task<string> DelegatedTaskAsync(HttpClient client, string workflowId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var info = await client.GetFromJsonAsync<JsonElement>($"/api/workflows/{workflowId}");
            foreach (var task in info.GetProperty("openTasks").EnumerateArray())
            {
                if (task.GetProperty("state").GetString() == "Delegated") return task.GetProperty("taskId").GetString()!;
            }
            await Task.Delay(20);
        }
        throw new TimeoutException($"Workflow {workflowId} has no delegated task.");
    }
}
