using System.Text.Json;

namespace Baton;

/// <summary>Why a task failed: a stable type the workflow can branch on, a human message and optional details.</summary>
/// <param name="Type">Short machine-readable kind, e.g. <c>"Rejected"</c> or an exception type name.</param>
/// <param name="Message">Human-readable explanation.</param>
/// <param name="Details">Optional structured data.</param>
public sealed record TaskError(string Type, string Message, JsonElement? Details = null)
{
    /// <summary>Whether two errors describe the same outcome (same type, message and details).</summary>
    public bool SameAs(TaskError? other) =>
        other is not null
        && string.Equals(Type, other.Type, StringComparison.Ordinal)
        && string.Equals(Message, other.Message, StringComparison.Ordinal)
        && (Details is null ? other.Details is null : other.Details is not null && JsonElement.DeepEquals(Details.Value, other.Details.Value));
}
