using System.Net.Http.Json;
using System.Text.Json;
using static Baton.AspNetCore.Tests.ServerFixture;

namespace Baton.AspNetCore.Tests;

public sealed class CallbackEndpointTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string Approved = """{"result":{"approved":true,"comment":"by token"}}""";

    [Fact]
    public async Task Callback_WithoutApiKey_CompletesTaskAndRepeatIsHarmless()
    {
        var (workflowId, taskId) = await server.StartApprovalAsync();
        var token = await server.TokenAsync(taskId);
        using var anonymous = server.Client(null);
        using var progress = await anonymous.PostAsync($"/api/callbacks/{token}/progress", JsonBody("""{"percent":50,"message":"half"}"""));
        Assert.Equal(200, (int)progress.StatusCode);
        using var first = await anonymous.PostAsync($"/api/callbacks/{token}", JsonBody(Approved));
        Assert.Equal(200, (int)first.StatusCode);
        using var again = await anonymous.PostAsync($"/api/callbacks/{token}", JsonBody(Approved));
        Assert.True((await BodyAsync(again)).GetProperty("alreadyCompleted").GetBoolean());
        using var conflicting = await anonymous.PostAsync($"/api/callbacks/{token}/fail", JsonBody("""{"error":{"type":"X","message":"y"}}"""));
        Assert.Equal(409, (int)conflicting.StatusCode);
        using var admin = server.Client();
        var done = await admin.GetFromJsonAsync<JsonElement>($"/api/workflows/{workflowId}/result?wait=30s");
        Assert.Equal("by token", done.GetProperty("result").GetProperty("comment").GetString());
        var task = await admin.GetFromJsonAsync<JsonElement>($"/api/tasks/{taskId}");
        Assert.Contains(task.GetProperty("audit").EnumerateArray(), a => a.GetProperty("kind").GetString() == "Completed" && a.GetProperty("via").GetString() == "callback");
        Assert.DoesNotContain(token, string.Join('\n', server.Logs.Lines.Where(l => l.Contains(token, StringComparison.Ordinal)).Take(3)) + server.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Split('.')[3], server.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Callback_Fail_FailsTask()
    {
        var (_, taskId) = await server.StartApprovalAsync();
        var token = await server.TokenAsync(taskId);
        using var anonymous = server.Client(null);
        using var response = await anonymous.PostAsync($"/api/callbacks/{token}/fail", JsonBody("""{"error":{"type":"Declined","message":"no"}}"""));
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("Failed", (await BodyAsync(response)).GetProperty("state").GetString());
        Assert.DoesNotContain(token, server.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Callback_TamperedTruncatedOrSplicedToken_401AndTaskStaysOpen()
    {
        var (_, taskId) = await server.StartApprovalAsync();
        var (_, otherTaskId) = await server.StartApprovalAsync();
        var token = await server.TokenAsync(taskId);
        var other = await server.TokenAsync(otherTaskId);
        var parts = token.Split('.');
        var otherParts = other.Split('.');
        var lastChar = parts[3][^1] == 'A' ? 'B' : 'A';
        string[] bad =
        [
            token[..^1] + lastChar,
            token[..(token.Length / 2)],
            $"{parts[0]}.{parts[1]}.{otherParts[2]}.{parts[3]}",
            $"{parts[0]}.{parts[1]}.{parts[2]}.{otherParts[3]}",
            "bt1.nokey.abc.def",
            "garbage",
        ];
        using var anonymous = server.Client(null);
        foreach (var tampered in bad)
        {
            using var response = await anonymous.PostAsync($"/api/callbacks/{Uri.EscapeDataString(tampered)}", JsonBody(Approved));
            Assert.Equal(401, (int)response.StatusCode);
            Assert.Equal(BatonErrorCodes.TokenInvalid, (await BodyAsync(response)).GetProperty("code").GetString());
        }
        using var admin = server.Client();
        foreach (var id in new[] { taskId, otherTaskId })
        {
            var task = await admin.GetFromJsonAsync<JsonElement>($"/api/tasks/{id}");
            Assert.Equal("Delegated", task.GetProperty("state").GetString());
        }
    }

    [Fact]
    public async Task Callback_OtherTasksToken_CompletesOnlyThatTask()
    {
        var (_, taskId) = await server.StartApprovalAsync();
        var (_, otherTaskId) = await server.StartApprovalAsync();
        var other = await server.TokenAsync(otherTaskId);
        using var anonymous = server.Client(null);
        using var response = await anonymous.PostAsync($"/api/callbacks/{other}", JsonBody(Approved));
        Assert.Equal(otherTaskId, (await BodyAsync(response)).GetProperty("taskId").GetString());
        using var admin = server.Client();
        var task = await admin.GetFromJsonAsync<JsonElement>($"/api/tasks/{taskId}");
        Assert.Equal("Delegated", task.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Callback_ResultOfWrongShape_422()
    {
        var (_, taskId) = await server.StartApprovalAsync();
        var token = await server.TokenAsync(taskId);
        using var anonymous = server.Client(null);
        using var response = await anonymous.PostAsync($"/api/callbacks/{token}", JsonBody("""{"result":{"approved":1}}"""));
        Assert.Equal(422, (int)response.StatusCode);
    }
}
