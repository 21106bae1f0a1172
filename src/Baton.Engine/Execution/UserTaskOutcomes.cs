using System.Text.Json;
using Baton.Engine.Serialization;
using Baton.Engine.UserTasks;

namespace Baton.Engine.Execution;

/// <summary>Turns a user task's outcome events into the <see cref="UserTaskResult{TData}"/> its workflow awaits.</summary>
internal interface IUserTaskOutcomes
{
    object Completed(string? payload, PayloadCodec codec);

    /// <summary>A timeout is a result to branch on (the reference's <c>TIMEOUT</c>), not an exception.</summary>
    object TimedOut(string reason);
}

internal sealed class UserTaskOutcomes<TData>(string inputJson) : IUserTaskOutcomes
{
    public object Completed(string? payload, PayloadCodec codec) => UserTaskEnvelope.Read<TData>(payload, codec);

    public object TimedOut(string reason)
    {
        using var input = JsonDocument.Parse(inputJson);
        return new UserTaskResult<TData> { Outcome = UserTaskOutcome.TimedOut, Input = input.RootElement.Clone(), TimeoutReason = reason };
    }
}
