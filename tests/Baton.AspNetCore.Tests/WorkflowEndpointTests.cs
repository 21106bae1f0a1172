using System.Net.Http.Json;
using System.Text.Json;
using static Baton.AspNetCore.Tests.ServerFixture;

namespace Baton.AspNetCore.Tests;

public sealed class WorkflowEndpointTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Start_NewThenIdenticalRepeat_201Then200()
    {
        using var client = server.Client();
        var body = """{"workflow":"Approve","input":{"documentId":"a"},"id":"start-repeat","tags":["t1"],"meta":{"k":"v"}}""";
        using var first = await client.PostAsync("/api/workflows", JsonBody(body));
        using var second = await client.PostAsync("/api/workflows", JsonBody(body));
        Assert.Equal(201, (int)first.StatusCode);
        Assert.False((await BodyAsync(first)).GetProperty("alreadyExisted").GetBoolean());
        Assert.Equal(200, (int)second.StatusCode);
        Assert.True((await BodyAsync(second)).GetProperty("alreadyExisted").GetBoolean());
    }

    [Fact]
    public async Task Get_WorkflowAndTask_ShowTheirMetaAndEmptyMetaAsAnObject()
    {
        using var client = server.Client();
        using var withMeta = await client.PostAsync("/api/workflows",
            JsonBody("""{"workflow":"Approve","input":{"documentId":"a"},"id":"meta-some","tags":["t1","t2"],"meta":{"k":"v","ü":"✓"}}"""));
        Assert.Equal(201, (int)withMeta.StatusCode);
        var (bare, taskId) = await server.StartApprovalAsync("meta-none");

        var some = await client.GetFromJsonAsync<JsonElement>("/api/workflows/meta-some");
        var none = await client.GetFromJsonAsync<JsonElement>($"/api/workflows/{bare}");
        var task = await client.GetFromJsonAsync<JsonElement>($"/api/tasks/{taskId}");

        Assert.Equal("v", some.GetProperty("meta").GetProperty("k").GetString());
        Assert.Equal("✓", some.GetProperty("meta").GetProperty("ü").GetString());
        Assert.Equal(["t1", "t2"], some.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        foreach (var item in new[] { none, task })
        {
            Assert.Equal(JsonValueKind.Object, item.GetProperty("meta").ValueKind);
            Assert.Empty(item.GetProperty("meta").EnumerateObject());
            Assert.Empty(item.GetProperty("tags").EnumerateArray());
        }
    }

    [Fact]
    public async Task Start_SameIdOtherInput_409WithCode()
    {
        using var client = server.Client();
        using var first = await client.PostAsync("/api/workflows", JsonBody("""{"workflow":"Approve","input":{"documentId":"a"},"id":"start-conflict"}"""));
        using var second = await client.PostAsync("/api/workflows", JsonBody("""{"workflow":"Approve","input":{"documentId":"b"},"id":"start-conflict"}"""));
        Assert.Equal(409, (int)second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
        Assert.Equal(BatonErrorCodes.WorkflowIdConflict, (await BodyAsync(second)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Start_UnknownWorkflowType_404()
    {
        using var client = server.Client();
        using var response = await client.PostAsync("/api/workflows", JsonBody("""{"workflow":"Nope","input":{}}"""));
        Assert.Equal(404, (int)response.StatusCode);
        Assert.Equal(BatonErrorCodes.WorkflowTypeUnknown, (await BodyAsync(response)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Start_InputOfWrongShape_422WithFieldErrors()
    {
        using var client = server.Client();
        using var response = await client.PostAsync("/api/workflows", JsonBody("""{"workflow":"Approve","input":{"documentId":42}}"""));
        Assert.Equal(422, (int)response.StatusCode);
        var problem = await BodyAsync(response);
        Assert.Equal(BatonErrorCodes.InputInvalid, problem.GetProperty("code").GetString());
        Assert.NotEmpty(problem.GetProperty("errors").EnumerateArray());
    }

    [Fact]
    public async Task Start_MissingWorkflowName_400()
    {
        using var client = server.Client();
        using var response = await client.PostAsync("/api/workflows", JsonBody("""{"input":{}}"""));
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal(BatonErrorCodes.InvalidArgument, (await BodyAsync(response)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task GetHistoryList_StartedWorkflow_200WithOpenTask()
    {
        var (workflowId, taskId) = await server.StartApprovalAsync();
        using var client = server.Client();
        var info = await client.GetFromJsonAsync<JsonElement>($"/api/workflows/{workflowId}");
        Assert.Equal("Running", info.GetProperty("state").GetString());
        Assert.Equal(taskId, info.GetProperty("openTasks")[0].GetProperty("taskId").GetString());
        var history = await client.GetFromJsonAsync<JsonElement>($"/api/workflows/{workflowId}/history");
        Assert.Equal("WorkflowStarted", history[0].GetProperty("kind").GetString());
        var page = await client.GetFromJsonAsync<JsonElement>("/api/workflows?workflow=Approve&limit=500");
        Assert.Contains(page.GetProperty("items").EnumerateArray(), w => w.GetProperty("id").GetString() == workflowId);
    }

    [Theory]
    [InlineData("/api/workflows/nope")]
    [InlineData("/api/workflows/nope/history")]
    [InlineData("/api/workflows/nope/result")]
    public async Task Get_UnknownWorkflow_404(string path)
    {
        using var client = server.Client();
        using var response = await client.GetAsync(path);
        Assert.Equal(404, (int)response.StatusCode);
        Assert.Equal(BatonErrorCodes.WorkflowNotFound, (await BodyAsync(response)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Result_LongPoll_ReturnsOnceCompleted()
    {
        var (workflowId, taskId) = await server.StartApprovalAsync();
        using var client = server.Client();
        var waiting = client.GetAsync($"/api/workflows/{workflowId}/result?wait=30s");
        using var complete = await client.PostAsync($"/api/tasks/Approvals/{taskId}/complete", JsonBody("""{"result":{"approved":true,"comment":"ok"}}"""));
        Assert.Equal(200, (int)complete.StatusCode);
        using var result = await waiting;
        var info = await BodyAsync(result);
        Assert.Equal("Completed", info.GetProperty("state").GetString());
        Assert.True(info.GetProperty("result").GetProperty("approved").GetBoolean());
    }

    [Fact]
    public async Task Result_NoWait_ReturnsRunning()
    {
        var (workflowId, _) = await server.StartApprovalAsync();
        using var client = server.Client();
        var info = await client.GetFromJsonAsync<JsonElement>($"/api/workflows/{workflowId}/result?wait=0s");
        Assert.Equal("Running", info.GetProperty("state").GetString());
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-5s")]
    [InlineData("99999999d")]
    public async Task Result_BadWait_400(string wait)
    {
        var (workflowId, _) = await server.StartApprovalAsync();
        using var client = server.Client();
        using var response = await client.GetAsync($"/api/workflows/{workflowId}/result?wait={wait}");
        Assert.Equal(400, (int)response.StatusCode);
    }

    [Fact]
    public async Task Cancel_RunningWorkflow_CanceledAndTaskCanceled()
    {
        var (workflowId, taskId) = await server.StartApprovalAsync();
        using var client = server.Client();
        using var cancel = await client.PostAsync($"/api/workflows/{workflowId}/cancel", JsonBody("""{"reason":"no longer needed"}"""));
        Assert.Equal(200, (int)cancel.StatusCode);
        Assert.Equal("Canceled", (await BodyAsync(cancel)).GetProperty("state").GetString());
        using var complete = await client.PostAsync($"/api/tasks/Approvals/{taskId}/complete", JsonBody("""{"result":{"approved":true,"comment":"late"}}"""));
        Assert.Equal(409, (int)complete.StatusCode);
        var problem = await BodyAsync(complete);
        Assert.Equal("Canceled", problem.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Cancel_CompletedWorkflow_409WrongState()
    {
        var (workflowId, taskId) = await server.StartApprovalAsync();
        using var client = server.Client();
        using var complete = await client.PostAsync($"/api/tasks/Approvals/{taskId}/complete", JsonBody("""{"result":{"approved":true,"comment":"ok"}}"""));
        var done = await client.GetFromJsonAsync<JsonElement>($"/api/workflows/{workflowId}/result?wait=30s");
        Assert.Equal("Completed", done.GetProperty("state").GetString());
        using var cancel = await client.PostAsync($"/api/workflows/{workflowId}/cancel", null);
        Assert.Equal(409, (int)cancel.StatusCode);
        var problem = await BodyAsync(cancel);
        Assert.Equal(BatonErrorCodes.WorkflowWrongState, problem.GetProperty("code").GetString());
        Assert.Equal("Completed", problem.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Cancel_UnknownWorkflow_404()
    {
        using var client = server.Client();
        using var response = await client.PostAsync("/api/workflows/nope/cancel", null);
        Assert.Equal(404, (int)response.StatusCode);
    }

    [Fact]
    public async Task Healthz_StartedEngine_200()
    {
        using var client = server.Client(null);
        using var response = await client.GetAsync("/healthz");
        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task OpenApi_Document_Served()
    {
        using var client = server.Client(null);
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        Assert.True(document.GetProperty("paths").TryGetProperty("/api/workflows", out _));
    }
}
