using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Baton.Storage.Sqlite.Internal;

/// <summary>Open read connections, reused (WAL lets readers run beside the writer).</summary>
internal sealed class ReadPool : IDisposable
{
    private const int MaxIdle = 8;
    private readonly ConcurrentBag<SqliteConnection> _idle = [];
    private readonly string _connectionString;
    private bool _disposed;

    public ReadPool(string connectionString) => _connectionString = connectionString;

    public SqliteConnection Rent()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        if (_idle.TryTake(out var connection))
        {
            return connection;
        }
        connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA busy_timeout = 5000; PRAGMA query_only = 1;";
        cmd.ExecuteNonQuery();
        return connection;
    }

    public void Return(SqliteConnection connection)
    {
        if (Volatile.Read(ref _disposed) || _idle.Count >= MaxIdle)
        {
            connection.Dispose();
            return;
        }
        _idle.Add(connection);
    }

    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        while (_idle.TryTake(out var connection))
        {
            connection.Dispose();
        }
    }
}
