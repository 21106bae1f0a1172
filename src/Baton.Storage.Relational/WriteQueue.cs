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

    /// <param name="storeName">Named in the exception of a write enqueued after disposal.</param>
    /// <param name="singleReader">Whether one loop takes from the queue.</param>
    public WriteQueue(string storeName, bool singleReader)
    {
        _storeName = storeName;
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
    /// One writer loop: until the queue is completed and drained, hands <paramref name="runBatch"/> up to
    /// <paramref name="maxBatch"/> operations at a time (operations canceled while queued are answered as canceled instead).
    /// </summary>
    public async Task RunAsync(int maxBatch, Action<List<WriteOp>> runBatch)
    {
        var batch = new List<WriteOp>(Math.Min(maxBatch, 1024));
        while (await _channel.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < maxBatch && _channel.Reader.TryRead(out var op))
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
                runBatch(batch);
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
