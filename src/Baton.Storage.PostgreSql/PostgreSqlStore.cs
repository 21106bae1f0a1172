using System.Data.Common;
using Baton.Engine.Storage;
using Baton.Storage.PostgreSql.Internal;
using Baton.Storage.Relational;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Baton.Storage.PostgreSql;

/// <summary>
/// The Baton store on PostgreSQL, shared by several nodes. Writes are queued to a few writer connections that group-commit
/// batches of operations (each in its own savepoint); claims use <c>FOR UPDATE SKIP LOCKED</c>; commits that make work available
/// send <c>NOTIFY</c> so idle nodes wake at once; reads use pooled connections. Leases of other nodes are never cleared: they expire.
/// </summary>
public sealed partial class PostgreSqlStore : RelationalBatonStore, IStoreRunner
{
    private readonly PostgreSqlStoreOptions _options;
    private readonly StoreSignals _signals;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _instanceId = Guid.NewGuid().ToString("N");
    private NpgsqlDataSource? _dataSource;
    private NpgsqlDataSource? _listenSource;
    private Listener? _listener;
    private WriteLoop? _writer;
    private int _state; // 0 new, 1 initialized, 2 disposed

    /// <summary>Creates the store; nothing is opened before <see cref="InitializeAsync"/>.</summary>
    /// <param name="options">Settings; validated now.</param>
    /// <param name="signals">Where commits (of this node and, through notifications, of others) announce available work.</param>
    /// <param name="time">Clock for bookkeeping times (migrations); the system clock when null.</param>
    /// <param name="logger">Where applied migrations and a broken notification listener are reported; none when null.</param>
    public PostgreSqlStore(PostgreSqlStoreOptions options, StoreSignals signals, TimeProvider? time = null, ILogger<PostgreSqlStore>? logger = null)
        : base(PostgreSqlDialect.Instance, PostgreSqlClaims.Instance)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(signals);
        options.Validate();
        _options = options;
        _signals = signals;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger<PostgreSqlStore>.Instance;
    }

    /// <summary>Schema versions applied by the last <see cref="InitializeAsync"/> (empty when the schema was current).</summary>
    internal IReadOnlyList<int> AppliedMigrations { get; private set; } = [];

    /// <summary>Write batches run so far.</summary>
    internal long WriteBatches => _writer?.Batches ?? 0;

    /// <summary>Batch runs repeated after a deadlock or serialization failure.</summary>
    internal long WriteConflictRetries => _writer?.ConflictRetries ?? 0;

    /// <summary>Batch runs that met a write conflict again after running alone (for tests).</summary>
    internal long RepeatedWriteConflicts => _writer?.RepeatedConflicts ?? 0;

    /// <summary>Round trips of the writers' batches so far (for tests).</summary>
    internal long WriteRoundTrips => _writer?.RoundTrips ?? 0;

    /// <summary>Writes that went with a later statement instead of in a round trip of their own (for tests).</summary>
    internal long HeldWrites => _writer?.HeldStatements ?? 0;

    /// <inheritdoc />
    public override async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_state == 2, this);
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("PostgreSqlStore.InitializeAsync was already called.");
        }
        try
        {
            var builder = new NpgsqlDataSourceBuilder(_options.ConnectionString);
            if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
            {
                builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
            }
            _dataSource = builder.Build();
            // The listener only runs LISTEN: no pooling (it holds its connection) and no type loading.
            var listen = new NpgsqlSlimDataSourceBuilder(_options.ConnectionString);
            listen.ConnectionStringBuilder.Pooling = false;
            if (listen.ConnectionStringBuilder.KeepAlive == 0)
            {
                listen.ConnectionStringBuilder.KeepAlive = 15;
            }
            listen.ConfigureTypeLoading(types => types.EnableTypeLoading(false));
            _listenSource = listen.Build();
            AppliedMigrations = await Migrator.ApplyAsync(_dataSource, _time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken).ConfigureAwait(false);
            if (AppliedMigrations.Count > 0)
            {
                LogMigrationsApplied(string.Join(", ", AppliedMigrations), AppliedMigrations[^1]);
            }
            _listener = new Listener(_listenSource, _signals, _options.NotificationChannel, _instanceId, _logger);
            await _listener.StartAsync(cancellationToken).ConfigureAwait(false);
            _writer = new WriteLoop(_dataSource, _signals, _options.MaxBatchSize, _options.WriterConnections, _options.NotificationChannel, _instanceId);
        }
        catch
        {
            await CloseResourcesAsync().ConfigureAwait(false);
            _state = 2;
            throw;
        }
        _signals.NotifyWorkflowsReady();
        _signals.NotifyTasksReady();
        _signals.NotifyTimersChanged();
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
        {
            return;
        }
        await CloseResourcesAsync().ConfigureAwait(false);
    }

    private async Task CloseResourcesAsync()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
        }
        if (_listener is not null)
        {
            await _listener.DisposeAsync().ConfigureAwait(false);
        }
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
        if (_listenSource is not null)
        {
            await _listenSource.DisposeAsync().ConfigureAwait(false);
        }
        _writer = null;
        _listener = null;
        _dataSource = null;
        _listenSource = null;
    }

    /// <summary>Queues a write for the writers; completes after the batch holding it commits.</summary>
    internal Task<T> WriteAsync<T>(Func<WriteContext, T> body, CancellationToken cancellationToken)
    {
        var writer = _writer;
        if (writer is null || _state != 1)
        {
            return Task.FromException<T>(NotOpen());
        }
        return writer.EnqueueAsync(body, cancellationToken);
    }

    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "PostgreSQL store schema migrated: applied versions {Versions}, now at version {Version}")]
    private partial void LogMigrationsApplied(string versions, int version);

    Task<T> IStoreRunner.WriteAsync<T>(Func<WriteContext, T> body, CancellationToken cancellationToken) => WriteAsync(body, cancellationToken);

    Task<T?> IStoreRunner.ReadFirstAsync<T>(string sql, Func<DbDataReader, T> map, (string Name, object? Value)[] args, CancellationToken cancellationToken)
        where T : class =>
        ReadAsync(async (s, ct) => (await s.QueryAsync(sql, map, args, ct).ConfigureAwait(false)) is [var first, ..] ? first : null, cancellationToken);

    async Task<IReadOnlyList<T>> IStoreRunner.ReadListAsync<T>(string sql, Func<DbDataReader, T> map, (string Name, object? Value)[] args, CancellationToken cancellationToken) =>
        await ReadAsync((s, ct) => s.QueryAsync(sql, map, args, ct), cancellationToken).ConfigureAwait(false);

    Task<object?> IStoreRunner.ReadScalarAsync(string sql, (string Name, object? Value)[] args, CancellationToken cancellationToken) =>
        ReadAsync((s, ct) => s.ScalarAsync(sql, args, ct), cancellationToken);

    /// <summary>Runs a read on a pooled connection.</summary>
    private async Task<T> ReadAsync<T>(Func<Sql, CancellationToken, Task<T>> body, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var source = _dataSource;
        if (source is null || _state != 1)
        {
            throw NotOpen();
        }
        try
        {
            await using var connection = await source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return await body(new Sql(connection, PostgreSqlDialect.Instance, cached: false), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ConnectionErrors.IsConnectionLost(ex))
        {
            // The server restarted or dropped connections: the idle ones are broken too; the caller's retry gets a fresh one.
            source.Clear();
            throw;
        }
    }

    private Exception NotOpen() => _state == 2
        ? new ObjectDisposedException(nameof(PostgreSqlStore))
        : new InvalidOperationException("PostgreSqlStore.InitializeAsync must be called first.");
}
