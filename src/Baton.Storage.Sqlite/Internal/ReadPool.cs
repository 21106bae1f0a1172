using System.Collections.Concurrent;
using Baton.Storage.Relational;
using Microsoft.Data.Sqlite;

namespace Baton.Storage.Sqlite.Internal;

/// <summary>
/// Open read connections, reused (WAL lets readers run beside the writer). Each pooled connection keeps its prepared
/// statements (<see cref="NativeSql"/>), so a frequent read is parsed and planned once per connection, not per call.
/// </summary>
internal sealed class ReadPool : IDisposable
{
    private const int MaxIdle = 16;
    private readonly ConcurrentBag<Sql> _idle = [];
    private readonly string _connectionString;
    private bool _disposed;

    public ReadPool(string connectionString) => _connectionString = connectionString;

    public Sql Rent()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        if (_idle.TryTake(out var sql))
        {
            return sql;
        }
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "PRAGMA busy_timeout = 5000; PRAGMA query_only = 1;";
            cmd.ExecuteNonQuery();
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        return new NativeSql(connection, SqliteDialect.Instance);
    }

    public void Return(Sql sql)
    {
        if (Volatile.Read(ref _disposed) || _idle.Count >= MaxIdle)
        {
            Close(sql);
            return;
        }
        _idle.Add(sql);
    }

    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        while (_idle.TryTake(out var sql))
        {
            Close(sql);
        }
    }

    private static void Close(Sql sql)
    {
        sql.Dispose();
        sql.Connection.Dispose();
    }
}
