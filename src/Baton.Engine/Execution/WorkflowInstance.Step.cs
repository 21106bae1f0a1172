using Baton.Engine.Storage;

namespace Baton.Engine.Execution;

internal sealed partial class WorkflowInstance
{
    /// <summary>
    /// Applies new inbox messages (or, for a new instance, its start) and returns everything the step changes.
    /// The in-memory state moves on; if the step is not committed the instance must be discarded.
    /// </summary>
    public (WorkflowStep Step, IReadOnlyList<(string Id, string Text)> Schemas) Advance(IReadOnlyList<InboxMessage> messages, DateTimeOffset at, string owner)
    {
        var step = _step = new StepBuffer();
        try
        {
            _scheduler.Run(() =>
            {
                Now = at;
                if (_divergence is null && _run is null) StartRun();
                foreach (var message in messages)
                {
                    step.ConsumedMessageIds.Add(message.Id);
                    if (_divergence is not null || State != WorkflowState.Running || _run is { IsCompleted: true }) continue;
                    if (!_open.ContainsKey(message.CommandId)) continue; // a late or repeated message: consumed, nothing to deliver
                    var kind = ToEventKind(message.Kind);
                    step.Events.Add(new NewHistoryEvent(kind, at, message.CommandId, _open[message.CommandId].Name, message.RefId, message.Payload));
                    Deliver(kind, message.CommandId, message.Payload);
                }
            });
            if (_divergence is null && (_scheduler.Escaped || State == WorkflowState.Running && _run is { IsCompleted: false } && _open.Count == 0))
                _divergence = "the workflow awaited something other than Baton deferreds (Task.Delay, I/O, Task.Run, ConfigureAwait(false)...), which replay cannot reproduce.";
            if (_divergence is not null) FailForDivergence(step, at);
            else if (State == WorkflowState.Running && _run is { IsCompleted: true }) Finish(step, at);
            foreach (var e in step.Events) EstimatedBytes += Bytes(e.Payload, e.Name, e.RefId);
            var workflowStep = new WorkflowStep
            {
                WorkflowId = WorkflowId,
                ExpectedVersion = Version,
                Owner = owner,
                ConsumedMessageIds = step.ConsumedMessageIds,
                Events = step.Events,
                State = State,
                Result = Result,
                Error = Error,
                Tasks = step.Tasks,
                Timers = step.Timers,
                Children = step.Children,
                Messages = step.Messages,
                At = at,
                MayHaveOpenTasks = _divergence is not null || HasOpen(HistoryEventKind.TaskScheduled),
                MayHaveRunningChildren = _divergence is not null || HasOpen(HistoryEventKind.ChildWorkflowStarted),
            };
            if (State != WorkflowState.Running)
            {
                // A finished instance is never stepped again, and its step now holds the outcome. The instance has usually
                // lived long enough to be in the oldest generation, which a young collection counts as live: a copy kept
                // here would be promoted by the young collections and freed only by a full one (RESULTS.md, push 22).
                Result = null;
                Error = null;
            }
            return (workflowStep, step.Schemas);
        }
        finally
        {
            _step = null;
        }
    }

    /// <summary>
    /// Whether some command of <paramref name="kind"/> this instance issued has not had its outcome delivered yet: a task it
    /// dispatched (user tasks included) or a child workflow it started.
    /// </summary>
    private bool HasOpen(HistoryEventKind kind)
    {
        foreach (var command in _open.Values)
        {
            if (command.Kind == kind) return true;
        }
        return false;
    }

    /// <summary>The final state, result and error the workflow code produced.</summary>
    private (WorkflowState State, string? Result, string? Error) Outcome()
    {
        var run = _run!;
        if (run.IsCompletedSuccessfully)
            return (WorkflowState.Completed, _services.Codec.Serialize(run.Result, _type.ResultType), null);
        var exception = run.Exception?.InnerException ?? (Exception)new OperationCanceledException("The workflow code was canceled.");
        var type = exception.GetType().Name;
        return (WorkflowState.Failed, null, _services.Codec.SerializeError(new TaskError(type, exception.Message)));
    }

    private void Finish(StepBuffer step, DateTimeOffset at)
    {
        string? result;
        string? error;
        try
        {
            (State, result, error) = Outcome();
        }
        // System.Text.Json reports some values it cannot write (an undefined JsonElement...) as InvalidOperationException:
        // the workflow fails with the reason instead of its step failing again and again.
        catch (Exception e) when (e is System.Text.Json.JsonException or NotSupportedException or InvalidOperationException)
        {
            (State, result, error) = (WorkflowState.Failed, null, _services.Codec.SerializeError(new TaskError("ResultUnserializable", e.Message)));
        }
        Result = result;
        Error = error;
        var completed = State == WorkflowState.Completed;
        step.Events.Add(new NewHistoryEvent(completed ? HistoryEventKind.WorkflowCompleted : HistoryEventKind.WorkflowFailed, at, Payload: completed ? result : error));
        TellParent(step, at);
    }

    private void FailForDivergence(StepBuffer step, DateTimeOffset at)
    {
        // Commands computed by diverging code are not trusted: keep only the consumed messages and the failure.
        step.Events.Clear();
        step.Tasks.Clear();
        step.Timers.Clear();
        step.Children.Clear();
        step.Messages.Clear();
        State = WorkflowState.Failed;
        Result = null;
        Error = _services.Codec.SerializeError(new TaskError("NonDeterminism", $"Workflow '{WorkflowId}' is not deterministic: {_divergence}"));
        step.Events.Add(new NewHistoryEvent(HistoryEventKind.WorkflowFailed, at, Payload: Error));
        TellParent(step, at);
    }

    private void TellParent(StepBuffer step, DateTimeOffset at)
    {
        if (_record.ParentId is not { } parent || _record.ParentCommandId is not { } command) return;
        step.Messages.Add(State == WorkflowState.Completed
            ? new NewInboxMessage(parent, InboxMessageKind.ChildCompleted, command, WorkflowId, Result, at)
            : new NewInboxMessage(parent, InboxMessageKind.ChildFailed, command, WorkflowId, Error, at));
    }

    /// <summary>Resolves the deferred of command <paramref name="id"/> with an outcome and lets the code run until it blocks.</summary>
    private void Deliver(HistoryEventKind kind, int id, string? payload)
    {
        var open = _open[id];
        _open.Remove(id);
        var codec = _services.Codec;
        switch (kind)
        {
            case HistoryEventKind.TaskCompleted or HistoryEventKind.ChildWorkflowCompleted:
                object? value = null;
                try
                {
                    if (open.UserTask is { } userTask) value = userTask.Completed(payload, codec);
                    else if (open.ResultType is not null) value = codec.Deserialize(payload, open.ResultType);
                    if (value is null && open.ResultType is { IsValueType: true } valueType && Nullable.GetUnderlyingType(valueType) is null)
                        value = Activator.CreateInstance(valueType);
                }
                catch (Exception e) when (e is System.Text.Json.JsonException or NotSupportedException)
                {
                    open.Deferred.Reject(new TaskFailedException(open.ServiceName, open.RefId ?? "", new TaskError("ResultUnreadable", e.Message)));
                    break;
                }
                open.Deferred.Resolve(value);
                break;
            case HistoryEventKind.TaskFailed:
                open.Deferred.Reject(new TaskFailedException(open.ServiceName, open.RefId ?? "", ReadError(payload, "Failed")));
                break;
            case HistoryEventKind.TaskTimedOut when open.UserTask is { } userTask:
                open.Deferred.Resolve(userTask.TimedOut(ReadError(payload, "TimedOut").Message));
                break;
            case HistoryEventKind.TaskTimedOut:
                open.Deferred.Reject(new TaskTimedOutException(open.ServiceName, open.RefId ?? "", ReadError(payload, "TimedOut").Message));
                break;
            case HistoryEventKind.TaskCanceled:
                open.Deferred.Reject(new BatonTaskCanceledException(open.ServiceName, open.RefId ?? "", ReadError(payload, "Canceled").Message));
                break;
            case HistoryEventKind.ChildWorkflowFailed:
                open.Deferred.Reject(new ChildWorkflowFailedException(open.RefId ?? "", ReadError(payload, "Failed")));
                break;
            case HistoryEventKind.TimerFired:
                open.Deferred.Resolve(null);
                break;
            default:
                throw new InvalidOperationException($"{kind} is not an outcome.");
        }
        _scheduler.Pump();
    }

    private TaskError ReadError(string? payload, string fallbackType)
    {
        try
        {
            return _services.Codec.DeserializeError(payload) ?? new TaskError(fallbackType, fallbackType);
        }
        catch (System.Text.Json.JsonException)
        {
            return new TaskError(fallbackType, payload ?? fallbackType);
        }
    }

    private static HistoryEventKind ToEventKind(InboxMessageKind kind) => kind switch
    {
        InboxMessageKind.TaskCompleted => HistoryEventKind.TaskCompleted,
        InboxMessageKind.TaskFailed => HistoryEventKind.TaskFailed,
        InboxMessageKind.TaskTimedOut => HistoryEventKind.TaskTimedOut,
        InboxMessageKind.TaskCanceled => HistoryEventKind.TaskCanceled,
        InboxMessageKind.TimerFired => HistoryEventKind.TimerFired,
        InboxMessageKind.ChildCompleted => HistoryEventKind.ChildWorkflowCompleted,
        InboxMessageKind.ChildFailed => HistoryEventKind.ChildWorkflowFailed,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
