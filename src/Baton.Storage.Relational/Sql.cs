using System.Data.Common;
using System.Globalization;

namespace Baton.Storage.Relational;

/// <summary>
/// Runs SQL on one open connection (and its transaction, when there is one). Parameters are written <c>@name</c>; texts may
/// hold <see cref="SqlDialect"/> markers. With a cache (a connection the store keeps open), each SQL text gets one command,
/// kept with its parameters and prepared statement; without one (a connection borrowed from a pool that prepares by itself),
/// commands are created per call. The writers use the synchronous members on their own threads, readers either kind. A store
/// whose driver has a cheaper way to run a statement than ADO.NET overrides the synchronous members (see the SQLite store).
/// </summary>
internal class Sql : IDisposable
{
    private readonly DbConnection _connection;
    private readonly SqlDialect _dialect;
    private readonly Dictionary<string, DbCommand>? _cache;

    public Sql(DbConnection connection, SqlDialect dialect, bool cached)
    {
        _connection = connection;
        _dialect = dialect;
        _cache = cached ? new Dictionary<string, DbCommand>(StringComparer.Ordinal) : null;
    }

    public DbConnection Connection => _connection;

    public SqlDialect Dialect => _dialect;

    public virtual int Exec(string sql, params ReadOnlySpan<(string Name, object? Value)> args)
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

    /// <summary>
    /// Runs a statement whose result nobody reads, neither rows nor count: a write, or a <c>SELECT</c> of a function for its
    /// effect. A store whose every statement is a round trip to a server may hold it and send it with the next statement,
    /// several in one round trip (see the PostgreSQL store's <c>PipelinedSql</c>); its error then surfaces at that statement.
    /// That is still inside the same operation: releasing an operation's savepoint is such a statement. Here it runs at once.
    /// </summary>
    public virtual void Send(string sql, params ReadOnlySpan<(string Name, object? Value)> args) => Exec(sql, args);

    /// <summary>Drops what <see cref="Send"/> holds and has not sent: the caller is rolling back the writes it belongs to.</summary>
    public virtual void Discard()
    {
    }

    public virtual object? Scalar(string sql, params ReadOnlySpan<(string Name, object? Value)> args)
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
        Scalar(sql, args) is { } value ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : null;

    public virtual List<T> Query<T>(string sql, Func<DbDataReader, T> map, params ReadOnlySpan<(string Name, object? Value)> args)
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

    public virtual T? First<T>(string sql, Func<DbDataReader, T> map, params ReadOnlySpan<(string Name, object? Value)> args)
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

    public async Task<object?> ScalarAsync(string sql, (string Name, object? Value)[] args, CancellationToken cancellationToken)
    {
        var cmd = Command(sql, args);
        try
        {
            var value = await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return value is DBNull ? null : value;
        }
        finally
        {
            await ReleaseAsync(cmd).ConfigureAwait(false);
        }
    }

    public async Task<List<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> map, (string Name, object? Value)[] args, CancellationToken cancellationToken)
    {
        var cmd = Command(sql, args);
        try
        {
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var list = new List<T>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                list.Add(map(reader));
            }
            return list;
        }
        finally
        {
            await ReleaseAsync(cmd).ConfigureAwait(false);
        }
    }

    private DbCommand Command(string sql, ReadOnlySpan<(string Name, object? Value)> args)
    {
        if (_cache is not null && _cache.TryGetValue(sql, out var cached))
        {
            Rebind(cached, args);
            return cached;
        }
        var cmd = _connection.CreateCommand();
        cmd.CommandText = _dialect.Render(sql);
        foreach (var (name, value) in args)
        {
            Add(cmd, name, value ?? DBNull.Value);
        }
        if (_cache is not null)
        {
            _cache[sql] = cmd;
        }
        return cmd;
    }

    /// <summary>Binds a cached command's parameters: by position when the names come in the same order as before (they do).</summary>
    private static void Rebind(DbCommand cmd, ReadOnlySpan<(string Name, object? Value)> args)
    {
        var parameters = cmd.Parameters;
        for (var i = 0; i < args.Length; i++)
        {
            var (name, value) = args[i];
            var bound = value ?? DBNull.Value;
            if (i < parameters.Count && parameters[i] is var existing && string.Equals(existing.ParameterName, name, StringComparison.Ordinal))
            {
                existing.Value = bound;
            }
            else if (parameters.Contains(name))
            {
                parameters[name].Value = bound;
            }
            else
            {
                Add(cmd, name, bound);
            }
        }
    }

    private static void Add(DbCommand cmd, string name, object value)
    {
        var parameter = cmd.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        cmd.Parameters.Add(parameter);
    }

    private void Release(DbCommand cmd)
    {
        if (_cache is null)
        {
            cmd.Dispose();
        }
    }

    private ValueTask ReleaseAsync(DbCommand cmd) => _cache is null ? cmd.DisposeAsync() : ValueTask.CompletedTask;

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the cached commands; a subclass releases what it prepared itself.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing || _cache is null)
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
