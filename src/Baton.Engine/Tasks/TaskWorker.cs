using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using Baton.Engine.Execution;
using Baton.Engine.Hosting;
using Baton.Engine.Registry;
using Baton.Engine.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Baton.Engine.Tasks;

/// <summary>
/// Claims tasks of the services this node hosts and runs their handlers: an ordinary task completes with the handler's
/// return value, a delegated task becomes Delegated, a handler that throws is retried by its policy. Outcomes are
/// recorded in batches by an <see cref="OutcomeRecorder"/>.
/// </summary>
internal sealed partial class TaskWorker(
    IBatonStore store,
    StoreSignals signals,
    ServiceRegistry registry,
    IServiceProvider serviceProvider,
    TaskTokenService tokens,
    CallbackUrls callbackUrls,
    Serialization.PayloadCodec codec,
    BatonOptions options,
    TimeProvider time,
    string nodeId,
    ILogger logger)
{
    private readonly ConcurrentDictionary<string, byte> _running = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _slots = new(options.MaxConcurrentHandlers, options.MaxConcurrentHandlers);
    private readonly OutcomeRecorder _recorder = new(store, options.MaxConcurrentHandlers, logger);
    private CancellationToken _stopping;
    private volatile bool _started;

    /// <summary>Whether this node runs handlers of <paramref name="serviceName"/> (and the worker is running).</summary>
    public bool Hosts(string serviceName) =>
        _started && !_stopping.IsCancellationRequested && registry.IsHosted(serviceName);

    /// <summary>Takes a handler slot for a task about to be handed over, when one is free right now.</summary>
    public bool TryReserveSlot() => _slots.Wait(0);

    /// <summary>Gives back a slot taken by <see cref="TryReserveSlot"/> whose task was not created after all.</summary>
    public void ReleaseSlot() => _slots.Release();

    /// <summary>Runs the handler of a task created already claimed by this node, in a slot taken by <see cref="TryReserveSlot"/>.</summary>
    public void RunHandedOver(TaskRecord task)
    {
        _running[task.TaskId] = 0;
        var stoppingToken = _stopping;
        _ = Task.Run(() => RunHandlerAsync(task, stoppingToken), CancellationToken.None);
    }

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        if (registry.HostedServiceNames.Count == 0) return;
        _stopping = stoppingToken;
        _started = true; // published after the token (volatile write)
        var renewals = RenewLeasesAsync(stoppingToken);
        var recording = _recorder.RunAsync(stoppingToken);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _slots.WaitAsync(stoppingToken).ConfigureAwait(false);
                var free = 1 + _slots.CurrentCount;
                var now = time.GetUtcNow();
                var batch = await store.ClaimTasksAsync(nodeId, registry.HostedServiceNames, free, now, now + options.TaskLease, stoppingToken).ConfigureAwait(false);
                failures = 0;
                var taken = batch.Tasks.Count;
                // One slot is held already; take one more per extra task, and give back what the claim did not use.
                for (var i = 1; i < taken; i++) await _slots.WaitAsync(stoppingToken).ConfigureAwait(false);
                if (taken == 0) _slots.Release();
                foreach (var task in batch.Tasks)
                {
                    _running[task.TaskId] = 0;
                    _ = Task.Run(() => RunHandlerAsync(task, stoppingToken), CancellationToken.None);
                }
                if (taken == 0)
                    await LoopWait.WaitAsync(signals.Tasks, batch.NextReadyAt, time, options.IdlePollInterval, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                failures++;
                LogLoopFailed(e, failures);
                await Task.Delay(WorkflowExecutor.Backoff(failures), TimeProvider.System, stoppingToken).ConfigureAwait(false);
            }
        }
        await renewals.ConfigureAwait(false);
        await recording.ConfigureAwait(false);
    }

    private async Task RunHandlerAsync(TaskRecord task, CancellationToken stoppingToken)
    {
        try
        {
            var outcome = await ExecuteAsync(task, stoppingToken).ConfigureAwait(false);
            if (outcome is null) return; // shutting down: the claim lapses and the task runs again later
            await _recorder.RecordAsync(outcome).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _running.TryRemove(task.TaskId, out _);
            _slots.Release();
        }
    }

    private async Task<HandlerOutcome?> ExecuteAsync(TaskRecord task, CancellationToken stoppingToken)
    {
        var method = registry.Find(task.ServiceName, task.MethodName);
        if (method is null)
            return Failed(task, new TaskError("UnknownTaskMethod", $"Service {task.ServiceName} has no method {task.MethodName} on node {nodeId}."));
        object?[] arguments;
        try
        {
            arguments = ReadArguments(task.Arguments, method.ParameterTypes);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            return Failed(task, new TaskError("ArgumentsUnreadable", e.Message));
        }
        var timeout = task.HandlerTimeout ?? method.HandlerTimeout;
        using var handlerCancellation = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var context = new TaskContext(task.ServiceName, task.TaskId, tokens.Issue(task.TaskId), callbackUrls.For(task.TaskId, tokens),
            task.Attempt, task.WorkflowId, task.Meta, task.Tags, handlerCancellation.Token);
        LogHandlerStarting(task.ServiceName, task.MethodName, task.TaskId, task.Attempt);
        try
        {
            object? result;
            await using (var scope = serviceProvider.CreateAsyncScope())
            {
                var implementation = scope.ServiceProvider.GetRequiredService(method.ServiceType);
                using (TaskContext.Enter(context))
                {
                    var running = (Task)method.Method.Invoke(implementation, arguments)!;
                    if (timeout is { } limit) await running.WaitAsync(limit, time, stoppingToken).ConfigureAwait(false);
                    else await running.WaitAsync(stoppingToken).ConfigureAwait(false);
                    result = method.ResultType is null || method.IsDelegated ? null : TaskResults.Read(running);
                }
            }
            var now = time.GetUtcNow();
            if (method.IsDelegated)
            {
                LogDelegated(task.ServiceName, task.TaskId);
                return new HandlerOutcome(task.TaskId, task.Attempt, nodeId, HandlerOutcomeKind.Delegated, now);
            }
            var json = method.ResultType is null ? "null" : codec.Serialize(result, method.ResultType);
            return new HandlerOutcome(task.TaskId, task.Attempt, nodeId, HandlerOutcomeKind.Returned, now, Result: json);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception e)
        {
            var error = e is TargetInvocationException { InnerException: { } inner } ? inner : e;
            if (error is TimeoutException && timeout is not null && !handlerCancellation.IsCancellationRequested)
            {
                await handlerCancellation.CancelAsync().ConfigureAwait(false);
                error = new TimeoutException($"The handler did not finish within its {timeout} timeout.");
            }
            return AfterFailure(task, method, error);
        }
    }

    private HandlerOutcome AfterFailure(TaskRecord task, TaskMethod method, Exception error)
    {
        var policy = RetryPolicyJson.Deserialize(task.RetryPolicy) ?? method.RetryPolicy;
        var taskError = new TaskError(error.GetType().Name, error.Message);
        var now = time.GetUtcNow();
        if (policy.ShouldRetry(error, task.Attempt))
        {
            var retryAt = now + policy.DelayAfter(task.Attempt);
            LogHandlerRetrying(error, task.ServiceName, task.TaskId, task.Attempt, retryAt);
            return new HandlerOutcome(task.TaskId, task.Attempt, nodeId, HandlerOutcomeKind.RetryScheduled, now, Error: codec.SerializeError(taskError), RetryAt: retryAt);
        }
        LogHandlerFailed(error, task.ServiceName, task.TaskId, task.Attempt);
        return new HandlerOutcome(task.TaskId, task.Attempt, nodeId, HandlerOutcomeKind.Failed, now, Error: codec.SerializeError(taskError));
    }

    private HandlerOutcome Failed(TaskRecord task, TaskError error) =>
        new(task.TaskId, task.Attempt, nodeId, HandlerOutcomeKind.Failed, time.GetUtcNow(), Error: codec.SerializeError(error));

    private object?[] ReadArguments(string json, Type[] parameterTypes)
    {
        using var document = JsonDocument.Parse(json);
        var elements = document.RootElement;
        if (elements.GetArrayLength() != parameterTypes.Length)
            throw new InvalidOperationException($"The task has {elements.GetArrayLength()} arguments; the method takes {parameterTypes.Length}.");
        var values = new object?[parameterTypes.Length];
        for (var i = 0; i < values.Length; i++) values[i] = elements[i].Deserialize(parameterTypes[i], codec.Options);
        return values;
    }

    private async Task RenewLeasesAsync(CancellationToken stoppingToken)
    {
        var period = options.TaskLease / 3;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, TimeProvider.System, stoppingToken).ConfigureAwait(false);
                var ids = _running.Keys.ToArray();
                if (ids.Length > 0)
                    await store.RenewTaskLeasesAsync(nodeId, ids, time.GetUtcNow() + options.TaskLease, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogLoopFailed(e, 1);
            }
        }
    }

    [LoggerMessage(EventId = 1200, Level = LogLevel.Error, Message = "Task worker loop failed ({Failures} in a row); retrying with backoff")]
    private partial void LogLoopFailed(Exception exception, int failures);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Debug, Message = "Running handler {ServiceName}.{MethodName} for task {TaskId}, attempt {Attempt}")]
    private partial void LogHandlerStarting(string serviceName, string methodName, string taskId, int attempt);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "Task {ServiceName}/{TaskId} delegated; waiting for its outside party")]
    private partial void LogDelegated(string serviceName, string taskId);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "Handler of task {ServiceName}/{TaskId} failed on attempt {Attempt}; retrying at {RetryAt}")]
    private partial void LogHandlerRetrying(Exception exception, string serviceName, string taskId, int attempt, DateTimeOffset retryAt);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Error, Message = "Handler of task {ServiceName}/{TaskId} failed on attempt {Attempt}; no retry left")]
    private partial void LogHandlerFailed(Exception exception, string serviceName, string taskId, int attempt);
}
