using Microsoft.Data.Sqlite;

namespace Baton.Storage.Sqlite.Internal;

/// <summary>
/// Runs SQL on one connection. With a cache (the writer), each SQL text gets one <see cref="SqliteCommand"/> kept with its
/// parameters and prepared statement; without one (readers), commands are created per call.
/// </summary>
internal sealed class Sql : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Dictionary<string, SqliteCommand>? _cache;

    public Sql(SqliteConnection connection, bool cached)
    {
        _connection = connection;
        _cache = cached ? new Dictionary<string, SqliteCommand>(StringComparer.Ordinal) : null;
    }

    public SqliteConnection Connection => _connection;

    public int Exec(string sql, params ReadOnlySpan<(string Name, object? Value)> args)
    {
        var cmd = Command(sql, args);
        try
        {
            return cmd.ExecuteNonQuery();
        }
        finally
        {
            Release(cmd);
        }
    }

    public object? Scalar(string sql, params ReadOnlySpan<(string Name, object? Value)> args)
    {
        var cmd = Command(sql, args);
        try
        {
            var value = cmd.ExecuteScalar();
            return value is DBNull ? null : value;
        }
        finally
        {
            Release(cmd);
        }
    }

    public long? Long(string sql, params ReadOnlySpan<(string Name, object? Value)> args) =>
        Scalar(sql, args) is { } value ? Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) : null;

    public List<T> Query<T>(string sql, Func<SqliteDataReader, T> map, params ReadOnlySpan<(string Name, object? Value)> args)
    {
        var cmd = Command(sql, args);
        try
        {
            using var reader = cmd.ExecuteReader();
            var list = new List<T>();
            while (reader.Read())
            {
                list.Add(map(reader));
            }
            return list;
        }
        finally
        {
            Release(cmd);
        }
    }

    public T? First<T>(string sql, Func<SqliteDataReader, T> map, params ReadOnlySpan<(string Name, object? Value)> args)
        where T : class
    {
        var cmd = Command(sql, args);
        try
        {
            using var reader = cmd.ExecuteReader();
            return reader.Read() ? map(reader) : null;
        }
        finally
        {
            Release(cmd);
        }
    }

    private SqliteCommand Command(string sql, ReadOnlySpan<(string Name, object? Value)> args)
    {
        SqliteCommand? cmd = null;
        if (_cache is not null && !_cache.TryGetValue(sql, out cmd))
        {
            cmd = _connection.CreateCommand();
            cmd.CommandText = sql;
            _cache[sql] = cmd;
        }
        if (cmd is null)
        {
            cmd = _connection.CreateCommand();
            cmd.CommandText = sql;
        }
        foreach (var (name, value) in args)
        {
            var bound = value ?? DBNull.Value;
            if (cmd.Parameters.Contains(name))
            {
                cmd.Parameters[name].Value = bound;
            }
            else
            {
                cmd.Parameters.AddWithValue(name, bound);
            }
        }
        return cmd;
    }

    private void Release(SqliteCommand cmd)
    {
        if (_cache is null)
        {
            cmd.Dispose();
        }
    }

    public void Dispose()
    {
        if (_cache is null)
        {
            return;
        }
        foreach (var cmd in _cache.Values)
        {
            cmd.Dispose();
        }
        _cache.Clear();
    }
}
