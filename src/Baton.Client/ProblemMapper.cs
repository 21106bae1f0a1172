using System.Net.Http.Json;
using System.Text.Json;

namespace Baton.Client;

/// <summary>Turns an RFC 7807 problem into the typed exception of its <c>code</c>.</summary>
internal static class ProblemMapper
{
    public static async Task<Exception> ToExceptionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        JsonElement problem;
        try
        {
            problem = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return new HttpRequestException($"Baton answered {(int)response.StatusCode} {response.ReasonPhrase} without a problem document.", null, response.StatusCode);
        }
        if (problem.ValueKind != JsonValueKind.Object || String(problem, "code") is not { } code)
            return new HttpRequestException($"Baton answered {(int)response.StatusCode} {response.ReasonPhrase}.", null, response.StatusCode);
        var detail = String(problem, "detail") ?? code;
        return code switch
        {
            BatonErrorCodes.TaskNotFound => new TaskNotFoundException(String(problem, "serviceName"), String(problem, "taskId") ?? ""),
            BatonErrorCodes.WorkflowNotFound => new WorkflowNotFoundException(String(problem, "workflowId") ?? ""),
            BatonErrorCodes.WorkflowIdConflict => new WorkflowIdConflictException(String(problem, "workflowId") ?? "", String(problem, "existingWorkflow") ?? ""),
            BatonErrorCodes.TaskOutcomeConflict when problem.TryGetProperty("recorded", out var recorded) =>
                new TaskOutcomeConflictException(String(problem, "taskId") ?? "", recorded.Deserialize<TaskOutcome>(ClientJson.Read)!),
            BatonErrorCodes.TaskWrongState when Enum.TryParse<TaskState>(String(problem, "state"), out var state) =>
                new TaskWrongStateException(String(problem, "taskId") ?? "", state, "changed"),
            BatonErrorCodes.WorkflowWrongState when Enum.TryParse<WorkflowState>(String(problem, "state"), out var state) =>
                new WorkflowWrongStateException(String(problem, "workflowId") ?? "", state, "changed"),
            BatonErrorCodes.TaskNotDelegated => new TaskNotDelegatedException(String(problem, "taskId") ?? ""),
            BatonErrorCodes.ResultInvalid or BatonErrorCodes.InputInvalid => new PayloadValidationException(code, detail,
                problem.TryGetProperty("errors", out var errors) ? errors.Deserialize<List<FieldError>>(ClientJson.Read) ?? [] : []),
            BatonErrorCodes.PayloadTooLarge => new PayloadTooLargeException("The payload",
                problem.TryGetProperty("size", out var size) && size.TryGetInt64(out var s) ? s : 0,
                problem.TryGetProperty("limit", out var limit) && limit.TryGetInt64(out var l) ? l : 0),
            BatonErrorCodes.TokenInvalid or BatonErrorCodes.TokenExpired => new InvalidTaskTokenException(code, detail),
            BatonErrorCodes.UserTaskClaimed => new UserTaskClaimedException(String(problem, "taskId") ?? "", String(problem, "claimedBy") ?? ""),
            BatonErrorCodes.UserTaskNotAssigned => new UserTaskNotAssignedException(String(problem, "taskId") ?? "", String(problem, "user") ?? "", "changed"),
            _ => new BatonException(code, detail),
        };
    }

    private static string? String(JsonElement problem, string name) =>
        problem.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
