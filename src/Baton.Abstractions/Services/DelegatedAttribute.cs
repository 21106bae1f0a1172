namespace Baton;

/// <summary>
/// Marks a service method as a delegated task: the handler starts work elsewhere and returns; its return value is
/// ignored and the task stays <see cref="TaskState.Delegated"/> until an outside party completes it, fails it or it
/// times out.
/// </summary>
/// <remarks>
/// Durations use the invariant <see cref="TimeSpan"/> format (<c>"7.00:00:00"</c> is seven days) because attribute
/// arguments must be constants. An absolute deadline is given per dispatch with <see cref="DispatchOptions.CompleteBy"/>.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class DelegatedAttribute : Attribute
{
    /// <summary>How long after dispatch the outside party has to complete the task before it becomes <see cref="TaskState.TimedOut"/>. Empty: no deadline.</summary>
    public string? CompleteWithin { get; set; }

    /// <summary>Longest silence allowed between delegation and progress reports before the task times out. Empty: no heartbeat.</summary>
    public string? HeartbeatInterval { get; set; }
}
