using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Baton.AspNetCore.Http;

/// <summary>Maps every error a caller can cause to an RFC 7807 problem with a stable <c>code</c> member.</summary>
internal static class Problems
{
    public const string ContentType = "application/problem+json";

    /// <summary>The HTTP status of a Baton error code.</summary>
    public static int StatusOf(string code) => code switch
    {
        BatonErrorCodes.TaskNotFound or BatonErrorCodes.WorkflowNotFound or BatonErrorCodes.WorkflowTypeUnknown
            or BatonErrorCodes.ApiKeyNotFound => StatusCodes.Status404NotFound,
        BatonErrorCodes.WorkflowIdConflict or BatonErrorCodes.TaskOutcomeConflict or BatonErrorCodes.TaskWrongState
            or BatonErrorCodes.WorkflowWrongState or BatonErrorCodes.TaskNotDelegated or BatonErrorCodes.WorkflowFailed
            or BatonErrorCodes.WorkflowCanceled or BatonErrorCodes.NonDeterminism or BatonErrorCodes.UserTaskClaimed => StatusCodes.Status409Conflict,
        BatonErrorCodes.ResultInvalid or BatonErrorCodes.InputInvalid => StatusCodes.Status422UnprocessableEntity,
        BatonErrorCodes.PayloadTooLarge => StatusCodes.Status413PayloadTooLarge,
        BatonErrorCodes.TokenInvalid or BatonErrorCodes.TokenExpired or BatonErrorCodes.Unauthenticated => StatusCodes.Status401Unauthorized,
        BatonErrorCodes.Forbidden or BatonErrorCodes.UserTaskNotAssigned => StatusCodes.Status403Forbidden,
        _ => StatusCodes.Status400BadRequest,
    };

    /// <summary>The problem for an exception, or null when it is not a caller's mistake (a genuine server fault).</summary>
    public static IResult? For(Exception exception) => exception switch
    {
        ApiProblemException api => Create(api.Status, api.Code, api.Message),
        BatonException baton => ForBaton(baton),
        BadHttpRequestException bad => Create(bad.StatusCode,
            bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? BatonErrorCodes.PayloadTooLarge : BatonErrorCodes.MalformedRequest, bad.Message),
        JsonException json => Create(StatusCodes.Status400BadRequest, BatonErrorCodes.MalformedRequest, JsonMessage(json)),
        ArgumentException argument => Create(StatusCodes.Status400BadRequest, BatonErrorCodes.InvalidArgument, argument.Message),
        _ => null,
    };

    /// <summary>A problem result.</summary>
    public static IResult Create(int status, string code, string detail, IDictionary<string, object?>? extensions = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["type"] = $"https://baton.dev/problems/{code.Replace('_', '-')}",
            ["title"] = TitleOf(status),
            ["status"] = status,
            ["detail"] = detail,
            ["code"] = code,
        };
        if (extensions is not null)
        {
            foreach (var (key, value) in extensions) body[key] = value;
        }
        return Results.Json(body, ApiJson.Options, ContentType, status);
    }

    private static IResult ForBaton(BatonException exception)
    {
        var extensions = new Dictionary<string, object?>();
        switch (exception)
        {
            case TaskNotFoundException notFound:
                extensions["taskId"] = notFound.TaskId;
                extensions["serviceName"] = notFound.ServiceName;
                break;
            case WorkflowNotFoundException notFound:
                extensions["workflowId"] = notFound.WorkflowId;
                break;
            case UnknownWorkflowTypeException unknown:
                extensions["workflow"] = unknown.WorkflowName;
                break;
            case TaskOutcomeConflictException conflict:
                extensions["taskId"] = conflict.TaskId;
                extensions["state"] = conflict.Recorded.State;
                extensions["recorded"] = conflict.Recorded;
                break;
            case TaskWrongStateException wrong:
                extensions["taskId"] = wrong.TaskId;
                extensions["state"] = wrong.State;
                break;
            case WorkflowWrongStateException wrong:
                extensions["workflowId"] = wrong.WorkflowId;
                extensions["state"] = wrong.State;
                break;
            case TaskNotDelegatedException notDelegated:
                extensions["taskId"] = notDelegated.TaskId;
                break;
            case WorkflowIdConflictException conflict:
                extensions["workflowId"] = conflict.WorkflowId;
                extensions["existingWorkflow"] = conflict.ExistingWorkflowName;
                break;
            case PayloadValidationException invalid:
                extensions["errors"] = invalid.Errors;
                break;
            case UserTaskNotAssignedException notAssigned:
                extensions["taskId"] = notAssigned.TaskId;
                extensions["user"] = notAssigned.UserId;
                break;
            case UserTaskClaimedException claimed:
                extensions["taskId"] = claimed.TaskId;
                extensions["claimedBy"] = claimed.ClaimedBy;
                break;
            case PayloadTooLargeException tooLarge:
                extensions["size"] = tooLarge.Size;
                extensions["limit"] = tooLarge.Limit;
                break;
        }
        return Create(StatusOf(exception.ErrorCode), exception.ErrorCode, exception.Message, extensions);
    }

    private static string JsonMessage(JsonException exception) =>
        exception.Path is { Length: > 0 } path ? $"The request body is not valid at {path}: {FirstLine(exception.Message)}" : $"The request body is not valid JSON: {FirstLine(exception.Message)}";

    private static string FirstLine(string text)
    {
        var end = text.IndexOf(" Path:", StringComparison.Ordinal);
        return end > 0 ? text[..end] : text;
    }

    private static string TitleOf(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        413 => "Payload Too Large",
        422 => "Unprocessable Entity",
        _ => "Error",
    };
}
