namespace Baton;

/// <summary>Exponential-backoff retry policy for task handlers that throw.</summary>
public sealed record RetryPolicy
{
    /// <summary>Five attempts, one second doubling up to five minutes, every exception retryable.</summary>
    public static RetryPolicy Default { get; } = new();

    /// <summary>A single attempt: the first exception fails the task.</summary>
    public static RetryPolicy None { get; } = new() { MaxAttempts = 1 };

    /// <summary>Total attempts including the first. Must be at least 1.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Delay before the second attempt. Must not be negative.</summary>
    public TimeSpan InitialInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Factor applied to the delay after each attempt. Must be at least 1.</summary>
    public double BackoffCoefficient { get; init; } = 2.0;

    /// <summary>Upper bound of the delay.</summary>
    public TimeSpan MaxInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Exception types (and subclasses) that fail the task without retrying.</summary>
    public IReadOnlyList<Type> NonRetryableExceptionTypes { get; init; } = [];

    /// <summary>Throws <see cref="ArgumentException"/> when a value is out of range.</summary>
    public void Validate()
    {
        if (MaxAttempts < 1) throw new ArgumentException("MaxAttempts must be at least 1.", nameof(MaxAttempts));
        if (InitialInterval < TimeSpan.Zero) throw new ArgumentException("InitialInterval must not be negative.", nameof(InitialInterval));
        if (BackoffCoefficient < 1) throw new ArgumentException("BackoffCoefficient must be at least 1.", nameof(BackoffCoefficient));
        if (MaxInterval < InitialInterval) throw new ArgumentException("MaxInterval must not be below InitialInterval.", nameof(MaxInterval));
    }

    /// <summary>Whether an attempt that threw <paramref name="exception"/> after <paramref name="attempt"/> attempts may be retried.</summary>
    public bool ShouldRetry(Exception exception, int attempt)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (attempt >= MaxAttempts) return false;
        var type = exception.GetType();
        return !NonRetryableExceptionTypes.Any(t => t.IsAssignableFrom(type));
    }

    /// <summary>The delay before the attempt that follows attempt number <paramref name="attempt"/> (1-based).</summary>
    public TimeSpan DelayAfter(int attempt)
    {
        var factor = Math.Pow(BackoffCoefficient, Math.Max(0, attempt - 1));
        var ticks = InitialInterval.Ticks * factor;
        return ticks >= MaxInterval.Ticks ? MaxInterval : TimeSpan.FromTicks((long)ticks);
    }
}
