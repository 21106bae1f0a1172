using System.Text.Json;

namespace Baton.Server.BuiltIns;

/// <summary>
/// The built-in <c>UserTask</c> workflow (StartTask over HTTP): its input is a <see cref="UserTaskRequest"/> in JSON
/// (<c>timeout</c> in milliseconds, <c>timeoutOn</c> in epoch milliseconds, an optional <c>dataSchema</c>), and its result
/// says whether a person completed it (<c>outcome: Completed</c>, with <c>data</c> and the enriched <c>input</c>) or it
/// timed out (<c>outcome: TimedOut</c>) so the caller can escalate.
/// </summary>
[Workflow("UserTask")]
public sealed class UserTaskWorkflow : Workflow<UserTaskRequest, UserTaskResult<JsonElement>>
{
    /// <inheritdoc/>
    protected override async Task<UserTaskResult<JsonElement>> RunAsync(UserTaskRequest input) =>
        await UserTask<JsonElement>(input);
}
