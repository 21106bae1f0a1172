using static Baton.AspNetCore.Tests.ServerFixture;

namespace Baton.AspNetCore.Tests;

/// <summary>Every endpoint × every role, plus no key, a bad key and a revoked key.</summary>
public sealed class AuthorizationMatrixTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static readonly (string Method, string Path, string? Body, string[] Allowed)[] Endpoints =
    [
        ("POST", "/api/workflows", """{"workflow":"Nope","input":{}}""", ["admin", "starter"]),
        ("GET", "/api/workflows", null, ["admin", "operator", "starter", "viewer"]),
        ("GET", "/api/workflows/none", null, ["admin", "operator", "starter", "viewer"]),
        ("GET", "/api/workflows/none/history", null, ["admin", "operator", "starter", "viewer"]),
        ("GET", "/api/workflows/none/result?wait=0s", null, ["admin", "operator", "starter", "viewer"]),
        ("POST", "/api/workflows/none/cancel", null, ["admin", "starter"]),
        ("GET", "/api/tasks", null, ["admin", "operator", "viewer"]),
        ("GET", "/api/tasks/none", null, ["admin", "operator", "viewer"]),
        ("POST", "/api/tasks/S/none/complete", """{"result":1}""", ["admin", "operator", "completer"]),
        ("POST", "/api/tasks/S/none/fail", """{"error":{"type":"a","message":"b"}}""", ["admin", "operator", "completer"]),
        ("POST", "/api/tasks/S/none/progress", """{"percent":1}""", ["admin", "operator", "completer"]),
        ("POST", "/api/tasks/S/none/retry", null, ["admin", "operator"]),
        ("POST", "/api/tasks/none/timeout", null, ["admin", "operator"]),
        ("POST", "/api/tasks/timeout-between", """{"from":"2000-01-01T00:00:00Z","to":"2000-01-02T00:00:00Z"}""", ["admin", "operator"]),
        ("POST", "/api/task-statuses", """{"taskInstanceId":"none","status":"Running"}""", ["admin", "operator", "completer"]),
        ("POST", "/taskstatus/api/task-statuses", """{"taskInstanceId":"none","status":"Running"}""", ["admin", "operator", "completer"]),
        ("GET", "/api/keys", null, ["admin"]),
        ("POST", "/api/keys/none/revoke", null, ["admin"]),
        ("GET", "/api/inbox", null, ["admin", "operator", "completer", "starter", "viewer"]),
        ("GET", "/api/user-tasks/none", null, ["admin", "operator", "completer", "starter", "viewer"]),
        ("POST", "/api/user-tasks/none/claim", null, ["admin", "operator", "completer", "starter", "viewer"]),
        ("POST", "/api/user-tasks/none/unclaim", null, ["admin", "operator", "completer", "starter", "viewer"]),
        ("POST", "/api/user-tasks/none/complete", """{"data":{}}""", ["admin", "operator", "completer", "starter", "viewer"]),
        ("POST", "/api/user-tasks/none/assign", """{"user":"x"}""", ["admin", "operator"]),
    ];

    private static readonly string[] Callers = ["admin", "operator", "completer", "starter", "viewer", "none", "bad", "revoked"];

    public static TheoryData<int, string> Cases()
    {
        var data = new TheoryData<int, string>();
        for (var i = 0; i < Endpoints.Length; i++)
        {
            foreach (var caller in Callers) data.Add(i, caller);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Endpoint_Caller_ExpectedAuthorisation(int endpoint, string caller)
    {
        var (method, path, body, allowed) = Endpoints[endpoint];
        var key = caller switch
        {
            "none" => null,
            "bad" => "bk_not_a_real_key",
            "revoked" => server.RevokedKey,
            _ => server.Keys[caller],
        };
        using var client = server.Client(key);
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = body is null ? null : JsonBody(body) };
        using var response = await client.SendAsync(request);
        var status = (int)response.StatusCode;
        if (key is null || caller is "bad" or "revoked")
        {
            Assert.Equal(401, status);
            Assert.Equal(BatonErrorCodes.Unauthenticated, (await BodyAsync(response)).GetProperty("code").GetString());
        }
        else if (allowed.Contains(caller))
        {
            Assert.True(status is not (401 or 403 or 500), $"{method} {path} as {caller}: {status}");
        }
        else
        {
            Assert.Equal(403, status);
            Assert.Equal(BatonErrorCodes.Forbidden, (await BodyAsync(response)).GetProperty("code").GetString());
        }
    }

    [Theory]
    [InlineData("Authorization", "Bearer {0}")]
    [InlineData("Authorization", "bearer {0}")]
    [InlineData("Authorization", "BEARER {0}")]
    [InlineData("X-Api-Key", "{0}")]
    public async Task Key_AcceptedForms_200(string header, string format)
    {
        using var client = server.Client(null);
        client.DefaultRequestHeaders.TryAddWithoutValidation(header, string.Format(System.Globalization.CultureInfo.InvariantCulture, format, server.Keys["viewer"]));
        using var response = await client.GetAsync("/api/tasks?limit=1");
        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task Keys_CreateUseRevoke_RevokedKeyRejected()
    {
        using var admin = server.Client();
        using var created = await admin.PostAsync("/api/keys", JsonBody("""{"name":"ci","roles":["viewer"]}"""));
        Assert.Equal(201, (int)created.StatusCode);
        var body = await BodyAsync(created);
        var key = body.GetProperty("key").GetString()!;
        var id = body.GetProperty("info").GetProperty("id").GetString()!;
        using var viewer = server.Client(key);
        Assert.Equal(200, (int)(await viewer.GetAsync("/api/tasks?limit=1")).StatusCode);
        using var list = await admin.GetAsync("/api/keys");
        Assert.DoesNotContain(key, await list.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(200, (int)(await admin.PostAsync($"/api/keys/{id}/revoke", null)).StatusCode);
        Assert.Equal(401, (int)(await viewer.GetAsync("/api/tasks?limit=1")).StatusCode);
    }

    [Fact]
    public async Task Keys_RoleNames_PeoplesRolesAcceptedMalformedNames400()
    {
        using var admin = server.Client();
        using (var person = await admin.PostAsync("/api/keys", JsonBody("""{"name":"erin","roles":["finance.director","viewer"]}""")))
        {
            Assert.Equal(201, (int)person.StatusCode);
        }
        foreach (var roles in new[] { """["Root"]""", """["has space"]""", """[""]""", """["-x"]""", $"[\"{new string('r', 65)}\"]", "[]" })
        {
            using var created = await admin.PostAsync("/api/keys", JsonBody($$"""{"name":"ci","roles":{{roles}}}"""));
            Assert.True((int)created.StatusCode == 400, $"{roles} -> {(int)created.StatusCode}");
        }
    }
}
