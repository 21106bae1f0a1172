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
    /// Length of the write-ahead log, in pages, at which it is copied back into the database file (a checkpoint); 1,000 unless
    /// set (SQLite's own default), about 4 MB with 4 KB pages. Each checkpoint copies every page the log holds and syncs the
    /// database file: the larger it is, the longer the requests that meet it wait (at 2,000 completions a second on two cores,
    /// the endpoint's p99 was about 1.6 times as long with 10,000 pages copied back by the writer); the smaller, the more often
    /// hot pages are copied again, which the low priority of <see cref="BackgroundCheckpoints"/> keeps out of a busy node's
    /// way. A longer log also costs disk space and a longer recovery scan after a crash. Figures: <c>bench/RESULTS.md</c>, push 8.
    /// </summary>
    public int CheckpointPages { get; set; } = 1_000;

    /// <summary>
    /// On a file database: whether checkpoints run on a thread and connection of their own beside the writer, at a lower
    /// scheduling priority on Linux (true unless set). Otherwise the commit that makes the log <see cref="CheckpointPages"/> long
    /// copies it back itself, and every write queued behind that commit waits for the copy and the sync of the database file.
    /// With it, the writer still copies the log back itself if it reaches four times <see cref="CheckpointPages"/> (the
    /// background checkpoints falling behind, or failing).
    /// </summary>
    public bool BackgroundCheckpoints { get; set; } = true;

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
