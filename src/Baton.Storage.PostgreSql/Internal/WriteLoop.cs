using Baton.Engine.Storage;
using Baton.Storage.Relational;
using Npgsql;

namespace Baton.Storage.PostgreSql.Internal;

/// <summary>
/// The writers: a few threads drain one queue of operations; each runs up to a batch of them in one transaction (straight, or
/// each in its own savepoint when the straight run met a failure), sends the batch's notifications, commits once (group
/// commit), then answers the callers and raises the local signals of what committed. Each batch borrows a pooled connection,
/// so a connection broken by a server restart fails only the batch that used it (its callers get the exception) and the next
/// batch opens a fresh one.
/// </summary>
internal sealed class WriteLoop : IAsyncDisposable
{
    private readonly WriteQueue _queue;
    private readonly NpgsqlDataSource _dataSource;
    private readonly StoreSignals _signals;
    private readonly string _channel;
    private readonly string _senderId;
    private readonly Task[] _loops;
    private long _batches;
    private long _conflictRetries;
    private long _repeatedConflicts;
    private long _roundTrips;
    private long _heldStatements;

    // Held shared by every batch run, exclusively by the run of a batch that met a write conflict (see Run).
    private readonly ReaderWriterLockSlim _alone = new(LockRecursionPolicy.NoRecursion);

    public WriteLoop(NpgsqlDataSource dataSource, StoreSignals signals, int maxBatch, int writers, string channel, string senderId)
    {
        var database = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).Database ?? string.Empty;
        _queue = new WriteQueue(nameof(PostgreSqlStore), singleReader: false, new WriterMetrics("postgresql", database));
        _dataSource = dataSource;
        _signals = signals;
        _channel = channel;
        _senderId = senderId;
        _loops = new Task[writers];
        for (var i = 0; i < writers; i++)
        {
            _loops[i] = _queue.StartLoop("Baton PostgreSQL writer " + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), maxBatch, RunBatch);
        }
    }

    /// <summary>At most this many runs of one batch that keeps meeting write conflicts; the last conflict is then its callers' answer.</summary>
    private const int MaxConflictAttempts = 5;

    /// <summary>Number of batches committed or attempted (for tests of group commit).</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Number of batch runs repeated after a write conflict (for tests).</summary>
    public long ConflictRetries => Interlocked.Read(ref _conflictRetries);

    /// <summary>Number of batch runs that met a write conflict again after running alone (for tests).</summary>
    public long RepeatedConflicts => Interlocked.Read(ref _repeatedConflicts);

    /// <summary>Round trips of the batches run so far, their <c>BEGIN</c> included (for tests).</summary>
    public long RoundTrips => Interlocked.Read(ref _roundTrips);

    /// <summary>Statements that went with a later one instead of in a round trip of their own (for tests).</summary>
    public long HeldStatements => Interlocked.Read(ref _heldStatements);

    public Task<T> EnqueueAsync<T>(Func<WriteContext, T> body, CancellationToken cancellationToken) => _queue.EnqueueAsync(body, cancellationToken);

    private void RunBatch(List<WriteOp> batch)
    {
        var isolated = false;
        var conflicted = false;
        for (var attempt = 1; ; attempt++)
        {
            Interlocked.Increment(ref _batches);
            var (effects, failure) = Run(batch, isolated, alone: conflicted);
            if (failure is BatchNeedsIsolationException && !isolated)
            {
                // An operation failed in the run without savepoints: nothing committed; run again with each in its own savepoint.
                isolated = true;
                attempt--;
                continue;
            }
            if (failure is not null && ConnectionErrors.IsWriteConflict(failure) && attempt < MaxConflictAttempts)
            {
                // Two writers locked the same rows in opposite orders and the server aborted this transaction so the other
                // could finish. Nothing of it committed: run the whole batch again instead of failing its callers.
                foreach (var op in batch)
                {
                    op.Failure = null;
                }
                Interlocked.Increment(ref _conflictRetries);
                if (conflicted)
                {
                    Interlocked.Increment(ref _repeatedConflicts);
                }
                conflicted = true;
                continue;
            }
            WriteQueue.Answer(batch, failure, committed: failure is null, effects, _signals);
            return;
        }
    }

    /// <summary>
    /// A batch's run: beside this node's other writers, or, after a write conflict, <paramref name="alone"/> while they wait.
    /// Alone it cannot deadlock with them again, only with another node's transactions. Without this, the batch that lost a
    /// deadlock ran again beside the other writers' next batches, which lock the same hot rows (a workflow's row, its tasks) in
    /// other orders, and could lose every attempt: the PostgreSQL DRT surfaced <c>40P01</c> to completion callers in 2 of 21
    /// runs (<c>bench/RESULTS.md</c>, push 11). The other writers finish the batches they have begun first; the loser's own
    /// locks went with its rollback.
    /// </summary>
    private (Effects Effects, Exception? Failure) Run(List<WriteOp> batch, bool isolated, bool alone)
    {
        if (alone) _alone.EnterWriteLock();
        else _alone.EnterReadLock();
        try
        {
            return TryBatch(batch, isolated);
        }
        finally
        {
            if (alone) _alone.ExitWriteLock();
            else _alone.ExitReadLock();
        }
    }

    private (Effects Effects, Exception? Failure) TryBatch(List<WriteOp> batch, bool isolated)
    {
        var effects = new Effects();
        try
        {
            using var connection = Begin();
            using var sql = new PipelinedSql(connection);
            var context = new WriteContext(sql);
            try
            {
                WriteQueue.RunEach(context, batch, effects, FailsBatch, isolated);
                if (!effects.IsEmpty)
                {
                    foreach (var payload in Notifications.Payloads(effects, _senderId))
                    {
                        sql.Send("SELECT pg_notify(@channel, @payload)", ("@channel", _channel), ("@payload", payload));
                    }
                }
                Commit(sql, isolated);
                return (effects, null);
            }
            catch
            {
                TryRollback(sql);
                throw;
            }
            finally
            {
                Interlocked.Add(ref _roundTrips, sql.RoundTrips + 1);
                Interlocked.Add(ref _heldStatements, sql.Held);
            }
        }
#pragma warning disable CA1031 // Every failure is handed to the callers; the writer keeps running.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (ConnectionErrors.IsConnectionLost(ex) || ex is WriterBrokenException)
            {
                // The server restarted or dropped connections: the idle ones are broken too, open fresh ones from now on.
                _dataSource.Clear();
            }
            return (effects, ex);
        }
    }

    /// <summary>
    /// Commits, with whatever the batch's last operations hold (see <see cref="PipelinedSql"/>). When one of those writes fails
    /// in a run without savepoints, the batch runs again with them, where each operation's savepoint release sends its own
    /// writes and a failure reaches only its caller.
    /// </summary>
    private static void Commit(PipelinedSql sql, bool isolated)
    {
        try
        {
            sql.Exec("COMMIT");
        }
        catch (Exception ex) when (!isolated && !FailsBatch(ex) && ex is not WriterBrokenException)
        {
            throw new BatchNeedsIsolationException(ex);
        }
    }

    /// <summary>Errors that end the whole batch rather than the one operation: a lost connection, and a write conflict (retried).</summary>
    private static bool FailsBatch(Exception ex) => ConnectionErrors.IsConnectionLost(ex) || ConnectionErrors.IsWriteConflict(ex);

    /// <summary>
    /// Opens a connection and begins the batch's transaction. A pooled connection the server closed meanwhile fails here before
    /// anything was written, so the pool is cleared and a fresh connection tried once more.
    /// </summary>
    private NpgsqlConnection Begin()
    {
        for (var attempt = 1; ; attempt++)
        {
            var connection = _dataSource.OpenConnection();
            try
            {
                using var begin = new NpgsqlCommand("BEGIN", connection);
                begin.ExecuteNonQuery();
                return connection;
            }
            catch (Exception ex) when (attempt == 1 && ConnectionErrors.IsConnectionLost(ex))
            {
                connection.Dispose();
                _dataSource.Clear();
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }
    }

    private static void TryRollback(Sql sql)
    {
        try
        {
            sql.Discard();
            if (sql.Connection.State == System.Data.ConnectionState.Open)
            {
                sql.Exec("ROLLBACK");
            }
        }
#pragma warning disable CA1031 // Best effort: the connection may already be broken or rolled back.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Complete();
        await Task.WhenAll(_loops).ConfigureAwait(false);
        _alone.Dispose();
    }
}
