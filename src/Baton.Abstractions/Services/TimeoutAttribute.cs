namespace Baton;

/// <summary>
/// Bounds one run of the task's handler (for a delegated task: the initiation, not the wait for the outside party).
/// A handler that overruns is canceled and the attempt counts as failed, so the retry policy applies.
/// </summary>
/// <param name="duration">Invariant <see cref="TimeSpan"/> text, e.g. <c>"00:00:30"</c>.</param>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Interface, Inherited = false)]
public sealed class TimeoutAttribute(string duration) : Attribute
{
    /// <summary>The handler time limit.</summary>
    public TimeSpan Duration { get; } = DurationText.Parse(duration, nameof(duration));
}
