using System.Text.Json;
using System.Text.Json.Serialization;

namespace Baton;

/// <summary>
/// A task for a person (StartTask): who may do it, what they see, and how long they have. Dispatched with
/// <see cref="Workflow.UserTask{TData}(UserTaskRequest)"/>, or started over HTTP as the built-in <c>UserTask</c> workflow
/// with the same members in JSON (<c>timeout</c> in milliseconds, <c>timeoutOn</c> in epoch milliseconds).
/// </summary>
public sealed record UserTaskRequest
{
    /// <summary>The service name user tasks are listed under in task listings and the generic task endpoints.</summary>
    public const string ServiceName = "UserTask";

    /// <summary>What the person sees as the task's title, e.g. "Approve expense report 42". Up to 200 characters.</summary>
    public required string Name { get; init; }

    /// <summary>The action the person takes, e.g. <c>Approve</c>; also the task's method name in task listings.</summary>
    public required string Action { get; init; }

    /// <summary>The kind of task (the process it belongs to), e.g. <c>expense_approval</c>; inbox filter. Default: the workflow's type name.</summary>
    public string? Spec { get; init; }

    /// <summary>The one user who may do it (an API key's principal name). At least this or <see cref="Roles"/> is required.</summary>
    public string? User { get; init; }

    /// <summary>Roles whose holders may do it (any one of them suffices).</summary>
    public IReadOnlyList<string>? Roles { get; init; }

    /// <summary>What the person needs to see to act (any JSON-serializable value; shown in the inbox).</summary>
    public object? Input { get; init; }

    /// <summary>
    /// Where to merge the submitted data into <see cref="Input"/> (a dot path such as <c>review</c> or <c>process.decision</c>);
    /// the workflow then reads both from <see cref="UserTaskResult{TData}.Input"/> (ProceedTask's "enrich").
    /// </summary>
    public string? EnrichPath { get; init; }

    /// <summary>Higher comes first when the inbox is sorted by priority. Default 0.</summary>
    public int Priority { get; init; }

    /// <summary>When the task should be done (informational: shown and sortable; <see cref="Timeout"/> enforces).</summary>
    [JsonConverter(typeof(FlexibleTimestampConverter))]
    public DateTimeOffset? DueAt { get; init; }

    /// <summary>When someone should look at the task again (informational).</summary>
    [JsonConverter(typeof(FlexibleTimestampConverter))]
    public DateTimeOffset? FollowUpAt { get; init; }

    /// <summary>Time from dispatch after which the task times out and the workflow sees <see cref="UserTaskOutcome.TimedOut"/> (milliseconds in JSON).</summary>
    [JsonConverter(typeof(MillisecondsConverter))]
    public TimeSpan? Timeout { get; init; }

    /// <summary>The moment the task times out (epoch milliseconds in JSON). When both this and <see cref="Timeout"/> are given, the earlier wins.</summary>
    [JsonConverter(typeof(FlexibleTimestampConverter))]
    public DateTimeOffset? TimeoutOn { get; init; }

    /// <summary>
    /// A JSON Schema the submitted data must match, for callers without a .NET type (the built-in <c>UserTask</c> workflow);
    /// with <see cref="Workflow.UserTask{TData}(UserTaskRequest)"/> the schema of <c>TData</c> is used and this must be null.
    /// </summary>
    public JsonElement? DataSchema { get; init; }

    /// <summary>Tags to find the task by.</summary>
    public IReadOnlyList<string>? Tags { get; init; }
}
