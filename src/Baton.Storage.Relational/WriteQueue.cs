using System.Threading.Channels;
using Baton.Engine.Storage;

namespace Baton.Storage.Relational;

/// <summary>
/// The queue in front of a store's writer loops: callers enqueue operations and get a task answered after the commit; each
/// loop takes up to a batch at a time. How a batch runs (connection, transaction, retries) is the store's own.
/// </summary>
internal sealed class WriteQueue
{
    private readonly Channel<WriteOp> _channel;
    private readonly string _storeName;
    private readonly WriterMetrics _metrics;

    /// <param name="storeName">Named in the exception of a write enqueued after disposal.</param>
    /// <param name="singleReader">Whether one loop takes from the queue.</param>
    /// <param name="metrics">Where the loops record their batches.</param>
    public WriteQueue(string storeName, bool singleReader, WriterMetrics metrics)
    {
        _storeName = storeName;
        _metrics = metrics;
        _channel = Channel.CreateUnbounded<WriteOp>(new UnboundedChannelOptions { SingleReader = singleReader });
    }

    public Task<T> EnqueueAsync<T>(Func<WriteContext, T> body, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }
        var op = new WriteOp<T>(body, cancellationToken);
        if (!_channel.Writer.TryWrite(op))
        {
            return Task.FromException<T>(new ObjectDisposedException(_storeName));
        }
        return op.Task;
    }

    /// <summary>
    /// Starts one writer loop on a thread of its own (named <paramref name="threadName"/>): until the queue is completed and
    /// drained, it hands <paramref name="runBatch"/> up to <paramref name="maxBatch"/> operations at a time (operations canceled
    /// while queued are answered as canceled instead). The returned task completes when the loop ends.
    /// </summary>
    /// <remarks>
    /// A dedicated thread rather than the thread pool: the loop blocks in SQL and in the commit's fsync for most of its life,
    /// and a pool thread held that long only makes the pool inject others; on its own thread the writer is also visible by
    /// name to profilers and debuggers.
    /// </remarks>
    public Task StartLoop(string threadName, int maxBatch, Action<List<WriteOp>> runBatch)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Run(maxBatch, runBatch);
                done.TrySetResult();
            }
#pragma warning disable CA1031 // Handed to whoever awaits the loop (disposal).
            catch (Exception ex)
#pragma warning restore CA1031
            {
                done.TrySetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = threadName,
        };
        thread.Start();
        return done.Task;
    }

    private void Run(int maxBatch, Action<List<WriteOp>> runBatch)
    {
        var batch = new List<WriteOp>(Math.Min(maxBatch, 1024));
        var reader = _channel.Reader;
        while (true)
        {
            if (!reader.TryPeek(out _))
            {
                var more = reader.WaitToReadAsync();
                if (!(more.IsCompleted ? more.Result : more.AsTask().GetAwaiter().GetResult()))
                {
                    return;
                }
            }
            batch.Clear();
            while (batch.Count < maxBatch && reader.TryRead(out var op))
            {
                if (op.CancellationToken.IsCancellationRequested)
                {
                    op.Cancel();
                }
                else
                {
                    batch.Add(op);
                }
            }
            if (batch.Count > 0)
            {
                var size = batch.Count;
                var started = WriterMetrics.Stamp();
                _metrics.BatchStarted(batch, started);
                runBatch(batch);
                _metrics.BatchRan(size, started);
            }
        }
    }

    /// <summary>No more writes are accepted; the loops end once the queue is drained.</summary>
    public void Complete() => _channel.Writer.TryComplete();

    /// <summary>
    /// Runs the operations of a batch. Not <paramref name="isolated"/> (the first run of every batch), they run straight in the
    /// transaction, and the first exception that does not already end the batch (<paramref name="failsBatch"/>) is thrown as
    /// <see cref="BatchNeedsIsolationException"/>: the store then rolls the transaction back and runs the batch again isolated.
    /// Isolated, each operation runs in its own savepoint: one that throws fails alone (its caller gets the exception), unless
    /// <paramref name="failsBatch"/> says its exception ends the whole batch (or the savepoint cannot be rolled back), which
    /// then propagates.
    /// </summary>
    public static void RunEach(WriteContext context, List<WriteOp> batch, Effects into, Func<Exception, bool> failsBatch, bool isolated)
    {
        context.Isolated = isolated;
        try
        {
            foreach (var op in batch)
            {
                try
                {
                    context.InSavepoint(() => { op.Execute(context); return 0; }, into);
                }
                catch (Exception ex) when (ex is not WriterBrokenException && !failsBatch(ex))
                {
                    if (!isolated)
                    {
                        throw new BatchNeedsIsolationException(ex);
                    }
                    op.Failure = ex;
                }
            }
        }
        finally
        {
            context.Isolated = true;
        }
    }

    /// <summary>
    /// Answers a batch's callers, every one that has no failure of its own with <paramref name="failure"/> when the batch
    /// failed; then, if it committed, raises the signals of what it made available.
    /// </summary>
    public static void Answer(List<WriteOp> batch, Exception? failure, bool committed, Effects effects, StoreSignals signals)
    {
        foreach (var op in batch)
        {
            if (failure is not null)
            {
                op.Failure ??= failure;
            }
            op.Complete();
        }
        if (committed)
        {
            effects.Raise(signals);
        }
    }
}
