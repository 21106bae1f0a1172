using System.Net.Http.Json;
using System.Text.Json;
using static Baton.AspNetCore.Tests.ServerFixture;

namespace Baton.AspNetCore.Tests;

/// <summary>X4B's TaskStatus body, unchanged, at both paths.</summary>
public sealed class TaskStatusEndpointTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("/api/task-statuses")]
    [InlineData("/taskstatus/api/task-statuses")]
    public async Task Post_RunningThenCompleted_ProgressThenDelegateResult(string path)
    {
        using var admin = server.Client();
        using var started = await admin.PostAsync("/api/workflows", JsonBody("""{"workflow":"Delegate","input":{"job":7}}"""));
        var workflowId = (await BodyAsync(started)).GetProperty("workflowId").GetString()!;
        var taskId = await DelegatedTaskAsync(admin, workflowId);
        using var completer = server.Client(null);
        completer.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "bearer " + server.Keys["completer"]);
        using var running = await completer.PostAsync(path, JsonBody($$$"""{"taskInstanceId":"{{{taskId}}}","status":"Running","progressPercentage":30,"message":"working","invariants":{},"outputValues":{}}"""));
        Assert.Equal(200, (int)running.StatusCode);
        using var inProgress = await completer.PostAsync(path, JsonBody($$$"""{"taskInstanceId":"{{{taskId}}}","status":"InProgress","progressPercentage":60}"""));
        Assert.Equal(200, (int)inProgress.StatusCode);
        using var completed = await completer.PostAsync(path, JsonBody($$$"""{"taskInstanceId":"{{{taskId}}}","status":"Completed","message":"done","outputValues":{"statusCode":"200"}}"""));
        Assert.Equal(200, (int)completed.StatusCode);
        using var repeat = await completer.PostAsync(path, JsonBody($$$"""{"taskInstanceId":"{{{taskId}}}","status":"Completed","message":"done","outputValues":{"statusCode":"200"}}"""));
        Assert.True((await BodyAsync(repeat)).GetProperty("alreadyCompleted").GetBoolean());
        var done = await admin.GetFromJsonAsync<JsonElement>($"/api/workflows/{workflowId}/result?wait=30s");
        Assert.Equal("200", done.GetProperty("result").GetProperty("statusCode").GetString());
        var task = await admin.GetFromJsonAsync<JsonElement>($"/api/tasks/{taskId}");
        Assert.Equal(2, task.GetProperty("progressTimeline").GetArrayLength());
        Assert.Contains(task.GetProperty("audit").EnumerateArray(), a => a.GetProperty("actor").GetString() == "completer-principal");
    }

    [Fact]
    public async Task Post_Error_FailsDelegateWorkflow()
    {
        using var admin = server.Client();
        using var started = await admin.PostAsync("/api/workflows", JsonBody("""{"workflow":"Delegate","input":null}"""));
        var workflowId = (await BodyAsync(started)).GetProperty("workflowId").GetString()!;
        var taskId = await DelegatedTaskAsync(admin, workflowId);
        using var error = await admin.PostAsync("/api/task-statuses", JsonBody($$$"""{"taskInstanceId":"{{{taskId}}}","status":"Error","message":"remote failure"}"""));
        Assert.Equal(200, (int)error.StatusCode);
        var done = await admin.GetFromJsonAsync<JsonElement>($"/api/workflows/{workflowId}/result?wait=30s");
        Assert.Equal("Failed", done.GetProperty("state").GetString());
        Assert.Contains("remote failure", done.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"taskInstanceId":"x","status":"Unknown"}""", 400)]
    [InlineData("""{"taskInstanceId":"x","status":"Completed"}""", 404)]
    [InlineData("""{"taskInstanceId":"x\u0000","status":"Completed"}""", 404)]
    [InlineData("""{"status":"Completed"}""", 400)]
    [InlineData("""{"taskInstanceId":"x"}""", 400)]
    public async Task Post_BadOrUnknown_ProblemStatus(string body, int status)
    {
        using var admin = server.Client();
        using var response = await admin.PostAsync("/api/task-statuses", JsonBody(body));
        Assert.Equal(status, (int)response.StatusCode);
    }
}
