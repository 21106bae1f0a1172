namespace Baton;

/// <summary>
/// The retry policy for a handler that throws, on a method or on the whole service interface.
/// The task keeps its <c>TaskId</c> across attempts, so external systems can use it as an idempotency key.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Interface, Inherited = false)]
public sealed class RetryAttribute : Attribute
{
    /// <summary>Total attempts including the first; 1 disables retries. Default 5.</summary>
    public int MaxAttempts { get; set; } = RetryPolicy.Default.MaxAttempts;

    /// <summary>Delay before the second attempt, as invariant <see cref="TimeSpan"/> text. Default one second.</summary>
    public string InitialInterval { get; set; } = "00:00:01";

    /// <summary>Factor applied to the delay after each attempt. Default 2.</summary>
    public double BackoffCoefficient { get; set; } = RetryPolicy.Default.BackoffCoefficient;

    /// <summary>Upper bound of the delay, as invariant <see cref="TimeSpan"/> text. Default five minutes.</summary>
    public string MaxInterval { get; set; } = "00:05:00";

    /// <summary>Exception types (and their subclasses) that fail the task at once instead of retrying.</summary>
    public Type[] NonRetryable { get; set; } = [];

    /// <summary>The equivalent policy object.</summary>
    public RetryPolicy ToPolicy() => new()
    {
        MaxAttempts = MaxAttempts,
        InitialInterval = DurationText.Parse(InitialInterval, nameof(InitialInterval)),
        BackoffCoefficient = BackoffCoefficient,
        MaxInterval = DurationText.Parse(MaxInterval, nameof(MaxInterval)),
        NonRetryableExceptionTypes = NonRetryable,
    };
}
