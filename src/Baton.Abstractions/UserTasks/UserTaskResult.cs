using System.Text.Json;
using System.Text.Json.Serialization;

namespace Baton;

/// <summary>How a user task ended, as its workflow sees it.</summary>
public enum UserTaskOutcome
{
    /// <summary>A person submitted the data (the reference's <c>COMPLETED</c>).</summary>
    Completed,

    /// <summary>Nobody acted before the timeout, or it was timed out by hand (the reference's <c>TIMEOUT</c>): escalate.</summary>
    TimedOut,
}

/// <summary>
/// What a workflow gets back from <see cref="Workflow.UserTask{TData}(UserTaskRequest)"/>: the submitted data, or a
/// timeout to branch on. A failed or canceled user task throws as any task does.
/// </summary>
/// <typeparam name="TData">The data the person submits; validated before it is accepted.</typeparam>
public sealed record UserTaskResult<TData>
{
    /// <summary>Completed or timed out.</summary>
    public required UserTaskOutcome Outcome { get; init; }

    /// <summary>The submitted data (default when timed out, and then left out of JSON).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public TData? Data { get; init; }

    /// <summary>The task's input, with the submitted data merged in at the request's <see cref="UserTaskRequest.EnrichPath"/> when one was given.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public JsonElement Input { get; init; }

    /// <summary>Who submitted the data.</summary>
    public string? CompletedBy { get; init; }

    /// <summary>Why it timed out (deadline, manual timeout, timeout-between).</summary>
    public string? TimeoutReason { get; init; }

    /// <summary>Whether the person submitted the data.</summary>
    [JsonIgnore]
    public bool IsCompleted => Outcome == UserTaskOutcome.Completed;

    /// <summary>Whether it timed out.</summary>
    [JsonIgnore]
    public bool IsTimedOut => Outcome == UserTaskOutcome.TimedOut;

    /// <summary>The (enriched) input read as <typeparamref name="T"/>.</summary>
    public T? InputAs<T>() => Input.ValueKind == JsonValueKind.Undefined ? default : Input.Deserialize<T>(BatonJson.Options);
}
