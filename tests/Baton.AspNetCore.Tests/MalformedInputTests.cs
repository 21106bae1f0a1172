using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using static Baton.AspNetCore.Tests.ServerFixture;

namespace Baton.AspNetCore.Tests;

/// <summary>A caller's mistake is a 400 or 413 problem, never a 500.</summary>
public sealed class MalformedInputTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    public static TheoryData<string, string> Bodies()
    {
        var paths = new[]
        {
            "/api/workflows", "/api/tasks/Approvals/t1/complete", "/api/tasks/Approvals/t1/fail", "/api/tasks/Approvals/t1/progress",
            "/api/tasks/timeout-between", "/api/task-statuses", "/taskstatus/api/task-statuses", "/api/keys",
            "/api/user-tasks/t1/complete", "/api/user-tasks/t1/assign",
        };
        var bodies = new[]
        {
            "{", "", "null", "[]", "42", "\"text\"", "{\"workflow\":5}", "{\"result\":}", "{\"error\":\"boom\"}", "{\"percent\":\"high\"}",
            "{\"percent\":1e999}", "{\"to\":12}", "{\"status\":{\"a\":1},\"taskInstanceId\":\"x\"}", "{\"progressPercentage\":\"x\"}",
            "{\"roles\":\"admin\",\"name\":\"n\"}", "{\"tags\":[1,2]}", "{\"meta\":{\"a\":[1]}}", "\u0001\u0002",
        };
        var data = new TheoryData<string, string>();
        foreach (var path in paths)
        {
            foreach (var body in bodies) data.Add(path, body);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task Post_MalformedBody_400Problem(string path, string body)
    {
        using var client = server.Client();
        using var response = await client.PostAsync(path, JsonBody(body));
        Assert.True((int)response.StatusCode is 400 or 404 or 422, $"{path} {body} -> {(int)response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull((await BodyAsync(response)).GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("/api/workflows", "{")]
    [InlineData("/api/tasks/Approvals/t1/complete", "{\"result\":")]
    [InlineData("/api/task-statuses", "not json")]
    [InlineData("/api/callbacks/bt1.x.y.z", "{")]
    public async Task Post_InvalidJson_Exactly400(string path, string body)
    {
        using var client = server.Client();
        using var response = await client.PostAsync(path, JsonBody(body));
        Assert.True((int)response.StatusCode is 400 or 401, $"{(int)response.StatusCode}");
    }

    [Fact]
    public async Task Post_InvalidJsonToKnownTask_400MalformedRequest()
    {
        var (_, taskId) = await server.StartApprovalAsync();
        using var client = server.Client();
        using var response = await client.PostAsync($"/api/tasks/Approvals/{taskId}/complete", JsonBody("{\"result\":"));
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal(BatonErrorCodes.MalformedRequest, (await BodyAsync(response)).GetProperty("code").GetString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Post_OversizedBody_413(bool chunked)
    {
        var (_, taskId) = await server.StartApprovalAsync();
        using var client = server.Client();
        var big = "{\"result\":{\"approved\":true,\"comment\":\"" + new string('x', 2 * 1024 * 1024) + "\"}}";
        HttpContent content = chunked
            ? new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big)))
            : JsonBody(big);
        if (chunked) content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/tasks/Approvals/{taskId}/complete") { Content = content };
        if (chunked) request.Headers.TransferEncodingChunked = true;
        using var response = await client.SendAsync(request);
        Assert.Equal(413, (int)response.StatusCode);
        Assert.Equal(BatonErrorCodes.PayloadTooLarge, (await BodyAsync(response)).GetProperty("code").GetString());
    }

    // PostgreSQL's text refuses U+0000: these were 500s there (the store failed), and matched nothing here.
    [Theory]
    [InlineData("/api/tasks?service=Appro%00vals", "service")]
    [InlineData("/api/tasks?tag=a%00b", "tag")]
    [InlineData("/api/tasks?workflow=wf%01", "workflow")]
    [InlineData("/api/workflows?tag=a%00b", "tag")]
    [InlineData("/api/workflows?workflow=Appr%00ove", "workflow")]
    [InlineData("/api/inbox?all=true&q=doc%00", "text")]
    [InlineData("/api/inbox?all=true&spec=a%00b", "spec")]
    [InlineData("/api/inbox?all=true&action=a%1Fb", "action")]
    public async Task Get_FilterWithControlCharacter_400(string path, string filter)
    {
        using var client = server.Client();
        using var response = await client.GetAsync(path);

        Assert.Equal(400, (int)response.StatusCode);
        var problem = await BodyAsync(response);
        Assert.Equal(BatonErrorCodes.InvalidArgument, problem.GetProperty("code").GetString());
        Assert.Equal($"The {filter} filter cannot contain control characters.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Post_ProgressMessageWithNul_400AndNothingRecorded_LineBreaksAccepted()
    {
        var (_, taskId) = await server.StartApprovalAsync();
        using var client = server.Client();

        using (var refused = await client.PostAsync($"/api/tasks/Approvals/{taskId}/progress", JsonBody("""{"percent":40,"message":"page\u0000 3"}""")))
        {
            Assert.Equal(400, (int)refused.StatusCode);
            Assert.Equal("The progress message cannot contain the NUL character (U+0000).", (await BodyAsync(refused)).GetProperty("detail").GetString());
        }
        var task = await client.GetFromJsonAsync<JsonElement>($"/api/tasks/{taskId}");
        Assert.False(task.TryGetProperty("progress", out var progress) && progress.ValueKind != JsonValueKind.Null, $"progress recorded: {task}");

        using (var accepted = await client.PostAsync($"/api/tasks/Approvals/{taskId}/progress", JsonBody("""{"percent":40,"message":"page 3\nof 9\t(scanning)"}""")))
            Assert.Equal(200, (int)accepted.StatusCode);
        task = await client.GetFromJsonAsync<JsonElement>($"/api/tasks/{taskId}");
        Assert.Equal("page 3\nof 9\t(scanning)", task.GetProperty("progress").GetProperty("message").GetString());
    }
}
