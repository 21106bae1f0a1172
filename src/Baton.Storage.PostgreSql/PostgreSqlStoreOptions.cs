using Npgsql;

namespace Baton.Storage.PostgreSql;

/// <summary>Settings of <see cref="PostgreSqlStore"/>.</summary>
public sealed class PostgreSqlStoreOptions
{
    /// <summary>
    /// The Npgsql connection string, e.g. <c>Host=db;Database=baton;Username=baton;Password=...</c>. Required. Pooling stays on
    /// (it reconnects after a server restart); <c>Max Auto Prepare</c> is set to 64 unless given.
    /// </summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>Most write operations committed in one transaction (group commit); 512 unless set.</summary>
    public int MaxBatchSize { get; set; } = 512;

    /// <summary>
    /// Writer connections committing batches side by side on this node; 1 unless set. Batches side by side lock the same hot
    /// rows (a workflow's row, its tasks) in different orders, and each deadlock stalls both for the server's
    /// <c>deadlock_timeout</c> (1 s by default): in the benchmark, two writers gave less throughput than one and a p99
    /// two to four times as long (<c>bench/RESULTS.md</c>, push 12). More may pay where the server is far away and deadlocks rare.
    /// </summary>
    public int WriterConnections { get; set; } = 1;

    /// <summary>
    /// The <c>LISTEN/NOTIFY</c> channel nodes use to wake each other; <c>baton</c> unless set. Nodes sharing a database must
    /// use the same channel.
    /// </summary>
    public string NotificationChannel { get; set; } = "baton";

    /// <summary>Throws <see cref="ArgumentException"/> when a setting is invalid.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException("PostgreSqlStoreOptions.ConnectionString is required, e.g. \"Host=localhost;Database=baton;Username=baton\".", nameof(ConnectionString));
        }
        try
        {
            _ = new NpgsqlConnectionStringBuilder(ConnectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new ArgumentException($"PostgreSqlStoreOptions.ConnectionString is not a valid Npgsql connection string: {ex.Message}", nameof(ConnectionString), ex);
        }
        if (MaxBatchSize < 1)
        {
            throw new ArgumentException($"PostgreSqlStoreOptions.MaxBatchSize must be at least 1, not {MaxBatchSize}.", nameof(MaxBatchSize));
        }
        if (WriterConnections is < 1 or > 64)
        {
            throw new ArgumentException($"PostgreSqlStoreOptions.WriterConnections must be between 1 and 64, not {WriterConnections}.", nameof(WriterConnections));
        }
        if (string.IsNullOrWhiteSpace(NotificationChannel) || NotificationChannel.Length > 63)
        {
            throw new ArgumentException("PostgreSqlStoreOptions.NotificationChannel must be a name of 1 to 63 characters.", nameof(NotificationChannel));
        }
    }
}
