using System.Security.Cryptography;
using System.Text;
using Baton.Engine.Registry;
using Baton.Engine.Storage;

namespace Baton.Engine.Execution;

/// <summary>
/// One workflow instance in memory: its code suspended on its deferreds, rebuilt by replaying its history and then
/// advanced one step at a time by new inbox messages. Implements the workflow's side of <see cref="IWorkflowContext"/>.
/// Not thread-safe: the claim on the instance guarantees a single user at a time.
/// </summary>
internal sealed partial class WorkflowInstance : IWorkflowContext
{
    private readonly WorkflowType _type;
    private readonly ExecutionServices _services;
    private readonly Workflow _workflow;
    private readonly WorkflowScheduler _scheduler = new();
    private readonly Dictionary<int, OpenCommand> _open = [];
    private readonly Dictionary<int, HistoryEvent> _recorded = [];
    private readonly WorkflowRecord _record;
    private Task<object?>? _run;
    private int _lastCommandId;
    private int _guidCounter;
    private Random? _random;
    private StepBuffer? _step;
    private string? _divergence;

    private WorkflowInstance(WorkflowType type, WorkflowRecord record, ExecutionServices services)
    {
        _type = type;
        _record = record;
        _services = services;
        _workflow = type.Create();
        _workflow.Attach(this);
        WorkflowId = record.Id;
        Version = record.Version;
        Now = record.CreatedAt;
        EstimatedBytes = BaseBytes; // the input is counted with the started event, which every replay begins with
    }

    /// <summary>What an instance holds before any payload: its objects, scheduler and dictionaries (a rough measure).</summary>
    private const long BaseBytes = 2048;

    /// <summary>
    /// A rough measure of the memory this instance holds, for the cache's byte budget: a base size plus two bytes per character
    /// of every payload it has read or written (input, replayed events, delivered results, new commands' arguments). The
    /// workflow's own objects are built from those payloads, so they grow with them; what the code drops is still counted,
    /// which errs on the side of keeping fewer instances.
    /// </summary>
    public long EstimatedBytes { get; private set; }

    public string WorkflowId { get; }

    /// <summary>The stored version this in-memory state corresponds to.</summary>
    public long Version { get; set; }

    public WorkflowState State { get; private set; } = WorkflowState.Running;

    /// <summary>Result JSON once a replay reached the end; a step that ends the workflow hands it over instead of keeping it.</summary>
    public string? Result { get; private set; }

    /// <summary>Error JSON once a replay reached a failure; a step that fails the workflow hands it over instead of keeping it.</summary>
    public string? Error { get; private set; }

    /// <summary>Why the code diverged from its history, if it did.</summary>
    public string? Divergence => _divergence;

    public DateTimeOffset Now { get; private set; }

    public bool IsReplaying => _step is null;

    public Random Random => _random ??= new Random(BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes(WorkflowId)), 0));

    /// <summary>Rebuilds an instance from its history. Divergence is reported through <see cref="Divergence"/>, never thrown.</summary>
    public static WorkflowInstance Rehydrate(WorkflowType type, WorkflowRecord record, IReadOnlyList<HistoryEvent> history, ExecutionServices services)
    {
        var instance = new WorkflowInstance(type, record, services);
        instance.Replay(history, neverStepped: record.Version <= 1 && history.Count <= 1);
        return instance;
    }

    public Guid NewGuid()
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{WorkflowId}:{++_guidCounter}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80); // version 8: custom, name-derived
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }

    public void EnsureOnWorkflowThread(string operation)
    {
        if (!_scheduler.IsOwnedByCurrentThread)
            throw new InvalidOperationException(
                $"{operation} was called outside the workflow's scheduler. Workflow code must not use Task.Run, Task.Delay, " +
                "ConfigureAwait(false) or other threads; use Timer, Dispatch and WhenAny instead.");
        if (State != WorkflowState.Running)
            throw new InvalidOperationException($"{operation} was called after the workflow finished.");
    }

    private static long Chars(string? text) => 2L * (text?.Length ?? 0);

    private static long Bytes(string? payload, string? name, string? refId) => 64 + Chars(payload) + Chars(name) + Chars(refId);

    private void Replay(IReadOnlyList<HistoryEvent> history, bool neverStepped)
    {
        foreach (var e in history)
        {
            EstimatedBytes += Bytes(e.Payload, e.Name, e.RefId);
            if (e.CommandId is { } id && e.Kind is HistoryEventKind.TaskScheduled or HistoryEventKind.TimerStarted or HistoryEventKind.ChildWorkflowStarted)
                _recorded[id] = e;
        }
        if (neverStepped) return;
        _scheduler.Run(() =>
        {
            foreach (var e in history)
            {
                if (_divergence is not null) return;
                ReplayEvent(e);
            }
            if (_divergence is null && State == WorkflowState.Running && _recorded.Count > 0 && _recorded.Keys.Max() > _lastCommandId)
            {
                var missing = _recorded[_lastCommandId + 1];
                Diverge($"history records command {missing.CommandId} ({missing.Kind} {missing.Name}) that the workflow code no longer issues.", rethrow: false);
            }
        });
    }

    private void ReplayEvent(HistoryEvent e)
    {
        Now = e.At;
        switch (e.Kind)
        {
            case HistoryEventKind.WorkflowStarted:
                StartRun();
                break;
            case HistoryEventKind.TaskCompleted or HistoryEventKind.TaskFailed or HistoryEventKind.TaskTimedOut or HistoryEventKind.TaskCanceled
                or HistoryEventKind.TimerFired or HistoryEventKind.ChildWorkflowCompleted or HistoryEventKind.ChildWorkflowFailed:
                if (e.CommandId is not { } id || !_open.ContainsKey(id))
                {
                    if (e.CommandId > _lastCommandId)
                        Diverge($"history delivers {e.Kind} for command {e.CommandId}, which the workflow code never issued.", rethrow: false);
                    return;
                }
                Deliver(e.Kind, id, e.Payload);
                break;
            case HistoryEventKind.WorkflowCompleted:
                CheckRecordedEnd(WorkflowState.Completed, e.Payload);
                break;
            case HistoryEventKind.WorkflowFailed:
                CheckRecordedEnd(WorkflowState.Failed, e.Payload);
                break;
            case HistoryEventKind.WorkflowCanceled:
                State = WorkflowState.Canceled;
                Error = e.Payload;
                break;
            default:
                break; // command records are matched when the code issues them; TaskDelegated and TaskProgress are informational
        }
    }

    private void CheckRecordedEnd(WorkflowState recorded, string? payload)
    {
        if (_run is not { IsCompleted: true })
        {
            Diverge($"history records that the workflow {recorded}, but the code is still waiting after command {_lastCommandId}.", rethrow: false);
            return;
        }
        var (state, result, error) = Outcome();
        if (state != recorded || (state == WorkflowState.Completed && !_services.Codec.SameJson(result, payload)))
        {
            Diverge($"history records that the workflow {recorded} with {payload}, but the code now ends {state} with {result ?? error}.", rethrow: false);
            return;
        }
        State = state;
        Result = result;
        Error = error ?? (state == WorkflowState.Failed ? payload : null);
    }

    private void StartRun()
    {
        object? input;
        try
        {
            input = _services.Codec.Deserialize(_record.Input, _type.InputType);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or NotSupportedException)
        {
            _run = Task.FromException<object?>(new InvalidOperationException($"The workflow input cannot be read as {_type.InputType.Name}: {e.Message}"));
            return;
        }
        _run = Task.Factory.StartNew(() => _workflow.RunUntypedAsync(input), CancellationToken.None, TaskCreationOptions.DenyChildAttach, _scheduler).Unwrap();
        _scheduler.Pump();
    }

    private void Diverge(string message, bool rethrow = true)
    {
        _divergence ??= message;
        if (rethrow) throw new NonDeterminismException(WorkflowId, message);
    }

    /// <summary>A command waiting for its outcome; a user task's outcome is read by <paramref name="UserTask"/>.</summary>
    private sealed record OpenCommand(Deferred Deferred, HistoryEventKind Kind, Type? ResultType, string ServiceName, string Name, string? RefId,
        IUserTaskOutcomes? UserTask = null);
}
