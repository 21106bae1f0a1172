using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Baton.Server;
using Baton.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Baton.AspNetCore.Tests;

/// <summary>Rotating the token signing key through configuration keeps old callback URLs working for a grace period.</summary>
public sealed class TokenRotationTests
{
    private const string AdminKey = "bk_rotation_admin_key_0123456789";

    [Fact]
    public async Task RotatedKey_OldTokenWorksDuringGraceThenExpires()
    {
        var directory = Directory.CreateTempSubdirectory("baton-rotate-").FullName;
        var database = Path.Combine(directory, "baton.db");
        var oldKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var newKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        try
        {
            string token;
            await using (var first = await StartAsync(database, [$"--Baton:TokenSigningKey={oldKey}"]))
            {
                using var client = Client(first);
                (await client.PostAsJsonAsync("/api/workflows", new { workflow = "Delegate", input = new { n = 1 }, id = "rotate-1" })).EnsureSuccessStatusCode();
                token = await WaitForTokenAsync(client, "rotate-1");
            }

            var grace = DateTimeOffset.UtcNow.AddHours(1).ToString("O");
            await using (var during = await StartAsync(database, [$"--Baton:TokenSigningKey={newKey}", $"--Baton:PreviousTokenSigningKeys:0:Key={oldKey}", $"--Baton:PreviousTokenSigningKeys:0:AcceptUntil={grace}"]))
            {
                using var anonymous = new HttpClient { BaseAddress = Client(during).BaseAddress };
                using var response = await anonymous.PostAsJsonAsync($"/api/callbacks/{token}/progress", new { percent = 10 });
                Assert.Equal(200, (int)response.StatusCode);
            }

            var ended = DateTimeOffset.UtcNow.AddHours(-1).ToString("O");
            await using (var after = await StartAsync(database, [$"--Baton:TokenSigningKey={newKey}", $"--Baton:PreviousTokenSigningKeys:0:Key={oldKey}", $"--Baton:PreviousTokenSigningKeys:0:AcceptUntil={ended}"]))
            {
                using var anonymous = new HttpClient { BaseAddress = Client(after).BaseAddress };
                using var response = await anonymous.PostAsJsonAsync($"/api/callbacks/{token}/progress", new { percent = 20 });
                Assert.Equal(401, (int)response.StatusCode);
                Assert.Equal("token_expired", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<WebApplication> StartAsync(string database, string[] extra)
    {
        var app = BatonServerApp.Build(
            ["--urls=http://127.0.0.1:0", $"--Baton:Store:ConnectionString=Data Source={database}", $"--Baton:AdminKey={AdminKey}", .. extra],
            builder => builder.Logging.ClearProviders());
        await app.StartAsync();
        return app;
    }

    private static HttpClient Client(WebApplication app) => ServerCalls.Client(app, AdminKey);

    private static async Task<string> WaitForTokenAsync(HttpClient client, string workflowId)
    {
        var taskId = await ServerCalls.DelegatedTaskAsync(client, workflowId);
        var details = await client.GetFromJsonAsync<JsonElement>($"/api/tasks/{taskId}");
        return details.GetProperty("token").GetString()!;
    }
}
