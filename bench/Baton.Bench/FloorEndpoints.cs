using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Baton.Bench;

/// <summary>
/// Bench-only endpoints shaped like <c>POST /api/tasks/{service}/{taskId}/complete</c> (same route shape, the same body
/// parsed, a small JSON answer) that leave the store alone: <c>completion-load --endpoint echo</c> or <c>durable-echo</c>
/// measures against them the floor under the completion endpoint's latency on this machine, with the same load generator,
/// connections and server process.
/// <list type="bullet">
/// <item><c>/bench/echo/...</c>: answers at once. What is left is the loopback, Kestrel and the two processes' threads.</item>
/// <item><c>/bench/durable-echo/...</c>: answers once the body is on disk (<see cref="DurableLog"/>): the floor of a server
/// like this one that acknowledges only what is durable, on this disk.</item>
/// </list>
/// They skip the API-key check (a cached lookup), and the server child listens on loopback only.
/// </summary>
internal static class FloorEndpoints
{
    /// <summary>Maps <c>echo</c>, and <c>durable-echo</c> when there is a <paramref name="log"/> to write to.</summary>
    public static void Map(WebApplication app, DurableLog? log)
    {
        app.MapPost("/bench/echo/{service}/{taskId}/complete", async (HttpContext http, string taskId) =>
        {
            using var body = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            return Results.Json(new EchoAnswer(taskId, "Completed", body.RootElement.GetProperty("result").ValueKind.ToString()));
        });
        if (log is null) return;
        app.MapPost("/bench/durable-echo/{service}/{taskId}/complete", async (HttpContext http, string taskId) =>
        {
            using var body = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            await log.AppendAsync(JsonSerializer.SerializeToUtf8Bytes(body.RootElement));
            return Results.Json(new EchoAnswer(taskId, "Completed", body.RootElement.GetProperty("result").ValueKind.ToString()));
        });
    }

    private sealed record EchoAnswer(string TaskId, string Status, string Result);
}
