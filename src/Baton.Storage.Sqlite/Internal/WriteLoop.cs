using Baton.Engine.Storage;
using Baton.Storage.Relational;

namespace Baton.Storage.Sqlite.Internal;

/// <summary>
/// The single writer: drains queued operations, runs up to a batch of them in one <c>BEGIN IMMEDIATE</c> transaction (straight,
/// or each in its own savepoint when the straight run met a failure), commits once (group commit), then answers the callers and
/// raises the signals of what committed — or, with a <see cref="WalSync"/>, hands the committed batch to it, which does that
/// once the commit is on disk while the writer goes on. With a <see cref="WalCheckpointer"/>, it tells it how many pages each
/// batch wrote, so that the log is copied back beside the writer instead of inside one of its commits.
/// </summary>
internal sealed class WriteLoop : IAsyncDisposable
{
    private readonly WriteQueue _queue;
    private readonly WriteContext _context;
    private readonly StoreSignals _signals;
    private readonly WalSync? _sync;
    private readonly WalCheckpointer? _checkpointer;
    private readonly Task _loop;

    public WriteLoop(WriteContext context, StoreSignals signals, int maxBatch, WriterMetrics metrics, WalSync? sync = null, WalCheckpointer? checkpointer = null)
    {
        _queue = new WriteQueue(nameof(SqliteStore), singleReader: true, metrics);
        _context = context;
        _signals = signals;
        _sync = sync;
        _checkpointer = checkpointer;
        _loop = _queue.StartLoop("Baton SQLite writer", maxBatch, RunBatch);
    }

    /// <summary>Number of batches committed or attempted (for tests of group commit).</summary>
    public long Batches { get; private set; }

    /// <summary>Syncs of the pipelined WAL sync so far; null without one.</summary>
    public long? WalSyncs => _sync?.Syncs;

    /// <summary>Checkpoints of the background checkpointer so far; null without one.</summary>
    public long? Checkpoints => _checkpointer?.Checkpoints;

    /// <summary>Syncs of the database file after the background checkpoints so far; null without a checkpointer.</summary>
    public long? DatabaseSyncs => _checkpointer?.DatabaseSyncs;

    public Task<T> EnqueueAsync<T>(Func<WriteContext, T> body, CancellationToken cancellationToken) => _queue.EnqueueAsync(body, cancellationToken);

    private void RunBatch(List<WriteOp> batch)
    {
        if (_sync is not null && _sync.Refused(batch))
        {
            return;
        }
        // First without savepoints; if an operation throws, everything is rolled back and the batch runs again isolated.
        var (effects, failure) = TryBatch(batch, isolated: false);
        if (failure is BatchNeedsIsolationException)
        {
            (effects, failure) = TryBatch(batch, isolated: true);
        }
        _checkpointer?.AfterBatch();
        if (failure is null && _sync is not null)
        {
            // The queue reuses its list for the next batch.
            _sync.Committed([.. batch], effects);
            return;
        }
        WriteQueue.Answer(batch, failure, committed: failure is null, effects, _signals);
    }

    private (Effects Effects, Exception? Failure) TryBatch(List<WriteOp> batch, bool isolated)
    {
        Batches++;
        var effects = new Effects();
        try
        {
            _context.Sql.Exec("BEGIN IMMEDIATE");
            try
            {
                WriteQueue.RunEach(_context, batch, effects, static _ => false, isolated);
                _context.Sql.Exec("COMMIT");
                return (effects, null);
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
            return (effects, ex);
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
        _queue.Complete();
        await _loop.ConfigureAwait(false);
        _sync?.Dispose();
        _checkpointer?.Dispose();
    }
}
