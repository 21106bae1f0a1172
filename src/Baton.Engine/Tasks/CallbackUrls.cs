namespace Baton.Engine.Tasks;

/// <summary>Builds a task's callback URL (<c>{PublicBaseUrl}/api/callbacks/{token}</c>) when a public base URL is configured.</summary>
internal sealed class CallbackUrls(Uri? publicBaseUrl)
{
    public Uri? For(string taskId, TaskTokenService tokens) =>
        publicBaseUrl is null ? null : new Uri($"{publicBaseUrl.AbsoluteUri.TrimEnd('/')}/api/callbacks/{tokens.Issue(taskId)}");
}
