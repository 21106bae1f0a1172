using System.Globalization;
using System.Text.Json;

namespace Baton.Client;

/// <summary>The inbox of the API key's principal.</summary>
public sealed partial class BatonHttpClient : IUserTaskClient
{
    /// <inheritdoc/>
    public Task<UserTaskPage> GetInboxAsync(InboxQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return GetAsync<UserTaskPage>("api/inbox" + Query(
            ("spec", query.Spec), ("action", query.Action), ("minPriority", query.MinPriority?.ToString(CultureInfo.InvariantCulture)),
            ("dueBefore", query.DueBefore?.ToString("O", CultureInfo.InvariantCulture)), ("q", query.Text),
            ("claimed", query.Claimed.ToString()), ("all", query.All ? "true" : null), ("sort", query.Sort.ToString()),
            ("limit", query.Limit.ToString(CultureInfo.InvariantCulture)), ("cursor", query.Cursor)), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<UserTaskInfo> GetUserTaskAsync(string taskId, CancellationToken cancellationToken = default) =>
        GetAsync<UserTaskInfo>($"api/user-tasks/{Escape(taskId)}", cancellationToken);

    /// <inheritdoc/>
    public Task<UserTaskInfo> ClaimUserTaskAsync(string taskId, CancellationToken cancellationToken = default) =>
        SendAsync<UserTaskInfo>(HttpMethod.Post, $"api/user-tasks/{Escape(taskId)}/claim", null, idempotent: true, cancellationToken);

    /// <inheritdoc/>
    public Task<UserTaskInfo> UnclaimUserTaskAsync(string taskId, CancellationToken cancellationToken = default) =>
        SendAsync<UserTaskInfo>(HttpMethod.Post, $"api/user-tasks/{Escape(taskId)}/unclaim", null, idempotent: true, cancellationToken);

    /// <inheritdoc/>
    public Task<UserTaskInfo> ReassignUserTaskAsync(string taskId, UserTaskAssignment assignment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        return SendAsync<UserTaskInfo>(HttpMethod.Post, $"api/user-tasks/{Escape(taskId)}/assign", new { user = assignment.User, roles = assignment.Roles }, idempotent: true, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<CompletionResult> CompleteUserTaskAsync(string taskId, JsonElement data, CancellationToken cancellationToken = default) =>
        SendAsync<CompletionResult>(HttpMethod.Post, $"api/user-tasks/{Escape(taskId)}/complete", new { data }, idempotent: true, cancellationToken);
}
