namespace Baton.Engine.Storage;

/// <summary>Kinds of messages waiting for a workflow instance. Stored by name; never rename.</summary>
public enum InboxMessageKind
{
    /// <summary>A task completed; payload its result.</summary>
    TaskCompleted,

    /// <summary>A task failed; payload its <see cref="TaskError"/>.</summary>
    TaskFailed,

    /// <summary>A task timed out; payload a <see cref="TaskError"/> (type <c>TimedOut</c>) whose message is the reason.</summary>
    TaskTimedOut,

    /// <summary>A task was canceled; payload a <see cref="TaskError"/> (type <c>Canceled</c>) whose message is the reason.</summary>
    TaskCanceled,

    /// <summary>A timer fired.</summary>
    TimerFired,

    /// <summary>A child workflow completed; payload its result.</summary>
    ChildCompleted,

    /// <summary>A child workflow failed or was canceled; payload its <see cref="TaskError"/>.</summary>
    ChildFailed,
}

/// <summary>A stored message for a workflow instance, consumed by its next step.</summary>
/// <param name="Id">Store-assigned, increasing in insertion order.</param>
/// <param name="WorkflowId">Recipient.</param>
/// <param name="Kind">What happened.</param>
/// <param name="CommandId">The recipient's dispatch number it answers.</param>
/// <param name="RefId">Task id or child workflow id.</param>
/// <param name="Payload">JSON text.</param>
/// <param name="At">When it was created.</param>
public sealed record InboxMessage(long Id, string WorkflowId, InboxMessageKind Kind, int CommandId, string? RefId, string? Payload, DateTimeOffset At);

/// <summary>A message to deliver to a workflow instance (only delivered while that instance is <see cref="WorkflowState.Running"/>).</summary>
public sealed record NewInboxMessage(string WorkflowId, InboxMessageKind Kind, int CommandId, string? RefId, string? Payload, DateTimeOffset At);
