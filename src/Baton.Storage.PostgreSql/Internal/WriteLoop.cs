using System.Threading.Channels;
using Baton.Engine.Storage;
using Baton.Storage.Relational;
using Npgsql;

namespace Baton.Storage.PostgreSql.Internal;

/// <summary>
/// The writers: a few threads drain one queue of operations; each runs up to a batch of them in one transaction (each in its own
/// savepoint), sends the batch's notifications, commits once (group commit), then answers the callers and raises the local
/// signals of what committed. Each batch borrows a pooled connection, so a connection broken by a server restart fails only the
/// batch that used it (its callers get the exception) and the next batch opens a fresh one.
/// </summary>
internal sealed class WriteLoop : IAsyncDisposable
{
    private readonly Channel<WriteOp> _queue = Channel.CreateUnbounded<WriteOp>(new UnboundedChannelOptions { SingleReader = false });
    private readonly NpgsqlDataSource _dataSource;
    private readonly StoreSignals _signals;
    private readonly int _maxBatch;
    private readonly string _channel;
    private readonly string _senderId;
    private readonly Task[] _loops;
    private long _batches;

    public WriteLoop(NpgsqlDataSource dataSource, StoreSignals signals, int maxBatch, int writers, string channel, string senderId)
    {
        _dataSource = dataSource;
        _signals = signals;
        _maxBatch = maxBatch;
        _channel = channel;
        _senderId = senderId;
        _loops = new Task[writers];
        for (var i = 0; i < writers; i++)
        {
            _loops[i] = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        }
    }

    /// <summary>Number of batches committed or attempted (for tests of group commit).</summary>
    public long Batches => Interlocked.Read(ref _batches);

    public Task<T> EnqueueAsync<T>(Func<WriteContext, T> body, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }
        var op = new WriteOp<T>(body, cancellationToken);
        if (!_queue.Writer.TryWrite(op))
        {
            return Task.FromException<T>(new ObjectDisposedException(nameof(PostgreSqlStore)));
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
        Interlocked.Increment(ref _batches);
        var effects = new Effects();
        var committed = false;
        try
        {
            using var connection = Begin();
            using var sql = new Sql(connection, PostgreSqlDialect.Instance, cached: false);
            var context = new WriteContext(sql);
            try
            {
                foreach (var op in batch)
                {
                    try
                    {
                        context.InSavepoint(() => { op.Execute(context); return 0; }, effects);
                    }
                    catch (Exception ex) when (ex is not WriterBrokenException && !ConnectionErrors.IsConnectionLost(ex))
                    {
                        op.Failure = ex;
                    }
                }
                if (!effects.IsEmpty)
                {
                    foreach (var payload in Notifications.Payloads(effects, _senderId))
                    {
                        sql.Exec("SELECT pg_notify(@channel, @payload)", ("@channel", _channel), ("@payload", payload));
                    }
                }
                sql.Exec("COMMIT");
                committed = true;
            }
            catch
            {
                TryRollback(sql);
                throw;
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
        _queue.Writer.TryComplete();
        await Task.WhenAll(_loops).ConfigureAwait(false);
    }
}
