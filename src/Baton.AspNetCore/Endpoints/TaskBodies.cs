using System.Text.Json;
using Baton.AspNetCore.Http;

namespace Baton.AspNetCore.Endpoints;

/// <summary>Body of a complete call: <c>{"result": ...}</c>.</summary>
internal sealed record CompleteBody(JsonElement Result = default)
{
    public JsonElement RequireResult() =>
        Result.ValueKind == JsonValueKind.Undefined ? throw ApiProblemException.BadRequest("'result' is required (it may be null).") : Result;
}

/// <summary>Body of a fail call: <c>{"error": {"type", "message", "details"}}</c>.</summary>
internal sealed record FailBody(ErrorBody? Error = null)
{
    public TaskError RequireError()
    {
        if (Error is null) throw ApiProblemException.BadRequest("'error' is required: {\"type\", \"message\", \"details\"}.");
        if (string.IsNullOrWhiteSpace(Error.Type)) throw ApiProblemException.BadRequest("'error.type' is required.");
        if (Error.Message is null) throw ApiProblemException.BadRequest("'error.message' is required.");
        return new TaskError(Error.Type, Error.Message, Error.Details);
    }
}

/// <summary>The error of a fail call.</summary>
internal sealed record ErrorBody(string? Type = null, string? Message = null, JsonElement? Details = null);

/// <summary>Body of a progress call.</summary>
internal sealed record ProgressBody(double? Percent = null, string? Message = null, JsonElement? Details = null)
{
    public ProgressReport ToReport() => new(Percent, Message, Details);
}

/// <summary>Body of <c>POST /api/tasks/timeout-between</c>.</summary>
internal sealed record TimeoutBetweenBody(DateTimeOffset? From = null, DateTimeOffset? To = null);
