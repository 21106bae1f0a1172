using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Baton.Storage.Sqlite.Internal;

/// <summary>
/// Copies the write-ahead log back into the database file on its own thread and connection, so that the writer never stops
/// for it. SQLite's automatic checkpoint runs inside the commit that crosses the threshold: that commit copies every page of
/// the log and syncs the database file while every write queued behind the writer waits, so the writer wants checkpoints
/// rare and large, and each large one stalls a batch of requests. Here the writer only counts the pages it commits and, each
/// time the log has grown by the threshold, wakes this thread, which runs a <c>PASSIVE</c> checkpoint beside the writer's next
/// commits (SQLite lets one checkpointer run beside one writer; neither waits for the other). Checkpoints can then be small
/// and frequent, which is what shortens the tail (see <see cref="SqliteStoreOptions.CheckpointPages"/>); the thread's low
/// priority keeps their extra copying out of a busy node's way.
/// </summary>
/// <remarks>
/// <para>
/// The writer keeps SQLite's own automatic checkpoint at a multiple of the threshold (<see cref="WriterSafetyNet"/>), so the
/// log stays bounded even when this thread falls behind or its checkpoints fail. Under steady writes that checkpoint is also
/// the only one that lets the log restart from its start: a restart needs every frame copied back, and the writer appends
/// beside this thread's checkpoints, never inside them.
/// </para>
/// <para>
/// A checkpoint syncs the log before copying and the database file after, as the writer's would (the connection runs at the
/// store's <c>synchronous</c> level), so durability and crash recovery are those of SQLite's own checkpoints. But SQLite
/// syncs the database file only after a checkpoint that reached the end of the log, which under steady writes these never
/// do: every page they copied stayed unsynced until the writer's own checkpoint synced them all, while every write queued
/// behind it waited (about 2.7 ms a time, every 150 ms, at 2,000 completions a second; <c>bench/RESULTS.md</c>, push 18).
/// So this thread syncs the database file itself (<c>fdatasync</c>) after its last checkpoint before the writer's (see
/// <see cref="SyncFromPages"/>), unless the store runs without syncs; the writer's then only syncs what was copied since. An
/// extra sync never weakens durability.
/// </para>
/// <para>
/// A failed checkpoint (or sync) is logged once, with its cause, and again when checkpoints succeed again, rather than at
/// every retry.
/// </para>
/// </remarks>
internal sealed partial class WalCheckpointer : IDisposable
{
    /// <summary>How many thresholds long the log may grow before the writer copies it back itself.</summary>
    internal const int WriterSafetyNet = 4;

    private readonly object _gate = new();
    private readonly SqliteConnection _connection;
    private readonly NativeSql _writer;
    private readonly int _thresholdPages;
    private readonly ILogger _logger;
    private readonly Func<SqliteConnection, long> _checkpoint;
    private readonly SafeFileHandle? _database;
    private readonly Thread _thread;
    private long _pagesSinceRequest; // the writer's thread only
    private bool _requested;
    private bool _stopping;
    private long _checkpoints;
    private long _databaseSyncs;
    private int _failuresInARow; // the checkpointer's thread only

    private WalCheckpointer(
        SqliteConnection connection, NativeSql writer, int thresholdPages, ILogger logger, Func<SqliteConnection, long> checkpoint, SafeFileHandle? database)
    {
        _connection = connection;
        _writer = writer;
        _thresholdPages = thresholdPages;
        _logger = logger;
        _checkpoint = checkpoint;
        _database = database;
        _thread = new Thread(Run) { IsBackground = true, Name = "Baton SQLite checkpointer" };
        _thread.Start();
    }

    /// <summary>Checkpoints run so far (for tests).</summary>
    public long Checkpoints => Interlocked.Read(ref _checkpoints);

    /// <summary>Syncs of the database file after a checkpoint so far (for tests); at most one per checkpoint.</summary>
    public long DatabaseSyncs => Interlocked.Read(ref _databaseSyncs);

    /// <summary>
    /// Opens the checkpointer's own connection to the database of <paramref name="connectionString"/> and starts its thread;
    /// <paramref name="writer"/> is the writer's connection, whose written pages <see cref="AfterBatch"/> counts.
    /// </summary>
    /// <param name="connectionString">The store's database.</param>
    /// <param name="synchronous">The store's <c>synchronous</c> level, which the checkpoints' syncs follow.</param>
    /// <param name="writer">The writer's connection.</param>
    /// <param name="thresholdPages">Pages written between checkpoints.</param>
    /// <param name="logger">Where failed checkpoints are reported.</param>
    /// <param name="checkpoint">
    /// Runs one checkpoint on the given connection and returns the log's length in pages (SQLite's answer); tests put a failing
    /// one here.
    /// </param>
    /// <param name="databasePath">
    /// The database file, synced after a checkpoint that finds the log nearly as long as the writer's threshold (see the
    /// remarks); null, or a <paramref name="synchronous"/> of <see cref="SqliteSynchronous.Off"/>, leaves the syncs to SQLite.
    /// </param>
    public static WalCheckpointer Start(
        string connectionString, SqliteSynchronous synchronous, NativeSql writer, int thresholdPages, ILogger logger,
        Func<SqliteConnection, long>? checkpoint = null, string? databasePath = null)
    {
        var connection = new SqliteConnection(connectionString);
        SafeFileHandle? database = null;
        try
        {
            connection.Open();
            using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA synchronous = " + synchronous.ToString().ToUpperInvariant() + ";";
            pragma.ExecuteNonQuery();
            if (databasePath is not null && synchronous != SqliteSynchronous.Off)
            {
                database = FileSync.TryOpenSynced(databasePath);
            }
            return new WalCheckpointer(connection, writer, thresholdPages, logger, checkpoint ?? CheckpointPassive, database);
        }
        catch
        {
            database?.Dispose();
            connection.Dispose();
            throw;
        }
    }

    /// <summary>The writer's <c>wal_autocheckpoint</c> beside a checkpointer of <paramref name="thresholdPages"/>.</summary>
    public static int WriterThreshold(int thresholdPages) => (int)Math.Min((long)thresholdPages * WriterSafetyNet, int.MaxValue);

    /// <summary>
    /// Called by the writer, on its thread, after each batch: adds up the pages it wrote to the log and wakes the checkpointer
    /// each time they reach the threshold.
    /// </summary>
    public void AfterBatch()
    {
        _pagesSinceRequest += _writer.TakePagesWritten();
        if (_pagesSinceRequest < _thresholdPages)
        {
            return;
        }
        _pagesSinceRequest = 0;
        lock (_gate)
        {
            _requested = true;
            Monitor.Pulse(_gate);
        }
    }

    private void Run()
    {
        LowerPriority();
        while (true)
        {
            lock (_gate)
            {
                while (!_requested && !_stopping)
                {
                    Monitor.Wait(_gate);
                }
                if (_stopping)
                {
                    return;
                }
                _requested = false;
            }
            try
            {
                var logPages = _checkpoint(_connection);
                if (_database is not null && logPages >= SyncFromPages(_thresholdPages))
                {
                    FileSync.DataSync(_database);
                    Interlocked.Increment(ref _databaseSyncs);
                }
                Interlocked.Increment(ref _checkpoints);
                if (_failuresInARow > 0)
                {
                    LogCheckpointsResumed(_failuresInARow);
                    _failuresInARow = 0;
                }
            }
#pragma warning disable CA1031 // Any failure: the thread must live on, as SQLite lives on after a failed automatic checkpoint.
            catch (Exception e)
#pragma warning restore CA1031
            {
                // The next request tries again, and the writer's own checkpoint bounds the log meanwhile. Reported once per
                // run of failures: a failing disk would otherwise log at every request.
                if (_failuresInARow++ == 0)
                {
                    LogCheckpointFailed(e, WriterThreshold(_thresholdPages));
                }
            }
        }
    }

    /// <summary>
    /// How long the log must be for a checkpoint to sync the database file: one threshold short of the writer's own
    /// checkpoint, so that at most about one checkpoint per restart of the log syncs (at low priority, this thread often
    /// reaches that length only after the writer has restarted the log). Syncing after every checkpoint would write the pages
    /// that every batch rewrites (index roots, the ends of tables) to disk up to four times per restart instead of once; in
    /// three balanced rounds that version's HTTP DRT was about a tenth slower, this one's was not (push 18).
    /// </summary>
    internal static long SyncFromPages(int thresholdPages) => (long)thresholdPages * (WriterSafetyNet - 1);

    private static long CheckpointPassive(SqliteConnection connection)
    {
        using var checkpoint = connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        using var answer = checkpoint.ExecuteReader();
        // (busy, pages in the log, pages copied back); -1 for both counts when the log could not be read.
        return answer.Read() ? answer.GetInt64(1) : -1;
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning,
        Message = "A background checkpoint of the SQLite write-ahead log failed; it is retried at the next threshold, and the writer copies the log back itself once it reaches {WriterPages} pages")]
    private partial void LogCheckpointFailed(Exception exception, int writerPages);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information,
        Message = "Background checkpoints of the SQLite write-ahead log succeed again, after {Failures} failed in a row")]
    private partial void LogCheckpointsResumed(int failures);

    /// <summary>
    /// Lowers this thread's scheduling priority by 10 <c>nice</c> steps (Linux), as databases do for their background
    /// maintenance: on a busy machine the writer and the requests go first and the checkpointer catches up in the gaps,
    /// copying more pages at once (each copied once however often it was rewritten); on an idle one it runs at once and its
    /// checkpoints stay small.
    /// </summary>
    private static void LowerPriority()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        try
        {
            // PRIO_PROCESS with a thread id: that thread alone. getpriority may return -1 as a value, hence errno.
            var thread = GetThreadId();
            Marshal.SetLastPInvokeError(0);
            var nice = GetPriority(0, thread);
            if (Marshal.GetLastPInvokeError() == 0)
            {
                _ = SetPriority(0, thread, Math.Min(19, nice + 10));
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (musl on Alpine, for one): the checkpointer keeps the normal priority.
        }
    }

    [LibraryImport("libc.so.6", EntryPoint = "getpriority", SetLastError = true)]
    private static partial int GetPriority(int which, int who);

    [LibraryImport("libc.so.6", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc.so.6", EntryPoint = "gettid")]
    private static partial int GetThreadId();

    /// <summary>Stops the thread (a checkpoint under way finishes first) and closes the connection.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.Pulse(_gate);
        }
        _thread.Join();
        _connection.Dispose();
        _database?.Dispose();
    }
}
