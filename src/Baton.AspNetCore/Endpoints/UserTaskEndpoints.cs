using System.Text.Json;
using Baton.AspNetCore.Http;
using Baton.AspNetCore.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Baton.AspNetCore.Endpoints;

/// <summary>
/// People's inboxes: any API key may call these; what it sees and may do follows from the tasks' assignments (its
/// principal name is the user, its roles are the user's roles).
/// </summary>
internal static class UserTaskEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/inbox", (Delegate)InboxAsync).RequirePermission(BatonPermission.Authenticated).WithTags("User tasks")
            .WithSummary("The caller's open user tasks: ?spec=&action=&minPriority=&dueBefore=&q=&claimed=actionable|mine|unclaimed|any&all=true&sort=due|priority|age&limit=&cursor=")
            .Produces<UserTaskPage>();
        var tasks = api.MapGroup("/user-tasks").WithTags("User tasks");
        tasks.MapGet("/{taskId}", (Delegate)GetAsync).RequirePermission(BatonPermission.Authenticated)
            .WithSummary("One user task with the JSON Schema its data must match").Produces<UserTaskInfo>();
        tasks.MapPost("/{taskId}/claim", (Delegate)ClaimAsync).RequirePermission(BatonPermission.Authenticated)
            .WithSummary("Claim it: only the caller may complete it until released").Produces<UserTaskInfo>();
        tasks.MapPost("/{taskId}/unclaim", (Delegate)UnclaimAsync).RequirePermission(BatonPermission.Authenticated)
            .WithSummary("Release the claim (operators: anyone's)").Produces<UserTaskInfo>();
        tasks.MapPost("/{taskId}/assign", (Delegate)AssignAsync).RequirePermission(BatonPermission.ManageTasks)
            .WithSummary("Reassign to {user?, roles?}, releasing any claim (operators and admins)").Produces<UserTaskInfo>();
        tasks.MapPost("/{taskId}/complete", (Delegate)CompleteAsync).RequirePermission(BatonPermission.Authenticated)
            .WithSummary("Submit {data}: validated against the declared type; the workflow continues").Produces<CompletionResult>();
    }

    private static async Task<IResult> InboxAsync(HttpContext http)
    {
        var all = QueryText.String(http, "all") switch
        {
            null => false,
            var a when bool.TryParse(a, out var value) => value,
            _ => throw ApiProblemException.BadRequest("'all' must be true or false."),
        };
        var page = await http.Inbox().GetInboxAsync(new InboxQuery
        {
            Spec = QueryText.String(http, "spec"),
            Action = QueryText.String(http, "action"),
            MinPriority = QueryText.Int(http, "minPriority", int.MinValue, int.MaxValue),
            DueBefore = QueryText.Timestamp(http, "dueBefore"),
            Text = QueryText.String(http, "q"),
            Claimed = QueryText.Enum<InboxClaimFilter>(http, "claimed") ?? InboxClaimFilter.Actionable,
            All = all,
            Sort = QueryText.Enum<InboxSort>(http, "sort") ?? InboxSort.Due,
            Limit = QueryText.Int(http, "limit", 1, 500) ?? 50,
            Cursor = QueryText.String(http, "cursor"),
        }, http.RequestAborted);
        return Results.Json(page, ApiJson.Options);
    }

    private static async Task<IResult> GetAsync(HttpContext http, string taskId) =>
        Results.Json(await http.Inbox().GetUserTaskAsync(taskId, http.RequestAborted), ApiJson.Options);

    private static async Task<IResult> ClaimAsync(HttpContext http, string taskId) =>
        Results.Json(await http.Inbox().ClaimUserTaskAsync(taskId, http.RequestAborted), ApiJson.Options);

    private static async Task<IResult> UnclaimAsync(HttpContext http, string taskId) =>
        Results.Json(await http.Inbox().UnclaimUserTaskAsync(taskId, http.RequestAborted), ApiJson.Options);

    private static async Task<IResult> AssignAsync(HttpContext http, string taskId)
    {
        var body = await RequestBody.ReadAsync<AssignBody>(http, http.BodyLimit());
        return Results.Json(await http.Inbox().ReassignUserTaskAsync(taskId, new UserTaskAssignment(body.User, body.Roles), http.RequestAborted), ApiJson.Options);
    }

    private static async Task<IResult> CompleteAsync(HttpContext http, string taskId)
    {
        var body = await RequestBody.ReadAsync<SubmitBody>(http, http.BodyLimit());
        if (body.Data.ValueKind == JsonValueKind.Undefined) throw ApiProblemException.BadRequest("'data' is required: the values the task asks for.");
        return Results.Json(await http.Inbox().CompleteUserTaskAsync(taskId, body.Data, http.RequestAborted), ApiJson.Options);
    }

    /// <summary>Body of <c>POST /api/user-tasks/{taskId}/complete</c>.</summary>
    internal sealed record SubmitBody(JsonElement Data = default);

    /// <summary>Body of <c>POST /api/user-tasks/{taskId}/assign</c>.</summary>
    internal sealed record AssignBody(string? User = null, IReadOnlyList<string>? Roles = null);
}
