namespace Baton.Engine.Storage;

/// <summary>Kinds of workflow history events. Stored by name; never renumber or rename.</summary>
public enum HistoryEventKind
{
    /// <summary>First event: <see cref="HistoryEvent.Name"/> is the workflow type, the payload its input.</summary>
    WorkflowStarted,

    /// <summary>The workflow dispatched a task: command id, <c>Service.Method</c>, task id; payload the arguments.</summary>
    TaskScheduled,

    /// <summary>The handler of a delegated task returned (informational; replay ignores it).</summary>
    TaskDelegated,

    /// <summary>Progress was reported on a task (informational; replay ignores it). Payload: percent, message, details.</summary>
    TaskProgress,

    /// <summary>A task completed; payload its result.</summary>
    TaskCompleted,

    /// <summary>A task failed; payload its <see cref="TaskError"/>.</summary>
    TaskFailed,

    /// <summary>A task timed out; payload a <see cref="TaskError"/> whose message is the reason.</summary>
    TaskTimedOut,

    /// <summary>A task was canceled; payload a <see cref="TaskError"/> whose message is the reason.</summary>
    TaskCanceled,

    /// <summary>The workflow started a timer: command id; payload the due time.</summary>
    TimerStarted,

    /// <summary>A timer fired.</summary>
    TimerFired,

    /// <summary>The workflow started a child: command id, child type, child id; payload the input.</summary>
    ChildWorkflowStarted,

    /// <summary>A child completed; payload its result.</summary>
    ChildWorkflowCompleted,

    /// <summary>A child failed or was canceled; payload its <see cref="TaskError"/>.</summary>
    ChildWorkflowFailed,

    /// <summary>The workflow returned; payload its result.</summary>
    WorkflowCompleted,

    /// <summary>The workflow threw or was failed by the engine; payload the <see cref="TaskError"/>.</summary>
    WorkflowFailed,

    /// <summary>The workflow was canceled; payload the <see cref="TaskError"/> with type <c>Canceled</c>.</summary>
    WorkflowCanceled,
}

/// <summary>One stored history event.</summary>
/// <param name="Seq">Position in the workflow's history, from 1, without gaps.</param>
/// <param name="Kind">What happened.</param>
/// <param name="At">When it was recorded.</param>
/// <param name="CommandId">The workflow's dispatch number it concerns (tasks, timers, children), 1-based.</param>
/// <param name="Name">Workflow type, <c>Service.Method</c> or child workflow type.</param>
/// <param name="RefId">Task id or child workflow id.</param>
/// <param name="Payload">JSON text: input, arguments, result, error, due time, progress.</param>
public sealed record HistoryEvent(long Seq, HistoryEventKind Kind, DateTimeOffset At, int? CommandId, string? Name, string? RefId, string? Payload);

/// <summary>A history event to append; the store assigns <see cref="HistoryEvent.Seq"/>.</summary>
public sealed record NewHistoryEvent(HistoryEventKind Kind, DateTimeOffset At, int? CommandId = null, string? Name = null, string? RefId = null, string? Payload = null);
