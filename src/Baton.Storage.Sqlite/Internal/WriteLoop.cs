using System.Threading.Channels;
using Baton.Engine.Storage;
using Baton.Storage.Relational;

namespace Baton.Storage.Sqlite.Internal;

/// <summary>
/// The single writer: drains queued operations, runs up to a batch of them in one <c>BEGIN IMMEDIATE</c> transaction (each in
/// its own savepoint), commits once (group commit), then answers the callers and raises the signals of what committed.
/// </summary>
internal sealed class WriteLoop : IAsyncDisposable
{
    private readonly Channel<WriteOp> _queue = Channel.CreateUnbounded<WriteOp>(new UnboundedChannelOptions { SingleReader = true });
    private readonly WriteContext _context;
    private readonly StoreSignals _signals;
    private readonly int _maxBatch;
    private readonly Task _loop;

    public WriteLoop(WriteContext context, StoreSignals signals, int maxBatch)
    {
        _context = context;
        _signals = signals;
        _maxBatch = maxBatch;
        _loop = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    /// <summary>Number of batches committed or attempted (for tests of group commit).</summary>
    public long Batches { get; private set; }

    public Task<T> EnqueueAsync<T>(Func<WriteContext, T> body, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }
        var op = new WriteOp<T>(body, cancellationToken);
        if (!_queue.Writer.TryWrite(op))
        {
            return Task.FromException<T>(new ObjectDisposedException(nameof(SqliteStore)));
        }
        return op.Task;
    }

    private async Task RunAsync()
    {
        var batch = new List<WriteOp>(Math.Min(_maxBatch, 1024));
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var op))
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
                RunBatch(batch);
            }
        }
    }

    private void RunBatch(List<WriteOp> batch)
    {
        Batches++;
        var effects = new Effects();
        var committed = false;
        try
        {
            _context.Sql.Exec("BEGIN IMMEDIATE");
            try
            {
                foreach (var op in batch)
                {
                    try
                    {
                        _context.InSavepoint(() => { op.Execute(_context); return 0; }, effects);
                    }
                    catch (Exception ex) when (ex is not WriterBrokenException)
                    {
                        op.Failure = ex;
                    }
                }
                _context.Sql.Exec("COMMIT");
                committed = true;
            }
            catch
            {
                TryRollback();
                throw;
            }
        }
#pragma warning disable CA1031 // Every failure is handed to the callers; the writer keeps running.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            foreach (var op in batch)
            {
                op.Failure ??= ex;
            }
        }
        foreach (var op in batch)
        {
            op.Complete();
        }
        if (committed)
        {
            effects.Raise(_signals);
        }
    }

    private void TryRollback()
    {
        try
        {
            _context.Sql.Exec("ROLLBACK");
        }
#pragma warning disable CA1031 // Best effort: the connection may already have rolled back.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }
}
