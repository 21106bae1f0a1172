using System.Text.Json;
using Baton.AspNetCore.Http;
using Baton.AspNetCore.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Baton.AspNetCore.Endpoints;

/// <summary>Start, watch, wait for and cancel workflows.</summary>
internal static class WorkflowEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var workflows = api.MapGroup("/workflows").WithTags("Workflows");
        workflows.MapPost("/", (Delegate)StartAsync).RequirePermission(BatonPermission.StartWorkflows)
            .WithSummary("Start a workflow (an existing id with the same input returns the same instance)")
            .Produces<WorkflowStartResult>(201).Produces<WorkflowStartResult>();
        workflows.MapGet("/", (Delegate)ListAsync).RequirePermission(BatonPermission.ReadWorkflows)
            .WithSummary("List workflows, newest first").Produces<WorkflowPage>();
        workflows.MapGet("/{id}", (Delegate)GetAsync).RequirePermission(BatonPermission.ReadWorkflows)
            .WithSummary("A workflow's status with its open tasks").Produces<WorkflowInfo>();
        workflows.MapGet("/{id}/history", (Delegate)HistoryAsync).RequirePermission(BatonPermission.ReadWorkflows)
            .WithSummary("A workflow's full history").Produces<IReadOnlyList<WorkflowHistoryEvent>>();
        workflows.MapGet("/{id}/result", (Delegate)ResultAsync).RequirePermission(BatonPermission.ReadWorkflows)
            .WithSummary("Long-poll a workflow's result: ?wait=30s").Produces<WorkflowInfo>();
        workflows.MapPost("/{id}/cancel", (Delegate)CancelAsync).RequirePermission(BatonPermission.StartWorkflows)
            .WithSummary("Cancel a workflow; its open tasks become Canceled").Produces<WorkflowInfo>();
    }

    private static async Task<IResult> StartAsync(HttpContext http)
    {
        var body = await RequestBody.ReadAsync<StartBody>(http, http.BodyLimit());
        if (string.IsNullOrWhiteSpace(body.Workflow)) throw ApiProblemException.BadRequest("'workflow' is required.");
        var started = await http.Client().StartWorkflowAsync(new StartWorkflowRequest
        {
            Workflow = body.Workflow, Input = body.Input, Id = body.Id, Tags = body.Tags, Meta = body.Meta,
        }, http.RequestAborted);
        return started.AlreadyExisted
            ? Results.Json(started, ApiJson.Options)
            : Results.Json(started, ApiJson.Options, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListAsync(HttpContext http)
    {
        var page = await http.Client().ListWorkflowsAsync(new WorkflowQuery
        {
            State = QueryText.Enum<WorkflowState>(http, "state") ?? QueryText.Enum<WorkflowState>(http, "status"),
            Workflow = QueryText.String(http, "workflow"),
            Tag = QueryText.String(http, "tag"),
            Limit = QueryText.Int(http, "limit", 1, 500) ?? 50,
            Cursor = QueryText.String(http, "cursor"),
        }, http.RequestAborted);
        return Results.Json(page, ApiJson.Options);
    }

    private static async Task<IResult> GetAsync(HttpContext http, string id) =>
        Results.Json(await http.Client().GetWorkflowAsync(id, http.RequestAborted), ApiJson.Options);

    private static async Task<IResult> HistoryAsync(HttpContext http, string id) =>
        Results.Json(await http.Client().GetWorkflowHistoryAsync(id, http.RequestAborted), ApiJson.Options);

    private static async Task<IResult> ResultAsync(HttpContext http, string id)
    {
        var max = http.RequestServices.GetRequiredService<IOptions<BatonApiOptions>>().Value.MaxResultWait;
        var wait = QueryText.Duration(http, "wait", max) ?? TimeSpan.Zero;
        return Results.Json(await http.Client().WaitForWorkflowAsync(id, wait, http.RequestAborted), ApiJson.Options);
    }

    private static async Task<IResult> CancelAsync(HttpContext http, string id)
    {
        var body = await RequestBody.ReadOptionalAsync<CancelBody>(http, http.BodyLimit());
        return Results.Json(await http.Client().CancelWorkflowAsync(id, body?.Reason, http.RequestAborted), ApiJson.Options);
    }

    /// <summary>Body of <c>POST /api/workflows</c>.</summary>
    internal sealed record StartBody(string? Workflow = null, JsonElement? Input = null, string? Id = null, IReadOnlyList<string>? Tags = null, IReadOnlyDictionary<string, string>? Meta = null);

    /// <summary>Optional body of <c>POST /api/workflows/{id}/cancel</c>.</summary>
    internal sealed record CancelBody(string? Reason = null);
}
