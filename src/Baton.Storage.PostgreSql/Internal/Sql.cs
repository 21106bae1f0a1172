using Npgsql;

namespace Baton.Storage.PostgreSql.Internal;

/// <summary>
/// Runs SQL on one open connection (and its transaction, when there is one). Parameters are written <c>@name</c>; statements are
/// prepared automatically by the data source (<c>Max Auto Prepare</c>). The writer uses the synchronous members on its own thread,
/// readers the asynchronous ones.
/// </summary>
internal sealed class Sql(NpgsqlConnection connection)
{
    public NpgsqlConnection Connection { get; } = connection;

    public int Exec(string sql, params ReadOnlySpan<(string Name, object? Value)> args)
    {
        using var cmd = Command(sql, args);
        return cmd.ExecuteNonQuery();
    }

    public object? Scalar(string sql, params ReadOnlySpan<(string Name, object? Value)> args)
    {
        using var cmd = Command(sql, args);
        var value = cmd.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    public long? Long(string sql, params ReadOnlySpan<(string Name, object? Value)> args) =>
        Scalar(sql, args) is { } value ? Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) : null;

    public List<T> Query<T>(string sql, Func<NpgsqlDataReader, T> map, params ReadOnlySpan<(string Name, object? Value)> args)
    {
        using var cmd = Command(sql, args);
        using var reader = cmd.ExecuteReader();
        var list = new List<T>();
        while (reader.Read())
        {
            list.Add(map(reader));
        }
        return list;
    }

    public T? First<T>(string sql, Func<NpgsqlDataReader, T> map, params ReadOnlySpan<(string Name, object? Value)> args)
        where T : class
    {
        using var cmd = Command(sql, args);
        using var reader = cmd.ExecuteReader();
        return reader.Read() ? map(reader) : null;
    }

    public async Task<object?> ScalarAsync(string sql, IReadOnlyList<(string Name, object? Value)> args, CancellationToken cancellationToken)
    {
        await using var cmd = Command(sql, args);
        var value = await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is DBNull ? null : value;
    }

    public async Task<List<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> map, IReadOnlyList<(string Name, object? Value)> args, CancellationToken cancellationToken)
    {
        await using var cmd = Command(sql, args);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(map(reader));
        }
        return list;
    }

    public async Task<T?> FirstAsync<T>(string sql, Func<NpgsqlDataReader, T> map, IReadOnlyList<(string Name, object? Value)> args, CancellationToken cancellationToken)
        where T : class
    {
        var rows = await QueryAsync(sql, map, args, cancellationToken).ConfigureAwait(false);
        return rows.Count > 0 ? rows[0] : null;
    }

    private NpgsqlCommand Command(string sql, ReadOnlySpan<(string Name, object? Value)> args)
    {
        var cmd = new NpgsqlCommand(sql, Connection);
        foreach (var (name, value) in args)
        {
            cmd.Parameters.Add(new NpgsqlParameter(name, value ?? DBNull.Value));
        }
        return cmd;
    }

    private NpgsqlCommand Command(string sql, IReadOnlyList<(string Name, object? Value)> args)
    {
        var cmd = new NpgsqlCommand(sql, Connection);
        foreach (var (name, value) in args)
        {
            cmd.Parameters.Add(new NpgsqlParameter(name, value ?? DBNull.Value));
        }
        return cmd;
    }
}
