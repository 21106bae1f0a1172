using Baton.Engine.Storage;
using Baton.Storage.Relational;

namespace Baton.Storage.Sqlite.Internal;

/// <summary>
/// The single writer: drains queued operations, runs up to a batch of them in one <c>BEGIN IMMEDIATE</c> transaction (each in
/// its own savepoint), commits once (group commit), then answers the callers and raises the signals of what committed.
/// </summary>
internal sealed class WriteLoop : IAsyncDisposable
{
    private readonly WriteQueue _queue = new(nameof(SqliteStore), singleReader: true);
    private readonly WriteContext _context;
    private readonly StoreSignals _signals;
    private readonly Task _loop;

    public WriteLoop(WriteContext context, StoreSignals signals, int maxBatch)
    {
        _context = context;
        _signals = signals;
        _loop = Task.Factory.StartNew(() => _queue.RunAsync(maxBatch, RunBatch), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    /// <summary>Number of batches committed or attempted (for tests of group commit).</summary>
    public long Batches { get; private set; }

    public Task<T> EnqueueAsync<T>(Func<WriteContext, T> body, CancellationToken cancellationToken) => _queue.EnqueueAsync(body, cancellationToken);

    private void RunBatch(List<WriteOp> batch)
    {
        Batches++;
        var effects = new Effects();
        Exception? failure = null;
        try
        {
            _context.Sql.Exec("BEGIN IMMEDIATE");
            try
            {
                WriteQueue.RunEach(_context, batch, effects, static _ => false);
                _context.Sql.Exec("COMMIT");
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
            failure = ex;
        }
        WriteQueue.Answer(batch, failure, committed: failure is null, effects, _signals);
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
        _queue.Complete();
        await _loop.ConfigureAwait(false);
    }
}
