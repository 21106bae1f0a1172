using System.Threading.Channels;
using Baton.Engine.Execution;
using Baton.Engine.Storage;
using Microsoft.Extensions.Logging;

namespace Baton.Engine.Tasks;

/// <summary>
/// Records handler outcomes in batches: outcomes that become ready while a store call is in flight go together into the
/// next <see cref="ITaskQueue.RecordHandlerOutcomesAsync"/> call (one write operation for many handlers instead of one
/// each). A caller's task completes only once its outcome is committed. A call that fails is retried with backoff while
/// the store is unreachable; when a batch of several fails, each outcome is retried alone so that one outcome the store
/// refuses cannot hold back the others.
/// </summary>
internal sealed partial class OutcomeRecorder(IBatonStore store, int maxBatch, ILogger logger)
{
    /// <summary>Store calls in flight at once: one commits while the next fills.</summary>
    internal const int Pipelines = 2;

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = false });

    /// <summary>Queues <paramref name="outcome"/>; the task completes when it is committed, or is canceled when the recorder stops first.</summary>
    public Task RecordAsync(HandlerOutcome outcome)
    {
        var pending = new Pending(outcome, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending)) pending.Done.TrySetCanceled();
        return pending.Done.Task;
    }

    /// <summary>Runs the recording loops until <paramref name="stoppingToken"/> fires; outcomes still queued then are canceled.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.WhenAll(Enumerable.Range(0, Pipelines).Select(_ => LoopAsync(stoppingToken))).ConfigureAwait(false);
        }
        finally
        {
            _queue.Writer.TryComplete();
            while (_queue.Reader.TryRead(out var left)) left.Done.TrySetCanceled();
        }
    }

    private async Task LoopAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < maxBatch && _queue.Reader.TryRead(out var pending)) batch.Add(pending);
                if (batch.Count > 0) await RecordBatchAsync(batch, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            foreach (var pending in batch) pending.Done.TrySetCanceled();
        }
    }

    private async Task RecordBatchAsync(List<Pending> batch, CancellationToken stoppingToken)
    {
        if (batch.Count > 1)
        {
            try
            {
                await store.RecordHandlerOutcomesAsync([.. batch.Select(p => p.Outcome)], stoppingToken).ConfigureAwait(false);
                foreach (var pending in batch) pending.Done.TrySetResult();
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                LogBatchNotRecorded(e, batch.Count);
            }
            await Task.WhenAll(batch.Select(p => RecordAloneAsync(p, stoppingToken))).ConfigureAwait(false);
            return;
        }
        await RecordAloneAsync(batch[0], stoppingToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records one outcome, retrying while the store is unreachable: the claim stays ours meanwhile (the worker keeps
    /// renewing it), so neither this node nor another runs the handler again for an outcome that is already known.
    /// </summary>
    private async Task RecordAloneAsync(Pending pending, CancellationToken stoppingToken)
    {
        for (var failures = 1; ; failures++)
        {
            try
            {
                await store.RecordHandlerOutcomesAsync([pending.Outcome], stoppingToken).ConfigureAwait(false);
                pending.Done.TrySetResult();
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                pending.Done.TrySetCanceled(stoppingToken);
                throw;
            }
            catch (OperationCanceledException e)
            {
                // Not a store outage and not our stop: the handler's caller gets the exception, as it did before batching.
                pending.Done.TrySetException(e);
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogOutcomeNotRecorded(e, pending.Outcome.TaskId, failures);
                await Task.Delay(WorkflowExecutor.Backoff(failures), TimeProvider.System, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private sealed record Pending(HandlerOutcome Outcome, TaskCompletionSource Done);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Warning, Message = "The outcome of task {TaskId}'s handler could not be recorded ({Failures} tries so far); retrying")]
    private partial void LogOutcomeNotRecorded(Exception exception, string taskId, int failures);

    [LoggerMessage(EventId = 1206, Level = LogLevel.Warning, Message = "A batch of {Count} handler outcomes could not be recorded; recording each alone")]
    private partial void LogBatchNotRecorded(Exception exception, int count);
}
