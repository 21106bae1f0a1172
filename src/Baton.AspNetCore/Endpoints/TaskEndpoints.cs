using Baton.AspNetCore.Http;
using Baton.AspNetCore.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Baton.AspNetCore.Endpoints;

/// <summary>Monitor tasks and act on them by service name and task id.</summary>
internal static class TaskEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var tasks = api.MapGroup("/tasks").WithTags("Tasks");
        tasks.MapGet("/", (Delegate)ListAsync).RequirePermission(BatonPermission.ReadTasks)
            .WithSummary("List tasks: ?status=&service=&tag=&workflow=&olderThan=&limit=&cursor=&order=oldest|newest").Produces<TaskPage>();
        tasks.MapGet("/{taskId}", (Delegate)GetAsync).RequirePermission(BatonPermission.ReadTasks)
            .WithSummary("One task with its audit trail and progress; token and callback URL for roles that may complete it").Produces<TaskDetails>();
        tasks.MapPost("/timeout-between", (Delegate)TimeoutBetweenAsync).RequirePermission(BatonPermission.ManageTasks)
            .WithSummary("Time out every open task whose deadline lies in [from, to)").Produces<TimeoutBetweenResult>();
        tasks.MapPost("/{taskId}/timeout", (Delegate)TimeoutAsync).RequirePermission(BatonPermission.ManageTasks)
            .WithSummary("Time a task out now").Produces<CompletionResult>();
        tasks.MapPost("/{service}/{taskId}/complete", (Delegate)CompleteAsync).RequirePermission(BatonPermission.CompleteTasks)
            .WithSummary("Complete a delegated task").Produces<CompletionResult>();
        tasks.MapPost("/{service}/{taskId}/fail", (Delegate)FailAsync).RequirePermission(BatonPermission.CompleteTasks)
            .WithSummary("Fail a delegated task").Produces<CompletionResult>();
        tasks.MapPost("/{service}/{taskId}/progress", (Delegate)ProgressAsync).RequirePermission(BatonPermission.CompleteTasks)
            .WithSummary("Report progress (heartbeat)").Produces<TaskInfo>();
        tasks.MapPost("/{service}/{taskId}/retry", (Delegate)RetryAsync).RequirePermission(BatonPermission.ManageTasks)
            .WithSummary("Re-run the handler of an open delegated task").Produces<TaskInfo>();
    }

    private static async Task<IResult> ListAsync(HttpContext http)
    {
        var order = QueryText.String(http, "order") switch
        {
            null => TaskOrder.OldestFirst,
            var o when o.Equals("oldest", StringComparison.OrdinalIgnoreCase) || o.Equals("oldestfirst", StringComparison.OrdinalIgnoreCase) => TaskOrder.OldestFirst,
            var o when o.Equals("newest", StringComparison.OrdinalIgnoreCase) || o.Equals("newestfirst", StringComparison.OrdinalIgnoreCase) => TaskOrder.NewestFirst,
            _ => throw ApiProblemException.BadRequest("'order' must be oldest or newest."),
        };
        var status = QueryText.String(http, "status");
        var open = status is not null && status.Equals("open", StringComparison.OrdinalIgnoreCase);
        var page = await http.Client().ListTasksAsync(new TaskQuery
        {
            State = status is null || open ? null : QueryText.ParseEnum<TaskState>(status, "status"),
            OpenOnly = open,
            ServiceName = QueryText.String(http, "service"),
            Tag = QueryText.String(http, "tag"),
            WorkflowId = QueryText.String(http, "workflow"),
            OlderThan = QueryText.Duration(http, "olderThan", TimeSpan.FromDays(36_500)),
            Limit = QueryText.Int(http, "limit", 1, 500) ?? 50,
            Cursor = QueryText.String(http, "cursor"),
            Order = order,
        }, http.RequestAborted);
        return Results.Json(page, ApiJson.Options);
    }

    private static async Task<IResult> GetAsync(HttpContext http, string taskId)
    {
        var task = await http.Client().GetTaskAsync(taskId, http.RequestAborted);
        if (!ApiKeyAuthentication.Principal(http).Allows(BatonPermission.CompleteTasks)) task = task with { Token = null, CallbackUrl = null };
        return Results.Json(task, ApiJson.Options);
    }

    private static async Task<IResult> TimeoutBetweenAsync(HttpContext http)
    {
        var body = await RequestBody.ReadAsync<TimeoutBetweenBody>(http, http.BodyLimit());
        if (body.To is not { } to) throw ApiProblemException.BadRequest("'to' is required.");
        return Results.Json(await http.Client().TimeoutTasksBetweenAsync(body.From, to, http.RequestAborted), ApiJson.Options);
    }

    private static async Task<IResult> TimeoutAsync(HttpContext http, string taskId) =>
        Results.Json(await http.Client().TimeoutTaskAsync(taskId, http.RequestAborted), ApiJson.Options);

    private static async Task<IResult> CompleteAsync(HttpContext http, string service, string taskId)
    {
        var body = await RequestBody.ReadAsync<CompleteBody>(http, http.BodyLimit());
        return Results.Json(await http.Client().CompleteDelegatedTaskAsync(service, taskId, body.RequireResult(), http.RequestAborted), ApiJson.Options);
    }

    private static async Task<IResult> FailAsync(HttpContext http, string service, string taskId)
    {
        var body = await RequestBody.ReadAsync<FailBody>(http, http.BodyLimit());
        return Results.Json(await http.Client().FailDelegatedTaskAsync(service, taskId, body.RequireError(), http.RequestAborted), ApiJson.Options);
    }

    private static async Task<IResult> ProgressAsync(HttpContext http, string service, string taskId)
    {
        var body = await RequestBody.ReadAsync<ProgressBody>(http, http.BodyLimit());
        return Results.Json(await http.Client().ReportProgressAsync(service, taskId, body.ToReport(), http.RequestAborted), ApiJson.Options);
    }

    private static async Task<IResult> RetryAsync(HttpContext http, string service, string taskId) =>
        Results.Json(await http.Client().RetryTaskAsync(service, taskId, http.RequestAborted), ApiJson.Options);
}
