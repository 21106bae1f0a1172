using Baton.AspNetCore.Http;
using Baton.AspNetCore.Security;
using Baton.Engine.Storage;
using Baton.Engine.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Baton.AspNetCore.Endpoints;

/// <summary>
/// Complete, fail and report progress on a task by its signed token alone (the task's callback URL). No API key: the
/// token is the credential, so it is never logged (see <see cref="TokenRedaction"/>).
/// </summary>
internal static class CallbackEndpoints
{
    private static readonly AuditSource Source = new("token", "callback");

    public static void Map(RouteGroupBuilder api)
    {
        var callbacks = api.MapGroup("/callbacks").WithTags("Callbacks");
        callbacks.MapPost("/{token}", (Delegate)CompleteAsync)
            .WithSummary("Complete the task the token names").Produces<CompletionResult>();
        callbacks.MapPost("/{token}/fail", (Delegate)FailAsync)
            .WithSummary("Fail the task the token names").Produces<CompletionResult>();
        callbacks.MapPost("/{token}/progress", (Delegate)ProgressAsync)
            .WithSummary("Report progress on the task the token names").Produces<TaskInfo>();
    }

    private static async Task<IResult> CompleteAsync(HttpContext http, string token)
    {
        var tasks = http.Engine().Tasks;
        var taskId = tasks.TaskIdFromToken(token);
        var body = await RequestBody.ReadAsync<CompleteBody>(http, http.BodyLimit());
        return Results.Json(await tasks.CompleteAsync(null, taskId, body.RequireResult(), Source, TaskOperations.TokenHolder, http.RequestAborted), ApiJson.Options);
    }

    private static async Task<IResult> FailAsync(HttpContext http, string token)
    {
        var tasks = http.Engine().Tasks;
        var taskId = tasks.TaskIdFromToken(token);
        var body = await RequestBody.ReadAsync<FailBody>(http, http.BodyLimit());
        return Results.Json(await tasks.FailAsync(null, taskId, body.RequireError(), Source, TaskOperations.TokenHolder, http.RequestAborted), ApiJson.Options);
    }

    private static async Task<IResult> ProgressAsync(HttpContext http, string token)
    {
        var tasks = http.Engine().Tasks;
        var taskId = tasks.TaskIdFromToken(token);
        var body = await RequestBody.ReadAsync<ProgressBody>(http, http.BodyLimit());
        return Results.Json(await tasks.ReportProgressAsync(null, taskId, body.ToReport(), Source, TaskOperations.TokenHolder, http.RequestAborted), ApiJson.Options);
    }
}
