using System.Text.Json;

namespace Baton.Server.BuiltIns;

/// <summary>Input of the built-in <c>HttpCall</c> workflow.</summary>
/// <param name="Url">The absolute http(s) URL to call.</param>
/// <param name="Method">HTTP method. Default POST when a body is given, GET otherwise.</param>
/// <param name="Headers">Extra request headers.</param>
/// <param name="Body">JSON body to send.</param>
/// <param name="AutoComplete">True: the task completes when the call returns. False: the task is delegated and stays open until the called system completes it.</param>
/// <param name="TimeoutSeconds">Seconds to wait (for the call, or with autoComplete false for the completion); 0 = none. Default 30.</param>
/// <param name="X4bHeaders">Also send X4B Scenario's X-Scenario-TaskInstanceId, X-Scenario-WorkflowInstanceId and X-Scenario-TaskStatusUrl.</param>
public sealed record HttpCallInput(
    string Url,
    string? Method = null,
    IReadOnlyDictionary<string, string>? Headers = null,
    JsonElement? Body = null,
    bool AutoComplete = true,
    int TimeoutSeconds = 30,
    bool X4bHeaders = false);

/// <summary>The answer of an auto-completed HTTP call.</summary>
/// <param name="StatusCode">HTTP status code.</param>
/// <param name="Headers">Response headers (multiple values joined by a comma).</param>
/// <param name="Body">The body: JSON when it parses as JSON, otherwise a string; null when empty.</param>
public sealed record HttpCallResult(int StatusCode, IReadOnlyDictionary<string, string> Headers, JsonElement? Body);

/// <summary>The HTTP task: one service with an auto-completed and a delegated method.</summary>
[Service("Http")]
public interface IHttpCallService
{
    /// <summary>Calls the URL and completes with its answer.</summary>
    [Retry(MaxAttempts = 1)]
    Task<HttpCallResult> CallAsync(HttpCallInput input);

    /// <summary>Calls the URL, then waits for the called system to complete the task through any completion endpoint.</summary>
    [Delegated]
    Task<JsonElement> CallAndWaitAsync(HttpCallInput input);
}

/// <summary>The built-in <c>HttpCall</c> workflow: one HTTP task; its result is the task's result.</summary>
[Workflow("HttpCall")]
public sealed class HttpCallWorkflow : Workflow<HttpCallInput, JsonElement>
{
    /// <inheritdoc/>
    protected override async Task<JsonElement> RunAsync(HttpCallInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        TimeSpan? timeout = input.TimeoutSeconds > 0 ? TimeSpan.FromSeconds(input.TimeoutSeconds) : null;
        if (input.AutoComplete)
        {
            var answer = await Dispatch<IHttpCallService, HttpCallResult>(s => s.CallAsync(input), new DispatchOptions { HandlerTimeout = timeout + TimeSpan.FromSeconds(10) });
            return BatonJson.ToElement(answer);
        }
        return await Dispatch<IHttpCallService, JsonElement>(s => s.CallAndWaitAsync(input), new DispatchOptions { CompleteWithin = timeout });
    }
}
