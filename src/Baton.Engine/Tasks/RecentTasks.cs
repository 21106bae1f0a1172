using Baton.Engine.Storage;

namespace Baton.Engine.Tasks;

/// <summary>
/// What this node knows, without reading the store, of the delegated tasks its own steps created: the facts a completion
/// needs to check its result (the service, the method, the stored schema), which never change once a task exists. A
/// completion of such a task skips its read of the task row; it still reads it whenever the result does not pass, to say
/// whether the task is open (the result is rejected) or closed (the recorded outcome answers). Bounded: the oldest entries
/// go first. Correctness never depends on it: a task it does not know takes the usual path.
/// </summary>
internal sealed class RecentTasks(int capacity = RecentTasks.DefaultCapacity)
{
    /// <summary>Enough for every task in flight of a busy node; about 2 MB when full.</summary>
    public const int DefaultCapacity = 10_000;

    private readonly BoundedRecentMap<Facts> _known = new(capacity);

    /// <summary>A delegated task's facts that a completion's check of its result needs.</summary>
    public sealed record Facts(string ServiceName, string MethodName, string? ResultSchemaId);

    /// <summary>Remembers the delegated tasks (user tasks excepted: their own rules need the row) of a step that committed.</summary>
    public void Remember(IReadOnlyList<NewTask> tasks)
    {
        foreach (var task in tasks)
        {
            if (task.IsDelegated && task.UserTask is null) _known.Add(task.TaskId, new Facts(task.ServiceName, task.MethodName, task.ResultSchemaId));
        }
    }

    /// <summary>The facts of a task this node created and has not forgotten, or null.</summary>
    public Facts? Find(string taskId) => _known.Find(taskId);

    /// <summary>Forgets a task once its outcome is decided.</summary>
    public void Forget(string taskId) => _known.Remove(taskId);

    /// <summary>Tasks remembered now (for tests).</summary>
    public int Count => _known.Count;

    /// <summary>Ids waiting in the eviction queue, forgotten ones included (for tests): never more than the capacity.</summary>
    public int Queued => _known.Queued;
}
