using Microsoft.Data.Sqlite;

namespace Baton.Storage.Sqlite;

/// <summary>SQLite <c>PRAGMA synchronous</c> levels.</summary>
public enum SqliteSynchronous
{
    /// <summary>No syncs: fastest, a power loss may corrupt or lose data.</summary>
    Off,

    /// <summary>Syncs at WAL checkpoints: a power loss may lose the latest commits, never corrupt.</summary>
    Normal,

    /// <summary>Syncs every commit: durable commits (the default).</summary>
    Full,

    /// <summary>Like <see cref="Full"/>, also syncing the directory.</summary>
    Extra,
}

/// <summary>Settings of <see cref="SqliteStore"/>.</summary>
public sealed class SqliteStoreOptions
{
    /// <summary>
    /// The connection string, e.g. <c>Data Source=baton.db</c> for a file, or
    /// <c>Data Source=file:name?mode=memory&amp;cache=shared</c> for a shared in-memory database (tests).
    /// A private <c>:memory:</c> database is refused: readers would not see the writer's data.
    /// </summary>
    public string ConnectionString { get; set; } = "Data Source=baton.db";

    /// <summary>Durability of commits; <see cref="SqliteSynchronous.Full"/> unless set.</summary>
    public SqliteSynchronous Synchronous { get; set; } = SqliteSynchronous.Full;

    /// <summary>
    /// With <see cref="SqliteSynchronous.Full"/> on a file database (Linux): whether the writer commits without waiting for the
    /// disk while a second thread syncs the write-ahead log and answers each caller once its commit is on disk (true unless
    /// set). Callers are told exactly what they are told without it; the writer just does not idle in fsync. The difference:
    /// other readers may see a commit a few milliseconds before it is on disk, so a power loss (not a process crash) in that
    /// window can undo something a reader saw but no caller was told. False syncs inside every commit.
    /// </summary>
    public bool PipelinedSync { get; set; } = true;

    /// <summary>Most write operations committed in one transaction (group commit); 512 unless set.</summary>
    public int MaxBatchSize { get; set; } = 512;

    /// <summary>
    /// Length of the write-ahead log, in pages, at which a commit copies it back into the database file (SQLite's
    /// <c>wal_autocheckpoint</c>); 10,000 unless set, about 40 MB with 4 KB pages. SQLite's own default of 1,000 checkpoints
    /// ten times as often: the writer, which runs each checkpoint, then spends about a tenth of its time copying pages that
    /// later commits rewrite anyway (hot index pages) and syncing the database file. A longer log costs disk space and a
    /// longer recovery scan after a crash, both small at this size.
    /// </summary>
    public int CheckpointPages { get; set; } = 10_000;

    /// <summary>Throws <see cref="ArgumentException"/> when a setting is invalid.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException("SqliteStoreOptions.ConnectionString is required, e.g. \"Data Source=baton.db\".", nameof(ConnectionString));
        }
        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(ConnectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new ArgumentException($"SqliteStoreOptions.ConnectionString is not a valid SQLite connection string: {ex.Message}", nameof(ConnectionString), ex);
        }
        if (string.IsNullOrWhiteSpace(builder.DataSource) || builder.DataSource == ":memory:"
            || (builder.Mode == SqliteOpenMode.Memory && builder.Cache != SqliteCacheMode.Shared && !builder.DataSource.Contains("cache=shared", StringComparison.OrdinalIgnoreCase)))
        {
            throw new ArgumentException(
                "SqliteStoreOptions.ConnectionString names a private in-memory database; use a file (\"Data Source=baton.db\") or a shared one (\"Data Source=file:name?mode=memory&cache=shared\").",
                nameof(ConnectionString));
        }
        if (builder.Mode == SqliteOpenMode.ReadOnly)
        {
            throw new ArgumentException("SqliteStoreOptions.ConnectionString must not be read-only: the store writes.", nameof(ConnectionString));
        }
        if (!Enum.IsDefined(Synchronous))
        {
            throw new ArgumentException($"SqliteStoreOptions.Synchronous has an unknown value {(int)Synchronous}.", nameof(Synchronous));
        }
        if (CheckpointPages < 1)
        {
            throw new ArgumentException($"SqliteStoreOptions.CheckpointPages must be at least 1, not {CheckpointPages}: nothing else copies the log back.", nameof(CheckpointPages));
        }
        if (MaxBatchSize < 1)
        {
            throw new ArgumentException($"SqliteStoreOptions.MaxBatchSize must be at least 1, not {MaxBatchSize}.", nameof(MaxBatchSize));
        }
    }
}
