using Baton.Engine.Storage;
using Baton.Storage.Relational;

namespace Baton.Storage.Sqlite.Internal;

/// <summary>
/// Makes committed batches durable off the writer's thread (pipelined sync). The writer connection runs
/// <c>synchronous = NORMAL</c>, so its <c>COMMIT</c> writes the WAL without waiting for the disk; each committed batch is handed
/// here, and one thread syncs the WAL file and only then answers the batch's callers and raises its signals. One sync covers
/// every batch committed before it started, so while it runs the writer goes on with the next batches instead of idling in
/// <c>fsync</c> (a sixth of its time at full load).
/// </summary>
/// <remarks>
/// What callers are told is unchanged: an operation is answered only once its commit is on disk, exactly as with
/// <c>synchronous = FULL</c>. What changes is what other connections may read: a commit is visible to readers a few
/// milliseconds before it is on disk. A process crash (kill -9) loses nothing either way, since the commit is in the operating
/// system's cache; only a power loss or kernel crash inside that window can undo a commit that a reader (never its caller) has
/// seen. SQLite's own NORMAL mode keeps the file consistent across such a crash (the WAL is synced before every checkpoint).
/// A failed sync leaves durability unknown (the kernel may have dropped the pages), so it is final: its callers and every
/// later write get the error.
/// </remarks>
internal sealed class WalSync : IDisposable
{
    private readonly object _gate = new();
    private readonly StoreSignals _signals;
    private readonly WriterMetrics _metrics;
    private readonly Action _sync;
    private readonly IDisposable? _file;
    private readonly Thread _thread;
    private List<(List<WriteOp> Batch, Effects Effects, long CommittedAt)> _pending = [];
    private Exception? _failure;
    private bool _stopping;
    private long _syncs;

    /// <param name="signals">Raised for each batch once it is durable.</param>
    /// <param name="metrics">Where each batch's wait for its sync is recorded.</param>
    /// <param name="sync">Makes everything committed so far durable; throws when it cannot.</param>
    /// <param name="file">Disposed with this instance (the file <paramref name="sync"/> uses).</param>
    internal WalSync(StoreSignals signals, WriterMetrics metrics, Action sync, IDisposable? file = null)
    {
        _signals = signals;
        _metrics = metrics;
        _sync = sync;
        _file = file;
        _thread = new Thread(Run) { IsBackground = true, Name = "Baton SQLite WAL sync" };
        _thread.Start();
    }

    /// <summary>Number of syncs run so far (for tests).</summary>
    public long Syncs => Interlocked.Read(ref _syncs);

    /// <summary>The error of a failed sync, after which nothing more is written; null while all is well.</summary>
    public Exception? Failure
    {
        get
        {
            lock (_gate) return _failure;
        }
    }

    /// <summary>
    /// Opens the WAL file of the database at <paramref name="databasePath"/> for syncing, syncs its directory once (a WAL
    /// file SQLite just created is only durable with its directory entry), and starts the sync thread. Null where this is not
    /// possible (not Linux, no WAL file, or a C library other than glibc's, such as musl on Alpine): the writer then syncs in
    /// its commits.
    /// </summary>
    public static WalSync? Open(string databasePath, StoreSignals signals, WriterMetrics metrics)
    {
        var walPath = databasePath + "-wal";
        if (!File.Exists(walPath) || FileSync.TryOpenSynced(walPath) is not { } wal)
        {
            return null;
        }
        try
        {
            FileSync.SyncDirectory(Path.GetDirectoryName(walPath)!);
            return new WalSync(signals, metrics, () => FileSync.DataSync(wal), wal);
        }
        catch
        {
            wal.Dispose();
            throw;
        }
    }

    /// <summary>
    /// After a failed sync, answers <paramref name="batch"/> with that failure instead of letting the writer run it, and returns
    /// true; false while all is well.
    /// </summary>
    public bool Refused(List<WriteOp> batch)
    {
        if (Failure is null)
        {
            return false;
        }
        WriteQueue.Answer(batch, Failed(), committed: false, new Effects(), _signals);
        return true;
    }

    /// <summary>Called by the writer right after a batch committed; the batch's callers are answered once it is durable.</summary>
    public void Committed(List<WriteOp> batch, Effects effects)
    {
        lock (_gate)
        {
            if (_failure is null)
            {
                _pending.Add((batch, effects, WriterMetrics.Stamp()));
                Monitor.Pulse(_gate);
                return;
            }
        }
        WriteQueue.Answer(batch, Failed(), committed: false, effects, _signals);
    }

    private void Run()
    {
        while (true)
        {
            List<(List<WriteOp> Batch, Effects Effects, long CommittedAt)> durable;
            lock (_gate)
            {
                while (_pending.Count == 0 && !_stopping)
                {
                    Monitor.Wait(_gate);
                }
                if (_pending.Count == 0)
                {
                    return;
                }
                durable = _pending;
                _pending = [];
            }
            Exception? failure = null;
            try
            {
                _sync();
                Interlocked.Increment(ref _syncs);
            }
#pragma warning disable CA1031 // Handed to the callers of the batches it concerns, and to every later write.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                lock (_gate) _failure ??= ex;
                failure = Failed();
            }
            foreach (var (batch, effects, committedAt) in durable)
            {
                WriteQueue.Answer(batch, failure, committed: failure is null, effects, _signals);
                if (failure is null) _metrics.Durable(committedAt);
            }
        }
    }

    private WriterBrokenException Failed() =>
        new("The SQLite write-ahead log could not be synced to disk; whether recent commits are durable is unknown, so the store writes no more.", _failure!);

    /// <summary>Answers what is still waiting (after a last sync) and stops the thread; the writer must have stopped first.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.Pulse(_gate);
        }
        _thread.Join();
        _file?.Dispose();
    }
}
