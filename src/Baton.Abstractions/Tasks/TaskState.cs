namespace Baton;

/// <summary>Where a task is in its lifecycle.</summary>
public enum TaskState
{
    /// <summary>Waiting for a worker to run its handler (first attempt, a retry, or a requested re-run).</summary>
    Scheduled,

    /// <summary>A worker is running its handler.</summary>
    Running,

    /// <summary>The handler of a delegated task returned; the task waits for an outside party.</summary>
    Delegated,

    /// <summary>Finished with a result.</summary>
    Completed,

    /// <summary>Finished with an error.</summary>
    Failed,

    /// <summary>A deadline passed (delegation deadline, heartbeat, or a manual timeout) before any outcome.</summary>
    TimedOut,

    /// <summary>Its workflow was canceled or finished before the task had an outcome.</summary>
    Canceled,
}

/// <summary>Helpers on <see cref="TaskState"/>.</summary>
public static class TaskStateExtensions
{
    /// <summary>Whether the task still waits for an outcome.</summary>
    public static bool IsOpen(this TaskState state) => state is TaskState.Scheduled or TaskState.Running or TaskState.Delegated;
}
