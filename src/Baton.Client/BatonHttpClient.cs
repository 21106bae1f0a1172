using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Baton.Client;

/// <summary>
/// <see cref="IBatonClient"/> over the Baton REST API. Problems become the same typed exceptions the in-process client
/// throws (by their <c>code</c>); idempotent calls (reads, and completions, whose identical repeat is harmless) are
/// retried on transient errors.
/// </summary>
public sealed partial class BatonHttpClient : IBatonClient, IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly BatonHttpClientOptions _options;

    /// <summary>A client with its own <see cref="HttpClient"/>.</summary>
    public BatonHttpClient(BatonHttpClientOptions options)
        : this(new HttpClient { Timeout = Timeout.InfiniteTimeSpan }, options, ownsHttp: true)
    {
    }

    /// <summary>A client over <paramref name="http"/> (for example from IHttpClientFactory).</summary>
    public BatonHttpClient(HttpClient http, BatonHttpClientOptions options)
        : this(http, options, ownsHttp: false)
    {
    }

    private BatonHttpClient(HttpClient http, BatonHttpClientOptions options, bool ownsHttp)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _http = http;
        _ownsHttp = ownsHttp;
        _options = options;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }

    /// <inheritdoc/>
    public async Task<WorkflowStartResult> StartWorkflowAsync(StartWorkflowRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await SendAsync<WorkflowStartResult>(HttpMethod.Post, "api/workflows", request, idempotent: request.Id is not null, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task<WorkflowInfo> GetWorkflowAsync(string workflowId, CancellationToken cancellationToken = default) =>
        GetAsync<WorkflowInfo>($"api/workflows/{Escape(workflowId)}", cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<WorkflowHistoryEvent>> GetWorkflowHistoryAsync(string workflowId, CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<WorkflowHistoryEvent>>($"api/workflows/{Escape(workflowId)}/history", cancellationToken);

    /// <inheritdoc/>
    public Task<WorkflowInfo> WaitForWorkflowAsync(string workflowId, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        GetAsync<WorkflowInfo>($"api/workflows/{Escape(workflowId)}/result?wait={timeout.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)}ms", cancellationToken);

    /// <inheritdoc/>
    public Task<WorkflowPage> ListWorkflowsAsync(WorkflowQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return GetAsync<WorkflowPage>("api/workflows" + Query(
            ("state", query.State?.ToString()), ("workflow", query.Workflow), ("tag", query.Tag),
            ("limit", query.Limit.ToString(CultureInfo.InvariantCulture)), ("cursor", query.Cursor)), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<WorkflowInfo> CancelWorkflowAsync(string workflowId, string? reason = null, CancellationToken cancellationToken = default) =>
        SendAsync<WorkflowInfo>(HttpMethod.Post, $"api/workflows/{Escape(workflowId)}/cancel", reason is null ? null : new { reason }, idempotent: false, cancellationToken);

    /// <inheritdoc/>
    public Task<CompletionResult> CompleteDelegatedTaskAsync(string serviceName, string taskId, JsonElement result, CancellationToken cancellationToken = default) =>
        SendAsync<CompletionResult>(HttpMethod.Post, $"api/tasks/{Escape(serviceName)}/{Escape(taskId)}/complete", new { result }, idempotent: true, cancellationToken);

    /// <inheritdoc/>
    public Task<CompletionResult> CompleteDelegatedTaskAsync(string token, JsonElement result, CancellationToken cancellationToken = default) =>
        SendAsync<CompletionResult>(HttpMethod.Post, $"api/callbacks/{Escape(token)}", new { result }, idempotent: true, cancellationToken);

    /// <inheritdoc/>
    public Task<CompletionResult> FailDelegatedTaskAsync(string serviceName, string taskId, TaskError error, CancellationToken cancellationToken = default) =>
        SendAsync<CompletionResult>(HttpMethod.Post, $"api/tasks/{Escape(serviceName)}/{Escape(taskId)}/fail", new { error }, idempotent: true, cancellationToken);

    /// <inheritdoc/>
    public Task<CompletionResult> FailDelegatedTaskAsync(string token, TaskError error, CancellationToken cancellationToken = default) =>
        SendAsync<CompletionResult>(HttpMethod.Post, $"api/callbacks/{Escape(token)}/fail", new { error }, idempotent: true, cancellationToken);

    /// <inheritdoc/>
    public Task<TaskInfo> ReportProgressAsync(string serviceName, string taskId, ProgressReport progress, CancellationToken cancellationToken = default) =>
        SendAsync<TaskInfo>(HttpMethod.Post, $"api/tasks/{Escape(serviceName)}/{Escape(taskId)}/progress", progress, idempotent: false, cancellationToken);

    /// <inheritdoc/>
    public Task<TaskInfo> ReportProgressAsync(string token, ProgressReport progress, CancellationToken cancellationToken = default) =>
        SendAsync<TaskInfo>(HttpMethod.Post, $"api/callbacks/{Escape(token)}/progress", progress, idempotent: false, cancellationToken);

    /// <inheritdoc/>
    public Task<TaskInfo> RetryTaskAsync(string serviceName, string taskId, CancellationToken cancellationToken = default) =>
        SendAsync<TaskInfo>(HttpMethod.Post, $"api/tasks/{Escape(serviceName)}/{Escape(taskId)}/retry", null, idempotent: false, cancellationToken);

    /// <inheritdoc/>
    public Task<CompletionResult> TimeoutTaskAsync(string taskId, CancellationToken cancellationToken = default) =>
        SendAsync<CompletionResult>(HttpMethod.Post, $"api/tasks/{Escape(taskId)}/timeout", null, idempotent: true, cancellationToken);

    /// <inheritdoc/>
    public Task<TimeoutBetweenResult> TimeoutTasksBetweenAsync(DateTimeOffset? from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
        SendAsync<TimeoutBetweenResult>(HttpMethod.Post, "api/tasks/timeout-between", new { from, to }, idempotent: false, cancellationToken);

    /// <inheritdoc/>
    public Task<TaskDetails> GetTaskAsync(string taskId, CancellationToken cancellationToken = default) =>
        GetAsync<TaskDetails>($"api/tasks/{Escape(taskId)}", cancellationToken);

    /// <inheritdoc/>
    public Task<TaskPage> ListTasksAsync(TaskQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return GetAsync<TaskPage>("api/tasks" + Query(
            ("status", query.State?.ToString() ?? (query.OpenOnly ? "open" : null)), ("service", query.ServiceName), ("tag", query.Tag),
            ("workflow", query.WorkflowId), ("olderThan", query.OlderThan is { } age ? $"{age.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}s" : null),
            ("limit", query.Limit.ToString(CultureInfo.InvariantCulture)), ("cursor", query.Cursor),
            ("order", query.Order == TaskOrder.NewestFirst ? "newest" : "oldest")), cancellationToken);
    }

    /// <summary>Creates an API key (admin). The answer holds the secret, shown only this once.</summary>
    public Task<CreatedApiKey> CreateApiKeyAsync(string name, IReadOnlyList<string> roles, CancellationToken cancellationToken = default) =>
        SendAsync<CreatedApiKey>(HttpMethod.Post, "api/keys", new { name, roles }, idempotent: false, cancellationToken);

    /// <summary>Lists API keys (admin), never their secrets.</summary>
    public Task<IReadOnlyList<ApiKey>> ListApiKeysAsync(CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<ApiKey>>("api/keys", cancellationToken);

    /// <summary>Revokes an API key (admin).</summary>
    public Task<ApiKey> RevokeApiKeyAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync<ApiKey>(HttpMethod.Post, $"api/keys/{Escape(id)}/revoke", null, idempotent: true, cancellationToken);

    private Task<T> GetAsync<T>(string path, CancellationToken cancellationToken) =>
        SendAsync<T>(HttpMethod.Get, path, null, idempotent: true, cancellationToken);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, bool idempotent, CancellationToken cancellationToken)
    {
        var attempts = idempotent ? _options.MaxAttempts : 1;
        var delay = _options.RetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, new Uri(_options.BaseAddress!, path));
            if (_options.ApiKey is { } key) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            if (body is not null) request.Content = JsonContent.Create(body, body.GetType(), options: BatonJson.Options);
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException) when (attempt < attempts)
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay *= 2;
                continue;
            }
            using (response)
            {
                if (response.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout && attempt < attempts)
                {
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                    delay *= 2;
                    continue;
                }
                if (!response.IsSuccessStatusCode) throw await ProblemMapper.ToExceptionAsync(response, cancellationToken).ConfigureAwait(false);
                return (await response.Content.ReadFromJsonAsync<T>(ClientJson.Read, cancellationToken).ConfigureAwait(false))!;
            }
        }
    }

    private static string Escape(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        return Uri.EscapeDataString(value);
    }

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var parts = parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToList();
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }
}

/// <summary>An API key as listed by the server.</summary>
/// <param name="Id">Key id.</param>
/// <param name="Name">Principal name.</param>
/// <param name="Roles">Roles.</param>
/// <param name="CreatedAt">Creation time.</param>
/// <param name="RevokedAt">Revocation time, if revoked.</param>
public sealed record ApiKey(string Id, string Name, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt = null);

/// <summary>A created API key with its secret.</summary>
/// <param name="Key">The secret.</param>
/// <param name="Info">Its listing.</param>
public sealed record CreatedApiKey(string Key, ApiKey Info);
