using System.Net.Http.Json;
using System.Text.Json;
using Baton.AspNetCore.Security;
using Microsoft.Extensions.DependencyInjection;
using static Baton.AspNetCore.Tests.ServerFixture;

namespace Baton.AspNetCore.Tests;

/// <summary>User tasks over real loopback HTTP: who sees, claims and completes them, and what the workflow gets.</summary>
public sealed class UserTaskEndpointTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    /// <summary>Starts the typed ManagerReview workflow and returns its id and its user task's id.</summary>
    private async Task<(string WorkflowId, string TaskId)> StartReviewAsync()
    {
        using var admin = server.Client();
        var id = "review-" + Guid.NewGuid().ToString("N");
        using var started = await admin.PostAsync("/api/workflows", JsonBody($$"""{"workflow":"ManagerReview","input":{"documentId":"{{id}}"},"id":"{{id}}"}"""));
        Assert.Equal(201, (int)started.StatusCode);
        return (id, await DelegatedTaskAsync(admin, id));
    }

    /// <summary>Starts the built-in UserTask workflow with <paramref name="request"/> (its JSON form).</summary>
    private async Task<(string WorkflowId, string TaskId)> StartBuiltInAsync(string request)
    {
        using var admin = server.Client();
        var id = await StartBuiltInWorkflowAsync(admin, request);
        return (id, await DelegatedTaskAsync(admin, id));
    }

    private static async Task<string> StartBuiltInWorkflowAsync(HttpClient admin, string request)
    {
        var id = "ut-" + Guid.NewGuid().ToString("N");
        using var started = await admin.PostAsync("/api/workflows", JsonBody($$"""{"workflow":"UserTask","input":{{request}},"id":"{{id}}"}"""));
        Assert.True((int)started.StatusCode == 201, await started.Content.ReadAsStringAsync());
        return id;
    }

    /// <summary>The workflow's first task in whatever state (one with a short timeout may be over before a poll sees it open).</summary>
    private static async Task<string> FirstTaskAsync(HttpClient admin, string workflowId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var page = await admin.GetFromJsonAsync<JsonElement>($"/api/tasks?workflow={workflowId}");
            if (page.GetProperty("items").EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } task) return task.GetProperty("taskId").GetString()!;
            await Task.Delay(20);
        }
        throw new TimeoutException($"Workflow {workflowId} has no task.");
    }

    private async Task<JsonElement> ResultAsync(string workflowId)
    {
        using var admin = server.Client();
        var info = await admin.GetFromJsonAsync<JsonElement>($"/api/workflows/{workflowId}/result?wait=20s");
        Assert.True(info.GetProperty("state").GetString() == "Completed", info.GetRawText());
        return info.GetProperty("result").Clone();
    }

    private static async Task<(int Status, JsonElement Body)> PostAsync(HttpClient client, string path, string? body = null)
    {
        using var response = await client.PostAsync(path, body is null ? null : JsonBody(body));
        return ((int)response.StatusCode, await BodyAsync(response));
    }

    private static async Task<bool> InboxHasAsync(HttpClient client, string taskId, string query = "")
    {
        var page = await client.GetFromJsonAsync<JsonElement>("/api/inbox" + query);
        return page.GetProperty("items").EnumerateArray().Any(t => t.GetProperty("taskId").GetString() == taskId);
    }

    [Fact]
    public async Task Visibility_AssigneeRoleHolderOtherUserOperatorNoKey()
    {
        var (_, roleTask) = await StartReviewAsync();
        var (_, userTask) = await StartBuiltInAsync("""{"name":"Sign the lease","action":"Sign","user":"bob","input":{"lease":"L-7"}}""");
        using var alice = server.Client(server.Keys["alice"]);
        using var bob = server.Client(server.Keys["bob"]);
        using var dora = server.Client(server.Keys["dora"]);
        using var op = server.Client(server.Keys["operator"]);
        using var nobody = server.Client(null);

        Assert.True(await InboxHasAsync(alice, roleTask));
        Assert.False(await InboxHasAsync(alice, userTask));
        Assert.True(await InboxHasAsync(bob, userTask));
        Assert.False(await InboxHasAsync(bob, roleTask));
        Assert.False(await InboxHasAsync(dora, roleTask));
        Assert.False(await InboxHasAsync(op, roleTask));
        Assert.True(await InboxHasAsync(op, roleTask, "?all=true"));
        Assert.Equal(403, (int)(await bob.GetAsync("/api/inbox?all=true")).StatusCode);
        Assert.Equal(401, (int)(await nobody.GetAsync("/api/inbox")).StatusCode);

        var seen = await alice.GetFromJsonAsync<JsonElement>($"/api/user-tasks/{roleTask}");
        Assert.Equal("object", seen.GetProperty("dataSchema").GetProperty("type").GetString());
        Assert.Equal("Review", seen.GetProperty("action").GetString());
        using var hidden = await dora.GetAsync($"/api/user-tasks/{roleTask}");
        Assert.Equal(403, (int)hidden.StatusCode);
        Assert.Equal(BatonErrorCodes.UserTaskNotAssigned, (await BodyAsync(hidden)).GetProperty("code").GetString());
        Assert.Equal(200, (int)(await op.GetAsync($"/api/user-tasks/{roleTask}")).StatusCode);
        Assert.Equal(404, (int)(await alice.GetAsync("/api/user-tasks/no-such-task")).StatusCode);
        // A user task never exposes a callback token, even to an admin.
        using var admin = server.Client();
        var generic = await admin.GetFromJsonAsync<JsonElement>($"/api/tasks/{roleTask}");
        Assert.False(generic.TryGetProperty("token", out _));
        Assert.False(generic.TryGetProperty("callbackUrl", out _));
    }

    [Fact]
    public async Task Completion_OnlyAssigneeOrRoleHolder_ClaimantIfClaimed_AdminOverrideRecorded()
    {
        var (workflowId, taskId) = await StartReviewAsync();
        using var alice = server.Client(server.Keys["alice"]);
        using var carol = server.Client(server.Keys["carol"]);
        using var bob = server.Client(server.Keys["bob"]);
        using var op = server.Client(server.Keys["operator"]);
        using var completer = server.Client(server.Keys["completer"]);
        const string Data = """{"data":{"approved":true,"comment":"ok"}}""";

        var (status, body) = await PostAsync(bob, $"/api/user-tasks/{taskId}/claim");
        Assert.Equal((403, BatonErrorCodes.UserTaskNotAssigned), (status, body.GetProperty("code").GetString()));
        Assert.Equal(403, (await PostAsync(bob, $"/api/user-tasks/{taskId}/complete", Data)).Status);

        (status, body) = await PostAsync(alice, $"/api/user-tasks/{taskId}/claim");
        Assert.Equal(200, status);
        Assert.Equal("alice", body.GetProperty("claimedBy").GetString());
        Assert.False(await InboxHasAsync(carol, taskId));
        Assert.True(await InboxHasAsync(carol, taskId, "?claimed=any"));
        Assert.True(await InboxHasAsync(alice, taskId, "?claimed=mine"));

        (status, body) = await PostAsync(carol, $"/api/user-tasks/{taskId}/claim");
        Assert.Equal((409, "alice"), (status, body.GetProperty("claimedBy").GetString()));
        (status, body) = await PostAsync(carol, $"/api/user-tasks/{taskId}/complete", Data);
        Assert.Equal((409, BatonErrorCodes.UserTaskClaimed, "alice"), (status, body.GetProperty("code").GetString(), body.GetProperty("claimedBy").GetString()));
        Assert.Equal(409, (await PostAsync(carol, $"/api/user-tasks/{taskId}/unclaim")).Status);

        // Operators supervise but do not decide; outside systems cannot complete a person's task by any route.
        Assert.Equal(403, (await PostAsync(op, $"/api/user-tasks/{taskId}/complete", Data)).Status);
        Assert.Equal(403, (await PostAsync(completer, $"/api/tasks/UserTask/{taskId}/complete", """{"result":{"approved":true,"comment":"bot"}}""")).Status);
        Assert.Equal(403, (await PostAsync(completer, "/api/task-statuses", $$$"""{"taskInstanceId":"{{{taskId}}}","status":"Completed","outputValues":{"approved":true,"comment":"x"}}""")).Status);
        Assert.Equal(403, (await PostAsync(completer, $"/api/tasks/UserTask/{taskId}/fail", """{"error":{"type":"x","message":"y"}}""")).Status);

        (status, body) = await PostAsync(alice, $"/api/user-tasks/{taskId}/complete", Data);
        Assert.Equal(200, status);
        Assert.Equal("Completed", body.GetProperty("state").GetString());
        Assert.True((await PostAsync(alice, $"/api/user-tasks/{taskId}/complete", Data)).Body.GetProperty("alreadyCompleted").GetBoolean());
        (status, body) = await PostAsync(alice, $"/api/user-tasks/{taskId}/complete", """{"data":{"approved":false,"comment":"changed my mind"}}""");
        Assert.Equal((409, BatonErrorCodes.TaskOutcomeConflict), (status, body.GetProperty("code").GetString()));
        // Someone the task was never assigned to learns nothing about it, not even its recorded outcome.
        Assert.Equal(403, (await PostAsync(completer, $"/api/tasks/UserTask/{taskId}/complete", """{"result":{"approved":false,"comment":"x"}}""")).Status);
        Assert.Equal(403, (await PostAsync(bob, $"/api/user-tasks/{taskId}/complete", Data)).Status);
        var result = await ResultAsync(workflowId);
        Assert.Equal("Completed", result.GetProperty("outcome").GetString());
        Assert.Equal("alice", result.GetProperty("completedBy").GetString());

        // Admin override on another task, claimed by someone else: allowed and recorded as such.
        var (otherWorkflow, otherTask) = await StartReviewAsync();
        Assert.Equal(200, (await PostAsync(carol, $"/api/user-tasks/{otherTask}/claim")).Status);
        using var admin = server.Client();
        Assert.Equal(200, (await PostAsync(admin, $"/api/user-tasks/{otherTask}/complete", Data)).Status);
        Assert.Equal("admin", (await ResultAsync(otherWorkflow)).GetProperty("completedBy").GetString());
        var audit = (await admin.GetFromJsonAsync<JsonElement>($"/api/tasks/{otherTask}")).GetProperty("audit").EnumerateArray().ToList();
        var completed = Assert.Single(audit, a => a.GetProperty("kind").GetString() == "Completed");
        Assert.Contains("override", completed.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Operator_ReleasesClaimAndReassigns_AuditTrailRecordsEveryChange()
    {
        var (workflowId, taskId) = await StartReviewAsync();
        using var alice = server.Client(server.Keys["alice"]);
        using var bob = server.Client(server.Keys["bob"]);
        using var op = server.Client(server.Keys["operator"]);
        Assert.Equal(200, (await PostAsync(alice, $"/api/user-tasks/{taskId}/claim")).Status);
        Assert.Equal(403, (await PostAsync(alice, $"/api/user-tasks/{taskId}/assign", """{"user":"bob"}""")).Status);
        Assert.Equal(400, (await PostAsync(op, $"/api/user-tasks/{taskId}/assign", "{}")).Status);
        Assert.Equal(400, (await PostAsync(op, $"/api/user-tasks/{taskId}/assign", """{"roles":["  "]}""")).Status);
        Assert.Equal(400, (await PostAsync(op, $"/api/user-tasks/{taskId}/assign", """{"user":"bob\u0000"}""")).Status);

        var (status, body) = await PostAsync(op, $"/api/user-tasks/{taskId}/assign", """{"user":"bob"}""");
        Assert.Equal(200, status);
        Assert.Equal("bob", body.GetProperty("user").GetString());
        Assert.False(body.TryGetProperty("claimedBy", out _));
        Assert.Equal(403, (await PostAsync(alice, $"/api/user-tasks/{taskId}/complete", """{"data":{"approved":true,"comment":"a"}}""")).Status);
        Assert.Equal(200, (await PostAsync(bob, $"/api/user-tasks/{taskId}/complete", """{"data":{"approved":true,"comment":"b"}}""")).Status);
        Assert.Equal("bob", (await ResultAsync(workflowId)).GetProperty("completedBy").GetString());

        using var admin = server.Client();
        var audit = (await admin.GetFromJsonAsync<JsonElement>($"/api/tasks/{taskId}")).GetProperty("audit").EnumerateArray()
            .Select(a => $"{a.GetProperty("kind").GetString()}:{a.GetProperty("actor").GetString()}").ToList();
        Assert.Equal(["Scheduled:system", "Assigned:system", "Claimed:alice", "Reassigned:operator-principal", "Completed:bob"], audit);
    }

    [Fact]
    public async Task ClaimRace_FiftyConcurrentClaims_ExactlyOneClaimant()
    {
        var (_, taskId) = await StartReviewAsync();
        var keys = server.App.Services.GetRequiredService<ApiKeyStore>();
        var people = new List<(string Name, string Key)>();
        for (var i = 0; i < 50; i++)
        {
            var name = $"racer-{i:D2}";
            people.Add((name, (await keys.CreateAsync(name, ["manager"])).Key));
        }
        using var start = new SemaphoreSlim(0);
        var claims = people.Select(async p =>
        {
            using var client = server.Client(p.Key);
            await start.WaitAsync();
            return (p.Name, await PostAsync(client, $"/api/user-tasks/{taskId}/claim"));
        }).ToList();
        start.Release(50);
        var results = await Task.WhenAll(claims);

        var winners = results.Where(r => r.Item2.Status == 200).ToList();
        var winner = Assert.Single(winners);
        Assert.Equal(winner.Name, winner.Item2.Body.GetProperty("claimedBy").GetString());
        Assert.All(results.Where(r => r.Item2.Status != 200), r =>
        {
            Assert.Equal(409, r.Item2.Status);
            Assert.Equal(winner.Name, r.Item2.Body.GetProperty("claimedBy").GetString());
        });
        using var admin = server.Client();
        var audit = (await admin.GetFromJsonAsync<JsonElement>($"/api/tasks/{taskId}")).GetProperty("audit").EnumerateArray();
        Assert.Single(audit, a => a.GetProperty("kind").GetString() == "Claimed");
    }

    [Fact]
    public async Task BadData_WrongTypeMissingFieldsOversizedMalformed_4xxWithFieldErrors_TaskStaysOpen()
    {
        var (workflowId, taskId) = await StartReviewAsync();
        using var alice = server.Client(server.Keys["alice"]);

        var (status, body) = await PostAsync(alice, $"/api/user-tasks/{taskId}/complete", """{"data":{"approved":"yes","comment":7}}""");
        Assert.Equal(422, status);
        var paths = body.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("path").GetString()).ToList();
        Assert.Contains("$.approved", paths);
        Assert.Contains("$.comment", paths);
        (status, body) = await PostAsync(alice, $"/api/user-tasks/{taskId}/complete", """{"data":{"comment":"no decision"}}""");
        Assert.Equal(422, status);
        Assert.NotEmpty(body.GetProperty("errors").EnumerateArray());
        Assert.Equal(422, (await PostAsync(alice, $"/api/user-tasks/{taskId}/complete", """{"data":null}""")).Status);
        Assert.Equal(400, (await PostAsync(alice, $"/api/user-tasks/{taskId}/complete", """{"result":{"approved":true}}""")).Status);
        Assert.Equal(400, (await PostAsync(alice, $"/api/user-tasks/{taskId}/complete", """{"data":""")).Status);
        var huge = $$$"""{"data":{"approved":true,"comment":"{{{new string('x', 1_100_000)}}}"}}""";
        Assert.Equal(413, (await PostAsync(alice, $"/api/user-tasks/{taskId}/complete", huge)).Status);

        var task = await alice.GetFromJsonAsync<JsonElement>($"/api/user-tasks/{taskId}");
        Assert.Equal("Delegated", task.GetProperty("state").GetString());
        using var admin = server.Client();
        Assert.Equal("Running", (await admin.GetFromJsonAsync<JsonElement>($"/api/workflows/{workflowId}")).GetProperty("state").GetString());
    }

    [Fact]
    public async Task BuiltIn_EnrichmentAndDataSchema_WorkflowGetsInputAndDataTogether()
    {
        var (workflowId, taskId) = await StartBuiltInAsync("""
            {"name":"Rate the supplier","action":"Rate","roles":["manager"],"input":{"supplier":{"id":"S-1"}},"enrichPath":"supplier.rating",
             "dataSchema":{"type":"object","properties":{"stars":{"type":"integer","minimum":1,"maximum":5},"ratedOn":{"type":"string","format":"date"}},"required":["stars"]}}
            """);
        using var alice = server.Client(server.Keys["alice"]);
        var (status, body) = await PostAsync(alice, $"/api/user-tasks/{taskId}/complete", """{"data":{"stars":9}}""");
        Assert.Equal(422, status);
        Assert.Contains(body.GetProperty("errors").EnumerateArray(), e => e.GetProperty("path").GetString() == "$.stars");
        // Formats are checked, not only annotated: a schema-only node must refuse what a typed reader could not read.
        (status, body) = await PostAsync(alice, $"/api/user-tasks/{taskId}/complete", """{"data":{"stars":4,"ratedOn":"last tuesday"}}""");
        Assert.Equal(422, status);
        Assert.Contains(body.GetProperty("errors").EnumerateArray(), e => e.GetProperty("path").GetString() == "$.ratedOn");
        Assert.Equal(200, (await PostAsync(alice, $"/api/user-tasks/{taskId}/complete", """{"data":{"stars":4}}""")).Status);

        var result = await ResultAsync(workflowId);
        Assert.Equal(4, result.GetProperty("data").GetProperty("stars").GetInt32());
        Assert.Equal("S-1", result.GetProperty("input").GetProperty("supplier").GetProperty("id").GetString());
        Assert.Equal(4, result.GetProperty("input").GetProperty("supplier").GetProperty("rating").GetProperty("stars").GetInt32());
    }

    [Fact]
    public async Task BuiltIn_TimeoutInMilliseconds_TimeoutOnEpoch_ManualTimeout_WorkflowSeesTimedOut()
    {
        using var admin = server.Client();
        // The short timeouts may pass before a poll would see their tasks open: those two are not waited for as Delegated.
        var relative = await StartBuiltInWorkflowAsync(admin, """{"name":"Quick","action":"Ack","roles":["manager"],"timeout":300}""");
        var epoch = DateTimeOffset.UtcNow.AddMilliseconds(400).ToUnixTimeMilliseconds();
        var absolute = await StartBuiltInWorkflowAsync(admin, $$"""{"name":"By then","action":"Ack","user":"alice","timeoutOn":{{epoch}}}""");
        var absoluteTask = await FirstTaskAsync(admin, absolute);
        var (manual, manualTask) = await StartBuiltInAsync("""{"name":"Manual","action":"Ack","roles":["manager"],"timeout":3600000}""");
        Assert.Equal(epoch, (await admin.GetFromJsonAsync<JsonElement>($"/api/user-tasks/{absoluteTask}")).GetProperty("timeoutAt").GetDateTimeOffset().ToUnixTimeMilliseconds());
        using var op = server.Client(server.Keys["operator"]);
        Assert.Equal(200, (await PostAsync(op, $"/api/tasks/{manualTask}/timeout")).Status);

        foreach (var workflowId in new[] { relative, absolute, manual })
        {
            var result = await ResultAsync(workflowId);
            Assert.Equal("TimedOut", result.GetProperty("outcome").GetString());
            Assert.False(string.IsNullOrEmpty(result.GetProperty("timeoutReason").GetString()));
        }
        using var alice = server.Client(server.Keys["alice"]);
        Assert.Equal(409, (await PostAsync(alice, $"/api/user-tasks/{manualTask}/complete", """{"data":{}}""")).Status);
    }

    [Fact]
    public async Task BuiltIn_BadRequests_RejectedAtStartWithClearErrors()
    {
        using var admin = server.Client();
        foreach (var input in new[] { """{"action":"A","roles":["m"]}""", """{"name":"N","action":"A","timeout":-5}""", """{"name":"N","action":"A","timeoutOn":"soon"}""" })
        {
            using var response = await admin.PostAsync("/api/workflows", JsonBody($$"""{"workflow":"UserTask","input":{{input}}}"""));
            Assert.True((int)response.StatusCode is 400 or 422, $"{input} -> {(int)response.StatusCode}");
        }
        // Well-formed but assigned to no one: the workflow fails with a clear reason instead of waiting forever.
        var id = "ut-orphan-" + Guid.NewGuid().ToString("N");
        using var started = await admin.PostAsync("/api/workflows", JsonBody($$"""{"workflow":"UserTask","input":{"name":"N","action":"A"},"id":"{{id}}"}"""));
        Assert.Equal(201, (int)started.StatusCode);
        var info = await admin.GetFromJsonAsync<JsonElement>($"/api/workflows/{id}/result?wait=20s");
        Assert.Equal("Failed", info.GetProperty("state").GetString());
        Assert.Contains("User or at least one role", info.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
