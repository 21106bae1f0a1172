using Baton.Engine.Hosting;
using Baton.Engine.Storage;
using Baton.Engine.Tasks;
using Microsoft.Extensions.Logging;

namespace Baton.Engine.Execution;

/// <summary>
/// One executor loop: claims a batch of instances that need a step, advances each (from the cache, or replayed from
/// history), and commits all the steps in one store call so the store can group them into one transaction.
/// </summary>
internal sealed partial class WorkflowExecutor(
    IBatonStore store,
    StoreSignals signals,
    ExecutionServices services,
    InstanceCache cache,
    TaskHandoffs handoffs,
    WorkflowHandoffs started,
    ExecutorMetrics metrics,
    BatonOptions options,
    TimeProvider time,
    string nodeId,
    ILogger logger)
{
    private readonly HashSet<string> _knownSchemas = [];

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        var turn = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Every other turn at most goes to workflows started on this node, so that a stream of starts never keeps
                // the ones waiting in the store (completions, timers, other nodes' starts) from being stepped.
                var handedOver = ++turn % 2 == 1 ? started.Take(options.WorkflowBatchSize) : [];
                if (handedOver.Count > 0)
                {
                    metrics.HandedOver(handedOver.Count);
                    await StepAsync([.. handedOver.Select(h => (h.Claim, (IReadOnlyList<HistoryEvent>?)h.History))], stoppingToken).ConfigureAwait(false);
                    continue;
                }
                var now = time.GetUtcNow();
                var claimStarted = ExecutorMetrics.Stamp();
                var claims = await store.ClaimWorkflowsAsync(nodeId, options.WorkflowBatchSize, now, now + options.WorkflowLease, stoppingToken).ConfigureAwait(false);
                metrics.Claimed(claims.Count, claimStarted);
                failures = 0;
                if (claims.Count == 0)
                {
                    if (started.AnyWaiting) continue;
                    await LoopWait.WaitAsync(signals.Workflows, null, time, options.IdlePollInterval, stoppingToken).ConfigureAwait(false);
                    continue;
                }
                await StepAsync([.. claims.Select(c => (c, (IReadOnlyList<HistoryEvent>?)null))], stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failures++;
                LogLoopFailed(e, failures);
                await Task.Delay(Backoff(failures), TimeProvider.System, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    internal static TimeSpan Backoff(int failures) => TimeSpan.FromMilliseconds(Math.Min(30_000, 100 * Math.Pow(2, Math.Min(failures, 10))));

    // Each claim comes with the instance's history when the caller knows it already (a start handed over by the client).
    private async Task StepAsync(IReadOnlyList<(WorkflowClaim Claim, IReadOnlyList<HistoryEvent>? History)> claims, CancellationToken cancellationToken)
    {
        var steps = new List<WorkflowStep>(claims.Count);
        var instances = new List<WorkflowInstance?>(claims.Count);
        var unstepped = new List<string>();
        var now = time.GetUtcNow();
        var stepStarted = ExecutorMetrics.Stamp();
        foreach (var (claim, history) in claims)
        {
            try
            {
                var (step, instance, schemas) = await AdvanceAsync(claim, history, now, cancellationToken).ConfigureAwait(false);
                await EnsureSchemasAsync(schemas, cancellationToken).ConfigureAwait(false);
                steps.Add(handoffs.Offer(step, now));
                instances.Add(instance);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogStepFailed(e, claim.Workflow.Id);
                unstepped.Add(claim.Workflow.Id);
            }
        }
        metrics.Stepped(stepStarted);
        if (unstepped.Count > 0) _ = ReleaseLaterAsync(unstepped, cancellationToken);
        if (steps.Count == 0) return;
        IReadOnlyList<StepCommitStatus> results;
        var commitStarted = ExecutorMetrics.Stamp();
        try
        {
            results = await store.CommitStepsAsync(steps, cancellationToken).ConfigureAwait(false);
            metrics.Committed(commitStarted);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Nothing was written; the instances keep their messages. Release the claims after a pause so they are
            // stepped again (from history: the in-memory state moved past what the store holds).
            LogCommitFailed(e, steps.Count);
            foreach (var step in steps) handoffs.Settle(step, committed: false);
            _ = ReleaseLaterAsync([.. steps.Select(s => s.WorkflowId)], cancellationToken);
            return;
        }
        for (var i = 0; i < results.Count; i++)
        {
            // Cached before its tasks are handed over: a handler that finishes at once brings the next step, which should find it.
            if (results[i] == StepCommitStatus.Committed && instances[i] is { State: WorkflowState.Running } instance)
            {
                instance.Version = steps[i].ExpectedVersion + 1;
                cache.Put(instance);
            }
            else if (results[i] == StepCommitStatus.Conflict)
            {
                LogStepConflict(steps[i].WorkflowId);
            }
            handoffs.Settle(steps[i], results[i] == StepCommitStatus.Committed);
        }
    }

    private async Task<(WorkflowStep, WorkflowInstance?, IReadOnlyList<(string, string)>)> AdvanceAsync(
        WorkflowClaim claim, IReadOnlyList<HistoryEvent>? knownHistory, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var record = claim.Workflow;
        var type = services.Workflows.Find(record.Name);
        if (type is null)
        {
            var error = services.Codec.SerializeError(new TaskError("UnknownWorkflowType",
                $"No workflow type named '{record.Name}' is registered on node {nodeId}. Registered: {string.Join(", ", services.Workflows.Names)}."));
            return (new WorkflowStep
            {
                WorkflowId = record.Id, ExpectedVersion = record.Version, Owner = nodeId, State = WorkflowState.Failed, Error = error, At = now, Claimed = record,
                ConsumedMessageIds = [.. claim.Messages.Select(m => m.Id)],
                Events = [new NewHistoryEvent(HistoryEventKind.WorkflowFailed, now, Payload: error)],
                Messages = record.ParentId is { } parent && record.ParentCommandId is { } command
                    ? [new NewInboxMessage(parent, InboxMessageKind.ChildFailed, command, record.Id, error, now)] : [],
            }, null, []);
        }
        var instance = cache.Take(record.Id, record.Version);
        if (instance is null)
        {
            var history = knownHistory ?? await store.GetHistoryAsync(record.Id, 0, cancellationToken).ConfigureAwait(false);
            instance = WorkflowInstance.Rehydrate(type, record, history, services);
            if (instance.Divergence is null) LogReplayed(record.Id, history.Count);
        }
        var (step, schemas) = instance.Advance(claim.Messages, now, nodeId);
        if (instance.Divergence is not null) LogNonDeterminism(record.Id, instance.Divergence);
        // A finishing step carries the record it was computed from: the store's finish notice then brings the final record to
        // those waiting for the result, who need not read it back.
        if (step.State != WorkflowState.Running) step = step with { Claimed = record };
        return (step, instance, schemas);
    }

    private async Task EnsureSchemasAsync(IReadOnlyList<(string Id, string Text)> schemas, CancellationToken cancellationToken)
    {
        foreach (var (id, text) in schemas)
        {
            lock (_knownSchemas)
                if (_knownSchemas.Contains(id)) continue;
            await store.EnsureSchemaAsync(id, text, cancellationToken).ConfigureAwait(false);
            lock (_knownSchemas) _knownSchemas.Add(id);
        }
    }

    /// <summary>Keeps the claim for a while before releasing it, so an instance that fails to step is retried with a pause, not in a hot loop.</summary>
    private async Task ReleaseLaterAsync(List<string> workflowIds, CancellationToken cancellationToken)
    {
        for (var failures = 1; !cancellationToken.IsCancellationRequested; failures++)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(60, 5 * failures)), TimeProvider.System, cancellationToken).ConfigureAwait(false);
                await store.ReleaseWorkflowClaimsAsync(nodeId, workflowIds, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogLoopFailed(e, failures);
            }
        }
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Error, Message = "Workflow executor loop failed ({Failures} in a row); retrying with backoff")]
    private partial void LogLoopFailed(Exception exception, int failures);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Error, Message = "Workflow {WorkflowId} could not be stepped; it will be retried")]
    private partial void LogStepFailed(Exception exception, string workflowId);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Error, Message = "Committing {StepCount} workflow steps failed; they will be stepped again")]
    private partial void LogCommitFailed(Exception exception, int stepCount);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Debug, Message = "Step of workflow {WorkflowId} was refused (canceled or claimed elsewhere meanwhile)")]
    private partial void LogStepConflict(string workflowId);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Debug, Message = "Workflow {WorkflowId} rebuilt from {EventCount} history events")]
    private partial void LogReplayed(string workflowId, int eventCount);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Error, Message = "Workflow {WorkflowId} failed on non-determinism: {Divergence}")]
    private partial void LogNonDeterminism(string workflowId, string divergence);
}
