using System.Collections.Concurrent;
using System.Text.Json;
using Baton.Engine.Registry;
using Baton.Engine.Serialization;
using Baton.Engine.Storage;
using Microsoft.Extensions.Logging;

namespace Baton.Engine.Tasks;

/// <summary>
/// The delegated-task lifecycle seen from outside: complete, fail, progress, timeout, retry. The store decides the
/// first outcome atomically; this class checks results against the declared type first and turns every refusal into
/// the precise answer the caller is owed (identical repeat, conflicting outcome, wrong state, not found).
/// </summary>
public sealed partial class TaskOperations
{
    private readonly IBatonStore _store;
    private readonly ServiceRegistry _registry;
    private readonly PayloadCodec _codec;
    private readonly PayloadValidator _validator;
    private readonly TaskTokenService _tokens;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, string> _schemas = new(StringComparer.Ordinal);
    private readonly RecentTasks _recent;

    internal TaskOperations(
        IBatonStore store, ServiceRegistry registry, PayloadCodec codec, PayloadValidator validator, TaskTokenService tokens, TimeProvider time, ILogger logger,
        RecentTasks? recent = null)
    {
        _recent = recent ?? new RecentTasks();
        _store = store;
        _registry = registry;
        _codec = codec;
        _validator = validator;
        _tokens = tokens;
        _time = time;
        _logger = logger;
    }

    /// <summary>The task id a token names; throws <see cref="InvalidTaskTokenException"/> when forged, malformed or stale.</summary>
    public string TaskIdFromToken(string token)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        return _tokens.Verify(token);
    }

    /// <summary>Completes a delegated task with a result checked against the method's return type.</summary>
    public Task<CompletionResult> CompleteAsync(string? serviceName, string taskId, JsonElement result, AuditSource source, CancellationToken cancellationToken = default) =>
        CompleteAsync(serviceName, taskId, result, source, null, cancellationToken);

    /// <summary>
    /// Completes a delegated task. When <paramref name="user"/> is given and the task is a user task, the user-task rules
    /// apply (assignee or role holder, claimant if claimed, admin override); without one the caller is trusted code.
    /// </summary>
    public async Task<CompletionResult> CompleteAsync(string? serviceName, string taskId, JsonElement result, AuditSource source, UserIdentity? user, CancellationToken cancellationToken = default)
    {
        CheckTaskId(taskId);
        var json = _codec.Accept(result, "The result");
        // A delegated task this node created: its facts are known, and a result that passes needs no read of the task.
        if (_recent.Find(taskId) is { } known && (serviceName is null || string.Equals(serviceName, known.ServiceName, StringComparison.Ordinal))
            && (await ValidateResultAsync(known.ServiceName, known.MethodName, known.ResultSchemaId, json, cancellationToken).ConfigureAwait(false)).Count == 0)
        {
            return await ResolveCompletionAsync(serviceName, taskId, json, source, cancellationToken).ConfigureAwait(false);
        }
        var task = await FindAsync(serviceName, taskId, cancellationToken).ConfigureAwait(false);
        if (!task.IsDelegated) throw new TaskNotDelegatedException(taskId);
        if (IsUserTask(task)) return await CompleteUserTaskAsync(null, taskId, json, user, source, cancellationToken).ConfigureAwait(false);
        if (task.State.IsOpen())
        {
            var errors = await ValidateResultAsync(task.ServiceName, task.MethodName, task.ResultSchemaId, json, cancellationToken).ConfigureAwait(false);
            if (errors.Count > 0)
                throw new PayloadValidationException(BatonErrorCodes.ResultInvalid,
                    $"The result does not match the return type of {task.ServiceName}.{task.MethodName}; the task stays open.", errors);
        }
        return await ResolveCompletionAsync(serviceName, taskId, json, source, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records a checked result; the store decides, atomically, whether the task takes it.</summary>
    private async Task<CompletionResult> ResolveCompletionAsync(string? serviceName, string taskId, string json, AuditSource source, CancellationToken cancellationToken)
    {
        var outcome = await _store.ResolveTaskAsync(new TaskResolution
        {
            TaskId = taskId, ServiceName = serviceName, Kind = TaskResolutionKind.Complete, Result = json,
            RequireDelegated = true, Source = source, At = _time.GetUtcNow(),
        }, cancellationToken).ConfigureAwait(false);
        // Whatever the answer, the task's outcome is decided now.
        _recent.Forget(taskId);
        return Answer(outcome, serviceName, taskId, recorded => recorded.State == TaskState.Completed && _codec.SameJson(recorded.Result, json), "completed", source);
    }

    /// <summary>Fails a delegated task.</summary>
    public Task<CompletionResult> FailAsync(string? serviceName, string taskId, TaskError error, AuditSource source, CancellationToken cancellationToken = default) =>
        FailAsync(serviceName, taskId, error, source, null, cancellationToken);

    /// <summary>Fails a delegated task; a user task only when <paramref name="user"/> (if given) is an operator or admin.</summary>
    public async Task<CompletionResult> FailAsync(string? serviceName, string taskId, TaskError error, AuditSource source, UserIdentity? user, CancellationToken cancellationToken = default)
    {
        CheckTaskId(taskId);
        ArgumentNullException.ThrowIfNull(error);
        await CheckUserTaskInterventionAsync(serviceName, taskId, user, "failed", cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(error.Type)) throw new BatonException(BatonErrorCodes.InvalidArgument, "A task error needs a type.");
        var json = _codec.SerializeError(error with { Message = error.Message ?? "" });
        _codec.CheckSize(json, "The error");
        var outcome = await _store.ResolveTaskAsync(new TaskResolution
        {
            TaskId = taskId, ServiceName = serviceName, Kind = TaskResolutionKind.Fail, Error = json,
            RequireDelegated = true, Source = source, At = _time.GetUtcNow(),
        }, cancellationToken).ConfigureAwait(false);
        ForgetIfDecided(taskId, outcome);
        return Answer(outcome, serviceName, taskId, recorded => recorded.State == TaskState.Failed && error.SameAs(_codec.DeserializeError(recorded.Error)), "failed", source);
    }

    /// <summary>Times an open task out now (TimeoutTask).</summary>
    public async Task<CompletionResult> TimeoutAsync(string taskId, AuditSource source, CancellationToken cancellationToken = default) =>
        await TimeoutAsync(taskId, source, $"timed out manually by {source.Actor}", cancellationToken).ConfigureAwait(false);

    /// <summary>Times an open task out now, recording <paramref name="reason"/> (what the workflow's TaskTimedOutException says).</summary>
    public async Task<CompletionResult> TimeoutAsync(string taskId, AuditSource source, string reason, CancellationToken cancellationToken = default)
    {
        CheckTaskId(taskId);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var error = _codec.SerializeError(new TaskError("TimedOut", reason));
        var outcome = await _store.ResolveTaskAsync(new TaskResolution
        {
            TaskId = taskId, Kind = TaskResolutionKind.TimeOut, Error = error, Source = source, At = _time.GetUtcNow(),
        }, cancellationToken).ConfigureAwait(false);
        ForgetIfDecided(taskId, outcome);
        return Answer(outcome, null, taskId, recorded => recorded.State == TaskState.TimedOut, "timed out", source);
    }

    /// <summary>
    /// Forgets the facts of a task whose outcome is now decided: a later completion must find it closed, which the store
    /// tells, and the room is better spent on tasks still open (entries otherwise leave only when pushed out).
    /// </summary>
    private void ForgetIfDecided(string taskId, TaskOperationResult outcome)
    {
        if (outcome.Task is { } task && !task.State.IsOpen()) _recent.Forget(taskId);
    }

    /// <summary>Records progress (and a heartbeat) on an open task.</summary>
    public Task<TaskInfo> ReportProgressAsync(string? serviceName, string taskId, ProgressReport progress, AuditSource source, CancellationToken cancellationToken = default) =>
        ReportProgressAsync(serviceName, taskId, progress, source, null, cancellationToken);

    /// <summary>Records progress on an open task; on a user task only when <paramref name="user"/> (if given) is an operator or admin.</summary>
    public async Task<TaskInfo> ReportProgressAsync(string? serviceName, string taskId, ProgressReport progress, AuditSource source, UserIdentity? user, CancellationToken cancellationToken = default)
    {
        CheckTaskId(taskId);
        ArgumentNullException.ThrowIfNull(progress);
        await CheckUserTaskInterventionAsync(serviceName, taskId, user, "given progress", cancellationToken).ConfigureAwait(false);
        if (progress.Percent is { } p && (double.IsNaN(p) || p < 0 || p > 100))
            throw new BatonException(BatonErrorCodes.InvalidArgument, "Progress percent must be between 0 and 100.");
        if (progress.Message is { Length: > 4000 })
            throw new PayloadTooLargeException("The progress message", progress.Message.Length, 4000);
        CallerText.CheckFreeText(progress.Message, "The progress message");
        var details = progress.Details is { } d ? _codec.Accept(d, "The progress details") : null;
        var outcome = await _store.RecordProgressAsync(new TaskProgressUpdate(taskId, serviceName, progress.Percent, progress.Message, details, source, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        return outcome.Status switch
        {
            TaskResolutionStatus.Applied => Baton.Engine.TaskViews.Info(outcome.Task!),
            TaskResolutionStatus.NotFound => throw new TaskNotFoundException(serviceName, taskId),
            _ => throw new TaskWrongStateException(taskId, outcome.Task!.State, "given progress"),
        };
    }

    /// <summary>Runs the handler of an open delegated task again.</summary>
    public async Task<TaskInfo> RetryAsync(string? serviceName, string taskId, AuditSource source, CancellationToken cancellationToken = default)
    {
        CheckTaskId(taskId);
        if (await _store.GetTaskAsync(taskId, cancellationToken).ConfigureAwait(false) is { } existing && IsUserTask(existing))
            throw new TaskWrongStateException(taskId, existing.State, "retried (a user task has no handler to re-run; reassign it instead)");
        var outcome = await _store.RequestTaskRetryAsync(taskId, serviceName, source, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return outcome.Status switch
        {
            TaskResolutionStatus.Applied => Baton.Engine.TaskViews.Info(outcome.Task!),
            TaskResolutionStatus.NotFound => throw new TaskNotFoundException(serviceName, taskId),
            TaskResolutionStatus.NotDelegated => throw new TaskNotDelegatedException(taskId),
            _ => throw new TaskWrongStateException(taskId, outcome.Task!.State, "retried (only a Delegated task's handler can be re-run)"),
        };
    }

    /// <summary>Times out every open task whose deadline lies in the range (TimeoutBetween).</summary>
    public async Task<TimeoutBetweenResult> TimeoutBetweenAsync(DateTimeOffset? from, DateTimeOffset to, AuditSource source, CancellationToken cancellationToken = default)
    {
        if (from is { } f && f > to) throw new BatonException(BatonErrorCodes.InvalidArgument, "'from' must not be after 'to'.");
        var outcome = await _store.TimeoutTasksBetweenAsync(from, to, source, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return new TimeoutBetweenResult(outcome.From, outcome.To, outcome.TaskIds);
    }

    private async Task<TaskRecord> FindAsync(string? serviceName, string taskId, CancellationToken cancellationToken)
    {
        var task = await _store.GetTaskAsync(taskId, cancellationToken).ConfigureAwait(false);
        if (task is null || serviceName is not null && !string.Equals(task.ServiceName, serviceName, StringComparison.Ordinal))
            throw new TaskNotFoundException(serviceName, taskId);
        return task;
    }

    private async Task<IReadOnlyList<FieldError>> ValidateResultAsync(
        string serviceName, string methodName, string? resultSchemaId, string json, CancellationToken cancellationToken)
    {
        var method = _registry.Find(serviceName, methodName);
        if (method is not null) return method.ResultType is null ? [] : _validator.Validate(json, method.ResultType);
        return await ValidateAgainstStoredSchemaAsync(resultSchemaId, json, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Validates against the schema stored with the task (a node that does not have the .NET type).</summary>
    private async Task<IReadOnlyList<FieldError>> ValidateAgainstStoredSchemaAsync(string? resultSchemaId, string json, CancellationToken cancellationToken)
    {
        if (resultSchemaId is not { } schemaId) return _validator.Validate(json, null);
        if (!_schemas.TryGetValue(schemaId, out var schema))
        {
            schema = await _store.GetSchemaAsync(schemaId, cancellationToken).ConfigureAwait(false);
            if (schema is null) return _validator.Validate(json, null);
            _schemas[schemaId] = schema;
        }
        return _validator.Validate(json, null, schemaId, schema);
    }

    private CompletionResult Answer(TaskOperationResult outcome, string? serviceName, string taskId, Func<TaskRecord, bool> isSameOutcome, string operation, AuditSource source)
    {
        switch (outcome.Status)
        {
            case TaskResolutionStatus.Applied:
                var task = outcome.Task!;
                LogResolved(task.ServiceName, taskId, task.State, source.Actor, source.Via);
                return new CompletionResult(taskId, task.ServiceName, task.State, AlreadyCompleted: false);
            case TaskResolutionStatus.NotFound:
                throw new TaskNotFoundException(serviceName, taskId);
            case TaskResolutionStatus.NotDelegated:
                throw new TaskNotDelegatedException(taskId);
        }
        var recorded = outcome.Task!;
        if (isSameOutcome(recorded)) return new CompletionResult(taskId, recorded.ServiceName, recorded.State, AlreadyCompleted: true);
        if (recorded.State is TaskState.Completed or TaskState.Failed && operation is "completed" or "failed")
            throw new TaskOutcomeConflictException(taskId, new TaskOutcome(recorded.State, PayloadCodec.ToElement(recorded.Result), _codec.DeserializeError(recorded.Error)));
        throw new TaskWrongStateException(taskId, recorded.State, operation);
    }

    private static void CheckTaskId(string taskId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(taskId);
        if (taskId.Length > 200) throw new TaskNotFoundException(null, taskId[..200]);
        // No task id holds one (Baton makes them); PostgreSQL's text could not even compare one with U+0000.
        if (taskId.Any(char.IsControl)) throw new TaskNotFoundException(null, taskId);
    }

    [LoggerMessage(EventId = 1400, Level = LogLevel.Information, Message = "Task {ServiceName}/{TaskId} is now {State} (by {Actor} via {Via})")]
    private partial void LogResolved(string serviceName, string taskId, TaskState state, string actor, string via);
}
