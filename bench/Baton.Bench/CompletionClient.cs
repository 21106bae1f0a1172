using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Baton.Bench;

/// <summary>
/// A lean loopback client for <c>POST /api/tasks/{service}/{taskId}/complete</c>: one pooled <see cref="SocketsHttpHandler"/>
/// (HTTP/1.1 keep-alive, no proxy, no cookies, no redirects), the bearer header built once, bodies as raw UTF-8 bytes.
/// </summary>
internal sealed class CompletionClient : ICompletionSender
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly HttpClient _http;
    private readonly string _prefix;

    /// <summary>A client of the server at <paramref name="baseUrl"/> with <paramref name="apiKey"/>, up to <paramref name="connections"/> connections.</summary>
    /// <param name="baseUrl">The server's address.</param>
    /// <param name="apiKey">Sent as the bearer token of every request.</param>
    /// <param name="connections">The pool's limit.</param>
    /// <param name="prefix">Where the completion route starts: <c>/api/tasks</c>, or one of the bench's <see cref="FloorEndpoints"/>.</param>
    public CompletionClient(Uri baseUrl, string apiKey, int connections, string prefix = "/api/tasks")
    {
        _prefix = prefix;
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        _http = new HttpClient(handler) { BaseAddress = baseUrl, Timeout = TimeSpan.FromMinutes(5) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
    }

    public HttpClient Http => _http;

    /// <summary>Completes a DRT task with <c>{"result":{"approved":true,"n":n}}</c>; returns the status code.</summary>
    public async Task<HttpStatusCode> CompleteAsync(string service, string taskId, int n)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{_prefix}/{service}/{taskId}/complete")
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes("{\"result\":{\"approved\":true,\"n\":" + n.ToString(CultureInfo.InvariantCulture) + "}}")),
        };
        request.Content.Headers.ContentType = Json;
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead).ConfigureAwait(false);
        return response.StatusCode;
    }

    public void Dispose() => _http.Dispose();
}
