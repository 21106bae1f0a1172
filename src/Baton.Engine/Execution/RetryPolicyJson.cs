using System.Text.Json;

namespace Baton.Engine.Execution;

/// <summary>Stores a per-dispatch retry policy with the task; exception types by assembly-qualified name.</summary>
internal static class RetryPolicyJson
{
    public static string Serialize(RetryPolicy policy) => JsonSerializer.Serialize(new Stored(
        policy.MaxAttempts, policy.InitialInterval, policy.BackoffCoefficient, policy.MaxInterval,
        [.. policy.NonRetryableExceptionTypes.Select(t => t.AssemblyQualifiedName!)]), BatonJson.Options);

    public static RetryPolicy? Deserialize(string? json)
    {
        if (json is null) return null;
        var stored = JsonSerializer.Deserialize<Stored>(json, BatonJson.Options)!;
        return new RetryPolicy
        {
            MaxAttempts = stored.MaxAttempts,
            InitialInterval = stored.InitialInterval,
            BackoffCoefficient = stored.BackoffCoefficient,
            MaxInterval = stored.MaxInterval,
            NonRetryableExceptionTypes = [.. stored.NonRetryable.Select(n => Type.GetType(n, throwOnError: false)).OfType<Type>()],
        };
    }

    private sealed record Stored(int MaxAttempts, TimeSpan InitialInterval, double BackoffCoefficient, TimeSpan MaxInterval, string[] NonRetryable);
}
