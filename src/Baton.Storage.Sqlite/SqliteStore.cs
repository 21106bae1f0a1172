using System.Data.Common;
using System.Globalization;
using Baton.Engine.Storage;
using Baton.Storage.Relational;
using Baton.Storage.Sqlite.Internal;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Baton.Storage.Sqlite;

/// <summary>
/// The embedded Baton store on one SQLite database. All writes go through one writer connection that group-commits batches
/// of operations (each in its own savepoint); reads use pooled connections beside it (WAL). A file database is locked
/// against a second store through <c>&lt;file&gt;.lock</c>.
/// </summary>
/// <remarks>
/// The first store created in a process sets SQLite to multi-thread mode without memory statistics: the store never uses
/// one connection from two threads at once, so SQLite's own per-call mutexes are pure cost (about 6% of a busy node's CPU).
/// Like every <c>sqlite3_config</c> setting this is process-wide; when SQLite was already initialized in the process (another
/// component opened a database first), SQLite refuses it and its settings stay as they were.
/// </remarks>
public sealed partial class SqliteStore : RelationalBatonStore, IStoreRunner
{
    private readonly SqliteStoreOptions _options;
    private readonly StoreSignals _signals;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly DbTarget _target;
    private readonly WriterMetrics _metrics;
    private FileLock? _lock;
    private SqliteConnection? _writeConnection;
    private WriteContext? _writeContext;
    private WriteLoop? _writer;
    private ReadPool? _reads;
    private int _state; // 0 new, 1 initialized, 2 disposed

    static SqliteStore()
    {
        SQLitePCL.Batteries_V2.Init();
        // Both return SQLITE_MISUSE once SQLite is initialized in this process; the defaults (serialized) then stay.
        _ = SQLitePCL.raw.sqlite3_config(SQLitePCL.raw.SQLITE_CONFIG_MULTITHREAD);
        _ = SQLitePCL.raw.sqlite3_config(SQLitePCL.raw.SQLITE_CONFIG_MEMSTATUS, 0);
    }

    /// <summary>Creates the store; nothing is opened before <see cref="InitializeAsync"/>.</summary>
    /// <param name="options">Settings; validated now.</param>
    /// <param name="signals">Where commits announce available work.</param>
    /// <param name="time">Clock for bookkeeping times (migrations); the system clock when null.</param>
    /// <param name="logger">Where applied migrations and failed background checkpoints are reported; none when null.</param>
    public SqliteStore(SqliteStoreOptions options, StoreSignals signals, TimeProvider? time = null, ILogger<SqliteStore>? logger = null)
        : base(SqliteDialect.Instance, SqliteClaims.Instance)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(signals);
        options.Validate();
        _options = options;
        _signals = signals;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger<SqliteStore>.Instance;
        _target = DbTarget.From(options);
        _metrics = new WriterMetrics("sqlite", _target.FilePath ?? ":memory:");
    }

    /// <summary>Schema versions applied by the last <see cref="InitializeAsync"/> (empty when the schema was current).</summary>
    internal IReadOnlyList<int> AppliedMigrations { get; private set; } = [];

    /// <summary>Write batches run so far.</summary>
    internal long WriteBatches => _writer?.Batches ?? 0;

    /// <summary>WAL syncs of the pipelined sync so far; null when commits sync themselves (for tests).</summary>
    internal long? WalSyncs => _writer?.WalSyncs;

    /// <summary>Checkpoints run beside the writer so far; null when the writer runs them itself (for tests).</summary>
    internal long? BackgroundCheckpointsRun => _writer?.Checkpoints;

    /// <summary>Syncs of the database file after background checkpoints so far; null without them (for tests).</summary>
    internal long? BackgroundDatabaseSyncs => _writer?.DatabaseSyncs;

    /// <inheritdoc />
    public override Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_state == 2, this);
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("SqliteStore.InitializeAsync was already called.");
        }
        try
        {
            if (_target.FilePath is { } path)
            {
                _lock = FileLock.Acquire(path);
            }
            _writeConnection = new SqliteConnection(_target.ConnectionString);
            _writeConnection.Open();
            using (var pragmas = _writeConnection.CreateCommand())
            {
                pragmas.CommandText =
                    (_target.IsMemory ? string.Empty : "PRAGMA journal_mode = WAL; ") +
                    "PRAGMA wal_autocheckpoint = " + WriterCheckpointPages().ToString(CultureInfo.InvariantCulture) + "; " +
                    "PRAGMA synchronous = " + _options.Synchronous.ToString().ToUpperInvariant() + "; " +
                    "PRAGMA foreign_keys = OFF; PRAGMA busy_timeout = 5000; PRAGMA temp_store = MEMORY;";
                pragmas.ExecuteNonQuery();
            }
            AppliedMigrations = Migrator.Apply(_writeConnection, _time.GetUtcNow().ToUnixTimeMilliseconds());
            if (AppliedMigrations.Count > 0)
            {
                LogMigrationsApplied(string.Join(", ", AppliedMigrations), AppliedMigrations[^1]);
            }
            if (!_target.IsMemory)
            {
                ClearLeases(_writeConnection);
            }
            _reads = new ReadPool(_target.ConnectionString);
            var writeSql = new NativeSql(_writeConnection, SqliteDialect.Instance);
            _writeContext = new WriteContext(writeSql);
            var sync = OpenWalSync();
            WalCheckpointer? checkpointer;
            try
            {
                checkpointer = BackgroundCheckpoints
                    ? WalCheckpointer.Start(_target.ConnectionString, _options.Synchronous, writeSql, _options.CheckpointPages, _logger, databasePath: _target.FilePath)
                    : null;
            }
            catch
            {
                sync?.Dispose();
                throw;
            }
            _writer = new WriteLoop(_writeContext, _signals, _options.MaxBatchSize, _metrics, sync, checkpointer);
        }
        catch
        {
            CloseResources();
            _state = 2;
            throw;
        }
        _signals.NotifyWorkflowsReady();
        _signals.NotifyTasksReady();
        _signals.NotifyTimersChanged();
        return Task.CompletedTask;
    }

    private bool BackgroundCheckpoints => _options.BackgroundCheckpoints && !_target.IsMemory;

    /// <summary>The writer's own <c>wal_autocheckpoint</c>: the threshold, or a safety net beside the background checkpointer.</summary>
    private int WriterCheckpointPages() =>
        BackgroundCheckpoints ? WalCheckpointer.WriterThreshold(_options.CheckpointPages) : _options.CheckpointPages;

    /// <summary>
    /// With <see cref="SqliteSynchronous.Full"/> and <see cref="SqliteStoreOptions.PipelinedSync"/> on a file database: the WAL
    /// sync that answers the writer's callers once their commits are on disk, the writer's commits no longer waiting for the
    /// disk themselves (see <see cref="WalSync"/>). Null where commits sync themselves.
    /// </summary>
    private WalSync? OpenWalSync()
    {
        if (!_options.PipelinedSync || _options.Synchronous != SqliteSynchronous.Full || _target.FilePath is not { } path)
        {
            return null;
        }
        var sync = WalSync.Open(path, _signals, _metrics);
        if (sync is not null)
        {
            using var pragma = _writeConnection!.CreateCommand();
            pragma.CommandText = "PRAGMA synchronous = NORMAL;";
            pragma.ExecuteNonQuery();
        }
        return sync;
    }

    /// <summary>This process owns the file alone now: claims of any earlier process are void.</summary>
    private static void ClearLeases(SqliteConnection connection)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText =
            "BEGIN IMMEDIATE; " +
            "UPDATE workflows SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL; " +
            "UPDATE tasks SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL; " +
            "COMMIT;";
        cmd.ExecuteNonQuery();
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
        {
            return;
        }
        if (_writer is not null)
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
        }
        CloseResources();
    }

    private void CloseResources()
    {
        _reads?.Dispose();
        _writeContext?.Dispose();
        _writeConnection?.Dispose();
        _lock?.Dispose();
        _reads = null;
        _writeContext = null;
        _writeConnection = null;
        _lock = null;
    }

    /// <summary>Queues a write for the writer; completes after the batch holding it commits.</summary>
    internal Task<T> WriteAsync<T>(Func<WriteContext, T> body, CancellationToken cancellationToken)
    {
        var writer = _writer;
        if (writer is null || _state != 1)
        {
            return Task.FromException<T>(_state == 2
                ? new ObjectDisposedException(nameof(SqliteStore))
                : new InvalidOperationException("SqliteStore.InitializeAsync must be called first."));
        }
        return writer.EnqueueAsync(body, cancellationToken);
    }

    /// <summary>Runs a read on a pooled read connection.</summary>
    private Task<T> ReadAsync<T>(Func<Sql, T> body, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }
        var pool = _reads;
        if (pool is null || _state != 1)
        {
            return Task.FromException<T>(_state == 2
                ? new ObjectDisposedException(nameof(SqliteStore))
                : new InvalidOperationException("SqliteStore.InitializeAsync must be called first."));
        }
        Sql sql;
        try
        {
            sql = pool.Rent();
        }
        catch (Exception ex) when (ex is SqliteException or ObjectDisposedException)
        {
            return Task.FromException<T>(ex);
        }
        try
        {
            return Task.FromResult(body(sql));
        }
#pragma warning disable CA1031 // Handed to the caller through the returned task.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Task.FromException<T>(ex);
        }
        finally
        {
            pool.Return(sql);
        }
    }

    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "SQLite store schema migrated: applied versions {Versions}, now at version {Version}")]
    private partial void LogMigrationsApplied(string versions, int version);

    Task<T> IStoreRunner.WriteAsync<T>(Func<WriteContext, T> body, CancellationToken cancellationToken) => WriteAsync(body, cancellationToken);

    Task<T?> IStoreRunner.ReadFirstAsync<T>(string sql, Func<DbDataReader, T> map, (string Name, object? Value)[] args, CancellationToken cancellationToken)
        where T : class =>
        ReadAsync(s => s.First(sql, map, args), cancellationToken);

    Task<IReadOnlyList<T>> IStoreRunner.ReadListAsync<T>(string sql, Func<DbDataReader, T> map, (string Name, object? Value)[] args, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<T>>(s => s.Query(sql, map, args), cancellationToken);

    Task<object?> IStoreRunner.ReadScalarAsync(string sql, (string Name, object? Value)[] args, CancellationToken cancellationToken) =>
        ReadAsync(s => s.Scalar(sql, args), cancellationToken);
}
