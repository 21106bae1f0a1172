using System.Text.Json;
using Baton.AspNetCore.Http;
using Baton.AspNetCore.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Baton.AspNetCore.Endpoints;

/// <summary>
/// X4B Scenario's TaskStatus API, body unchanged: <c>Completed</c> completes the task with <c>outputValues</c> as its
/// result, <c>Error</c> fails it, <c>Running</c> / <c>InProgress</c> report progress. Served at
/// <c>/api/task-statuses</c> and <c>/taskstatus/api/task-statuses</c>.
/// </summary>
internal static class TaskStatusEndpoints
{
    public static void Map(IEndpointRouteBuilder routes, RouteGroupBuilder api)
    {
        api.MapPost("/task-statuses", (Delegate)PostAsync).RequirePermission(BatonPermission.CompleteTasks).WithTags("X4B")
            .WithSummary("X4B-compatible task status");
        routes.MapGroup("/taskstatus/api").AddEndpointFilter(new ProblemFilter())
            .MapPost("/task-statuses", (Delegate)PostAsync).RequirePermission(BatonPermission.CompleteTasks).WithTags("X4B")
            .WithSummary("X4B-compatible task status (X4B's own path)");
    }

    private static async Task<IResult> PostAsync(HttpContext http)
    {
        var body = await RequestBody.ReadAsync<TaskStatusBody>(http, http.BodyLimit());
        if (string.IsNullOrWhiteSpace(body.TaskInstanceId)) throw ApiProblemException.BadRequest("'taskInstanceId' is required.");
        if (string.IsNullOrWhiteSpace(body.Status)) throw ApiProblemException.BadRequest("'status' is required: Completed, Error, Running or InProgress.");
        var tasks = http.Engine().Tasks;
        var source = ApiKeyAuthentication.Source(http) with { Via = "http+x4b" };
        var user = ApiKeyAuthentication.Principal(http).Identity;
        var outputs = body.OutputValues.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null ? (JsonElement?)null : body.OutputValues;
        object answer = body.Status.ToUpperInvariant() switch
        {
            "COMPLETED" => await tasks.CompleteAsync(null, body.TaskInstanceId, outputs ?? EmptyObject, source, user, http.RequestAborted),
            "ERROR" => await tasks.FailAsync(null, body.TaskInstanceId, new TaskError("Error", body.Message ?? "The task reported an error.", outputs), source, user, http.RequestAborted),
            "RUNNING" or "INPROGRESS" => await tasks.ReportProgressAsync(null, body.TaskInstanceId,
                new ProgressReport(body.ProgressPercentage, body.Message, outputs), source, user, http.RequestAborted),
            _ => throw ApiProblemException.BadRequest($"Unsupported status '{body.Status}': use Completed, Error, Running or InProgress."),
        };
        return Results.Json(answer, ApiJson.Options);
    }

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary>X4B's status body.</summary>
    internal sealed record TaskStatusBody(string? TaskInstanceId = null, string? Status = null, double? ProgressPercentage = null, string? Message = null, JsonElement Invariants = default, JsonElement OutputValues = default);
}
