using System.Net.Http.Json;
using System.Text.Json;

namespace Baton.Server.BuiltIns;

/// <summary>The delegated task of the built-in <c>Delegate</c> workflow.</summary>
[Service("Delegate")]
public interface IDelegateService
{
    /// <summary>Announces the task to the input's <c>webhookUrl</c> (if any) and waits for its completion.</summary>
    [Delegated]
    Task<JsonElement> AwaitAsync(JsonElement input);
}

/// <summary>
/// The built-in <c>Delegate</c> workflow: one delegated task carrying any JSON input; the workflow's result is the
/// completion's result and its failure the completion's error.
/// </summary>
[Workflow("Delegate")]
public sealed class DelegateWorkflow : Workflow<JsonElement, JsonElement>
{
    /// <inheritdoc/>
    protected override async Task<JsonElement> RunAsync(JsonElement input) =>
        await Dispatch<IDelegateService, JsonElement>(s => s.AwaitAsync(input));
}

/// <summary>Posts <c>{taskId, workflowId, callbackUrl, input}</c> to the webhook when one is given.</summary>
internal sealed class DelegateService(IHttpClientFactory clients, ServerAddress address) : IDelegateService
{
    public async Task<JsonElement> AwaitAsync(JsonElement input)
    {
        var context = TaskContext.Current ?? throw new InvalidOperationException("Delegated tasks run inside Baton.");
        if (input.ValueKind == JsonValueKind.Object && input.TryGetProperty("webhookUrl", out var hook) && hook.ValueKind == JsonValueKind.String
            && Uri.TryCreate(hook.GetString(), UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
        {
            var callbackUrl = context.CallbackUrl?.AbsoluteUri ?? address.CallbackUrl(context.Token);
            using var request = new HttpRequestMessage(HttpMethod.Post, url)
            {
                Content = JsonContent.Create(new { taskId = context.TaskId, workflowId = context.WorkflowId, callbackUrl, input }),
            };
            request.Headers.TryAddWithoutValidation("X-Baton-Task-Id", context.TaskId);
            request.Headers.TryAddWithoutValidation("X-Baton-Callback-Url", callbackUrl);
            using var response = await clients.CreateClient(HttpCallService.ClientName).SendAsync(request, context.CancellationToken).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
        }
        return default;
    }
}
