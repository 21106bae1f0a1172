using Baton.Engine.Hosting;
using Baton.Engine.Storage;

namespace Baton.Engine.Tasks;

/// <summary>
/// Hands tasks that a step dispatches to a service this node runs straight to this node's worker: the step creates them
/// already claimed (<see cref="NewTask.Handoff"/>), and once it has committed their handlers start without a claim round trip
/// through the store. A task gets a handoff only when a handler slot is free at once; the others are claimed as usual. Every
/// delegated task a committed step created is also remembered (<see cref="RecentTasks"/>) for its completion.
/// </summary>
internal sealed class TaskHandoffs(TaskWorker worker, RecentTasks recent, BatonOptions options, string nodeId)
{
    /// <summary>The step with a handoff on each task this node can run now; each handoff holds a reserved handler slot.</summary>
    public WorkflowStep Offer(WorkflowStep step, DateTimeOffset now)
    {
        if (step.Tasks.Count == 0) return step;
        NewTask[]? offered = null;
        for (var i = 0; i < step.Tasks.Count; i++)
        {
            var task = step.Tasks[i];
            if (task.UserTask is not null || !worker.Hosts(task.ServiceName) || !worker.TryReserveSlot()) continue;
            offered ??= [.. step.Tasks];
            offered[i] = task with { Handoff = new ClaimHandoff(nodeId, now + options.TaskLease) };
        }
        return offered is null ? step : step with { Tasks = offered };
    }

    /// <summary>After the commit: the handed-over tasks of a committed step start; the slots of any other step are given back.</summary>
    public void Settle(WorkflowStep step, bool committed)
    {
        // Before any handler starts: a handler may hand its task to an outside party that completes it at once.
        if (committed) recent.Remember(step.Tasks);
        foreach (var task in step.Tasks)
        {
            if (task.Handoff is not { } handoff) continue;
            if (committed) worker.RunHandedOver(Claimed(task, handoff));
            else worker.ReleaseSlot();
        }
    }

    /// <summary>The task as the store now holds it (times at the store's millisecond precision).</summary>
    private static TaskRecord Claimed(NewTask task, ClaimHandoff handoff)
    {
        var created = Milliseconds(task.CreatedAt);
        return new TaskRecord
        {
            TaskId = task.TaskId,
            WorkflowId = task.WorkflowId,
            CommandId = task.CommandId,
            ServiceName = task.ServiceName,
            MethodName = task.MethodName,
            Arguments = task.Arguments,
            IsDelegated = task.IsDelegated,
            State = TaskState.Running,
            Attempt = 1,
            DeadlineAt = task.DeadlineAt is { } deadline ? Milliseconds(deadline) : null,
            HeartbeatInterval = Milliseconds(task.HeartbeatInterval),
            HandlerTimeout = Milliseconds(task.HandlerTimeout),
            RetryPolicy = task.RetryPolicy,
            ResultSchemaId = task.ResultSchemaId,
            Tags = task.Tags,
            Meta = task.Meta,
            CreatedAt = created,
            UpdatedAt = created,
            ReadyAt = created,
            LeaseOwner = handoff.Owner,
            LeaseUntil = Milliseconds(handoff.LeaseUntil),
        };
    }

    private static DateTimeOffset Milliseconds(DateTimeOffset time) => DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());

    private static TimeSpan? Milliseconds(TimeSpan? span) => span is { } s ? TimeSpan.FromMilliseconds((long)s.TotalMilliseconds) : null;
}
