using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Baton.Engine.Hosting;
using Baton.Engine.Storage;

namespace Baton.Server.BuiltIns;

/// <summary>Runs HTTP tasks with <see cref="IHttpClientFactory"/>; every request names its task and callback URL.</summary>
internal sealed class HttpCallService(IHttpClientFactory clients, ServerAddress address, BatonEngine engine) : IHttpCallService
{
    public const string ClientName = "Baton.HttpCall";

    public async Task<HttpCallResult> CallAsync(HttpCallInput input)
    {
        var context = TaskContext.Current ?? throw new InvalidOperationException("HTTP tasks run inside Baton.");
        HttpResponseMessage sent;
        try
        {
            sent = await SendAsync(input, context).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            // An unanswered call ends the task TimedOut (not Failed), as the delegated mode's deadline does; the
            // handler's own failure that follows is then superseded.
            await engine.Tasks.TimeoutAsync(context.TaskId, new AuditSource("system", "http-task"), e.Message, context.CancellationToken).ConfigureAwait(false);
            throw;
        }
        using var response = sent;
        var headers = response.Headers.Concat(response.Content.Headers)
            .ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
        var text = await response.Content.ReadAsStringAsync(context.CancellationToken).ConfigureAwait(false);
        return new HttpCallResult((int)response.StatusCode, headers, BodyOf(text));
    }

    public async Task<JsonElement> CallAndWaitAsync(HttpCallInput input)
    {
        var context = TaskContext.Current ?? throw new InvalidOperationException("HTTP tasks run inside Baton.");
        using var response = await SendAsync(input, context).ConfigureAwait(false);
        // The called system did not accept the request: the handler fails and the task's retry policy decides.
        response.EnsureSuccessStatusCode();
        return default;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpCallInput input, TaskContext context)
    {
        if (!Uri.TryCreate(input.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            throw new ArgumentException($"'{input.Url}' is not an absolute http(s) URL.");
        var method = new HttpMethod(input.Method ?? (input.Body is null ? "GET" : "POST"));
        using var request = new HttpRequestMessage(method, url);
        if (input.Body is { } body)
            request.Content = new StringContent(body.GetRawText(), Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        foreach (var (name, value) in input.Headers ?? new Dictionary<string, string>())
        {
            if (!request.Headers.TryAddWithoutValidation(name, value)) request.Content?.Headers.TryAddWithoutValidation(name, value);
        }
        var callbackUrl = context.CallbackUrl?.AbsoluteUri ?? address.CallbackUrl(context.Token);
        request.Headers.TryAddWithoutValidation("X-Baton-Task-Id", context.TaskId);
        request.Headers.TryAddWithoutValidation("X-Baton-Callback-Url", callbackUrl);
        if (input.X4bHeaders)
        {
            request.Headers.TryAddWithoutValidation("X-Scenario-TaskInstanceId", context.TaskId);
            request.Headers.TryAddWithoutValidation("X-Scenario-WorkflowInstanceId", context.WorkflowId);
            request.Headers.TryAddWithoutValidation("X-Scenario-TaskStatusUrl", $"{address.BaseUrl}/api/task-statuses");
        }
        var client = clients.CreateClient(ClientName);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        if (input.AutoComplete && input.TimeoutSeconds > 0) timeout.CancelAfter(TimeSpan.FromSeconds(input.TimeoutSeconds));
        try
        {
            return await client.SendAsync(request, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{method} {url} did not answer within {input.TimeoutSeconds} seconds.");
        }
    }

    private static JsonElement? BodyOf(string text)
    {
        if (text.Length == 0) return null;
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return BatonJson.ToElement(text);
        }
    }
}
