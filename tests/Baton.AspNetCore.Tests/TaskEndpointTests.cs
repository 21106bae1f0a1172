using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using static Baton.AspNetCore.Tests.ServerFixture;

namespace Baton.AspNetCore.Tests;

public sealed class TaskEndpointTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string Approved = """{"result":{"approved":true,"comment":"ok"}}""";

    [Fact]
    public async Task Complete_ThenIdenticalRepeat_200AlreadyCompleted()
    {
        var (workflowId, taskId) = await server.StartApprovalAsync();
        using var client = server.Client();
        using var first = await client.PostAsync($"/api/tasks/Approvals/{taskId}/complete", JsonBody(Approved));
        using var again = await client.PostAsync($"/api/tasks/Approvals/{taskId}/complete", JsonBody(Approved));
        Assert.Equal(200, (int)first.StatusCode);
        Assert.False((await BodyAsync(first)).GetProperty("alreadyCompleted").GetBoolean());
        Assert.Equal(200, (int)again.StatusCode);
        Assert.True((await BodyAsync(again)).GetProperty("alreadyCompleted").GetBoolean());
        var done = await client.GetFromJsonAsync<JsonElement>($"/api/workflows/{workflowId}/result?wait=30s");
        Assert.Equal("ok", done.GetProperty("result").GetProperty("comment").GetString());
    }

    [Fact]
    public async Task Complete_ConflictingRepeat_409WithRecordedOutcome()
    {
        var (_, taskId) = await server.StartApprovalAsync();
        using var client = server.Client();
        using var first = await client.PostAsync($"/api/tasks/Approvals/{taskId}/complete", JsonBody(Approved));
        using var other = await client.PostAsync($"/api/tasks/Approvals/{taskId}/complete", JsonBody("""{"result":{"approved":false,"comment":"no"}}"""));
        Assert.Equal(409, (int)other.StatusCode);
        var problem = await BodyAsync(other);
        Assert.Equal(BatonErrorCodes.TaskOutcomeConflict, problem.GetProperty("code").GetString());
        Assert.Equal("Completed", problem.GetProperty("state").GetString());
        Assert.True(problem.GetProperty("recorded").GetProperty("result").GetProperty("approved").GetBoolean());
        using var fail = await client.PostAsync($"/api/tasks/Approvals/{taskId}/fail", JsonBody("""{"error":{"type":"X","message":"y"}}"""));
        Assert.Equal(409, (int)fail.StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Complete_BodyArrivingInPieces_IsReadWhole(bool chunked)
    {
        var (_, taskId) = await server.StartApprovalAsync();
        using var client = server.Client();
        var comment = string.Concat(Enumerable.Repeat("déjà vu ✓ ", 4_000)); // ~50 KB, more than one read, multi-byte characters
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { result = new { approved = true, comment } }));
        HttpContent content = new StreamContent(new TrickleStream(body, 7));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (!chunked) content.Headers.ContentLength = body.Length;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/tasks/Approvals/{taskId}/complete") { Content = content };
        request.Headers.TransferEncodingChunked = chunked;

        using var response = await client.SendAsync(request);

        Assert.Equal(200, (int)response.StatusCode);
        var task = await client.GetFromJsonAsync<JsonElement>($"/api/tasks/{taskId}");
        Assert.Equal("Completed", task.GetProperty("state").GetString());
        Assert.Equal(comment, task.GetProperty("result").GetProperty("comment").GetString());
    }

    /// <summary>A request body that gives at most a few bytes per read, as a slow network would.</summary>
    private sealed class TrickleStream(byte[] data, int piece) : MemoryStream(data, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, piece));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, piece)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, piece)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, piece), cancellationToken);
    }

    [Fact]
    public async Task Complete_ResultOfWrongShape_422WithFieldErrorsAndTaskStaysOpen()
    {
        var (_, taskId) = await server.StartApprovalAsync();
        using var client = server.Client();
        using var response = await client.PostAsync($"/api/tasks/Approvals/{taskId}/complete", JsonBody("""{"result":{"approved":"yes"}}"""));
        Assert.Equal(422, (int)response.StatusCode);
        var problem = await BodyAsync(response);
        Assert.Equal(BatonErrorCodes.ResultInvalid, problem.GetProperty("code").GetString());
        Assert.NotEmpty(problem.GetProperty("errors").EnumerateArray());
        Assert.NotNull(problem.GetProperty("errors")[0].GetProperty("path").GetString());
        var task = await client.GetFromJsonAsync<JsonElement>($"/api/tasks/{taskId}");
        Assert.Equal("Delegated", task.GetProperty("state").GetString());
    }

    [Theory]
    [InlineData("/api/tasks/Approvals/nope/complete", Approved)]
    [InlineData("/api/tasks/Approvals/nope/fail", """{"error":{"type":"X","message":"y"}}""")]
    [InlineData("/api/tasks/Approvals/nope/progress", """{"percent":5}""")]
    [InlineData("/api/tasks/Approvals/nope/retry", "")]
    [InlineData("/api/tasks/nope/timeout", "")]
    public async Task Post_UnknownTask_404(string path, string body)
    {
        using var client = server.Client();
        using var response = await client.PostAsync(path, JsonBody(body));
        Assert.Equal(404, (int)response.StatusCode);
        Assert.Equal(BatonErrorCodes.TaskNotFound, (await BodyAsync(response)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Complete_WrongServiceName_404()
    {
        var (_, taskId) = await server.StartApprovalAsync();
        using var client = server.Client();
        using var response = await client.PostAsync($"/api/tasks/Other/{taskId}/complete", JsonBody(Approved));
        Assert.Equal(404, (int)response.StatusCode);
    }

    [Fact]
    public async Task Fail_DelegatedTask_WorkflowFails()
    {
        var (workflowId, taskId) = await server.StartApprovalAsync();
        using var client = server.Client();
        using var response = await client.PostAsync($"/api/tasks/Approvals/{taskId}/fail", JsonBody("""{"error":{"type":"Rejected","message":"nope","details":{"why":1}}}"""));
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("Failed", (await BodyAsync(response)).GetProperty("state").GetString());
        var done = await client.GetFromJsonAsync<JsonElement>($"/api/workflows/{workflowId}/result?wait=30s");
        Assert.Equal("Failed", done.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Fail_MissingErrorType_400()
    {
        var (_, taskId) = await server.StartApprovalAsync();
        using var client = server.Client();
        using var response = await client.PostAsync($"/api/tasks/Approvals/{taskId}/fail", JsonBody("""{"error":{"message":"x"}}"""));
        Assert.Equal(400, (int)response.StatusCode);
    }

    [Fact]
    public async Task Progress_Reported_VisibleInTimelineAndAudit()
    {
        var (_, taskId) = await server.StartApprovalAsync();
        using var client = server.Client(server.Keys["operator"]);
        using var response = await client.PostAsync($"/api/tasks/Approvals/{taskId}/progress", JsonBody("""{"percent":40,"message":"reading","details":{"page":3}}"""));
        Assert.Equal(200, (int)response.StatusCode);
        var task = await client.GetFromJsonAsync<JsonElement>($"/api/tasks/{taskId}");
        Assert.Equal(40, task.GetProperty("progress").GetProperty("percent").GetDouble());
        Assert.Single(task.GetProperty("progressTimeline").EnumerateArray());
        Assert.Contains(task.GetProperty("audit").EnumerateArray(),
            a => a.GetProperty("kind").GetString() == "Progress" && a.GetProperty("actor").GetString() == "operator-principal" && a.GetProperty("via").GetString() == "http");
    }

    [Fact]
    public async Task Retry_DelegatedTask_200AndTaskRunsAgain()
    {
        var (workflowId, taskId) = await server.StartApprovalAsync();
        using var client = server.Client();
        using var response = await client.PostAsync($"/api/tasks/Approvals/{taskId}/retry", null);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(taskId, await DelegatedTaskAsync(client, workflowId));
    }

    [Fact]
    public async Task Timeout_OpenTask_TimedOutThenCompletion409()
    {
        var (workflowId, taskId) = await server.StartApprovalAsync();
        using var client = server.Client();
        using var timeout = await client.PostAsync($"/api/tasks/{taskId}/timeout", null);
        Assert.Equal(200, (int)timeout.StatusCode);
        Assert.Equal("TimedOut", (await BodyAsync(timeout)).GetProperty("state").GetString());
        using var complete = await client.PostAsync($"/api/tasks/Approvals/{taskId}/complete", JsonBody(Approved));
        Assert.Equal(409, (int)complete.StatusCode);
        Assert.Equal("TimedOut", (await BodyAsync(complete)).GetProperty("state").GetString());
        using var retry = await client.PostAsync($"/api/tasks/Approvals/{taskId}/retry", null);
        Assert.Equal(409, (int)retry.StatusCode);
        var done = await client.GetFromJsonAsync<JsonElement>($"/api/workflows/{workflowId}/result?wait=30s");
        Assert.Equal("Failed", done.GetProperty("state").GetString());
    }

    [Fact]
    public async Task TimeoutBetween_RangeCoversDeadline_TimesTaskOut()
    {
        var (_, taskId) = await server.StartApprovalAsync();
        using var client = server.Client();
        var to = DateTimeOffset.UtcNow.AddDays(2).ToString("O");
        using var response = await client.PostAsync("/api/tasks/timeout-between", JsonBody($$"""{"from":"2000-01-01T00:00:00Z","to":"{{to}}"}"""));
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains((await BodyAsync(response)).GetProperty("timedOutTaskIds").EnumerateArray(), t => t.GetString() == taskId);
    }

    [Theory]
    [InlineData("""{"from":"2030-01-01T00:00:00Z"}""")]
    [InlineData("""{"to":"not a date"}""")]
    [InlineData("""{"from":"2030-01-01T00:00:00Z","to":"2020-01-01T00:00:00Z"}""")]
    public async Task TimeoutBetween_BadRange_400(string body)
    {
        using var client = server.Client();
        using var response = await client.PostAsync("/api/tasks/timeout-between", JsonBody(body));
        Assert.Equal(400, (int)response.StatusCode);
    }

    [Fact]
    public async Task List_Filters_FindOpenDelegatedTask()
    {
        var (_, taskId) = await server.StartApprovalAsync();
        using var client = server.Client(server.Keys["viewer"]);
        var page = await client.GetFromJsonAsync<JsonElement>("/api/tasks?status=Delegated&service=Approvals&limit=500&order=newest&olderThan=0s");
        Assert.Contains(page.GetProperty("items").EnumerateArray(), t => t.GetProperty("taskId").GetString() == taskId);
        var open = await client.GetFromJsonAsync<JsonElement>("/api/tasks?status=open&limit=1");
        Assert.Single(open.GetProperty("items").EnumerateArray());
    }

    [Theory]
    [InlineData("status=Bogus")]
    [InlineData("status=3")]
    [InlineData("limit=abc")]
    [InlineData("limit=0")]
    [InlineData("limit=99999999999999999999")]
    [InlineData("order=sideways")]
    [InlineData("olderThan=yesterday")]
    [InlineData("cursor=%%%garbage")]
    public async Task List_BadQuery_400(string query)
    {
        using var client = server.Client();
        using var response = await client.GetAsync("/api/tasks?" + query);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Get_ViewerSeesNoToken_CompleterSeesTokenAndCallbackUrl()
    {
        var (_, taskId) = await server.StartApprovalAsync();
        using var viewer = server.Client(server.Keys["viewer"]);
        var seen = await viewer.GetFromJsonAsync<JsonElement>($"/api/tasks/{taskId}");
        Assert.False(seen.TryGetProperty("token", out _));
        Assert.False(seen.TryGetProperty("callbackUrl", out _));
        Assert.NotEmpty(seen.GetProperty("audit").EnumerateArray());
        using var admin = server.Client();
        var full = await admin.GetFromJsonAsync<JsonElement>($"/api/tasks/{taskId}");
        Assert.StartsWith("bt1.", full.GetProperty("token").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_UnknownTask_404()
    {
        using var client = server.Client();
        using var response = await client.GetAsync("/api/tasks/nope");
        Assert.Equal(404, (int)response.StatusCode);
    }
}
