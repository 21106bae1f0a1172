using Microsoft.AspNetCore.Http;

namespace Baton.AspNetCore.Http;

/// <summary>A caller's mistake found by the HTTP layer itself (credentials, body, query), answered as a problem.</summary>
internal sealed class ApiProblemException(int status, string code, string message) : Exception(message)
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public static ApiProblemException BadRequest(string message) => new(StatusCodes.Status400BadRequest, BatonErrorCodes.InvalidArgument, message);

    public static ApiProblemException Malformed(string message) => new(StatusCodes.Status400BadRequest, BatonErrorCodes.MalformedRequest, message);
}
