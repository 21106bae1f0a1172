using System.Data.Common;
using Baton.Storage.Relational;
using Npgsql;

namespace Baton.Storage.PostgreSql.Internal;

/// <summary>
/// A writer's SQL on PostgreSQL, where every statement is a round trip to the server. Writes whose row count nobody reads
/// (<see cref="Sql.Send"/>: history, audit, inbox and tag rows, deletes, leases, notifications) are held and go in one
/// <see cref="NpgsqlBatch"/> with the next statement that needs an answer, or with the <c>COMMIT</c>. A DRT workflow's writes
/// took about 19 round trips before, 7 after (<c>bench/RESULTS.md</c>, push 12), each a wait on the server and a context
/// switch on both sides.
/// </summary>
/// <remarks>
/// The server runs a batch's statements in order and stops at the first that fails, so a held write is seen by every later
/// statement, and its failure is the failure of the statement it travelled with. That is still inside the operation that held
/// it: an operation's savepoint is released by a statement that needs an answer, and a batch run without savepoints that
/// fails at its commit runs again with them (<see cref="WriteLoop"/>).
/// </remarks>
internal sealed class PipelinedSql(NpgsqlConnection connection) : Sql(connection, PostgreSqlDialect.Instance, cached: false)
{
    private readonly List<NpgsqlBatchCommand> _held = [];

    // Whether a held statement returns rows (a SELECT of a function, as pg_notify; a held statement that returns rows must
    // start with SELECT): the statements held with it then go ahead on their own before a query, whose rows must be the first
    // the reader meets.
    private bool _heldReturnsRows;

    /// <summary>Round trips to the server so far (for tests and the writer's counters).</summary>
    public long RoundTrips { get; private set; }

    /// <summary>Statements held so far, sent or not (for tests).</summary>
    public long Held { get; private set; }

    public override void Send(string sql, params ReadOnlySpan<(string Name, object? Value)> args)
    {
        var command = Command(sql, args);
        _heldReturnsRows |= command.CommandText.StartsWith("SELECT", StringComparison.OrdinalIgnoreCase);
        _held.Add(command);
        Held++;
    }

    public override void Discard()
    {
        _held.Clear();
        _heldReturnsRows = false;
    }

    public override int Exec(string sql, params ReadOnlySpan<(string Name, object? Value)> args)
    {
        using var batch = Batch(sql, args);
        batch.ExecuteNonQuery();
        return batch.BatchCommands[^1].RecordsAffected;
    }

    public override object? Scalar(string sql, params ReadOnlySpan<(string Name, object? Value)> args)
    {
        using var batch = QueryBatch(sql, args);
        using var reader = LastResult(batch.ExecuteReader());
        var value = reader.Read() ? reader.GetValue(0) : null;
        return value is DBNull ? null : value;
    }

    public override List<T> Query<T>(string sql, Func<DbDataReader, T> map, params ReadOnlySpan<(string Name, object? Value)> args)
    {
        using var batch = QueryBatch(sql, args);
        using var reader = LastResult(batch.ExecuteReader());
        var list = new List<T>();
        while (reader.Read())
        {
            list.Add(map(reader));
        }
        return list;
    }

    public override T? First<T>(string sql, Func<DbDataReader, T> map, params ReadOnlySpan<(string Name, object? Value)> args)
        where T : class
    {
        using var batch = QueryBatch(sql, args);
        using var reader = LastResult(batch.ExecuteReader());
        return reader.Read() ? map(reader) : null;
    }

    /// <summary>The held statements, then <paramref name="sql"/>: one round trip. Nothing stays held, whatever the outcome.</summary>
    private NpgsqlBatch Batch(string sql, ReadOnlySpan<(string Name, object? Value)> args)
    {
        var batch = TakeHeld();
        batch.BatchCommands.Add(Command(sql, args));
        RoundTrips++;
        return batch;
    }

    /// <summary><see cref="Batch"/> for a statement whose rows are read: held statements that return rows go ahead alone.</summary>
    private NpgsqlBatch QueryBatch(string sql, ReadOnlySpan<(string Name, object? Value)> args)
    {
        if (_heldReturnsRows)
        {
            using var held = TakeHeld();
            RoundTrips++;
            held.ExecuteNonQuery();
        }
        return Batch(sql, args);
    }

    private NpgsqlBatch TakeHeld()
    {
        var batch = new NpgsqlBatch(connection);
        foreach (var command in _held)
        {
            batch.BatchCommands.Add(command);
        }
        Discard();
        return batch;
    }

    private NpgsqlBatchCommand Command(string sql, ReadOnlySpan<(string Name, object? Value)> args)
    {
        var command = new NpgsqlBatchCommand(Dialect.Render(sql));
        foreach (var (name, value) in args)
        {
            command.Parameters.Add(new NpgsqlParameter(name, value ?? DBNull.Value));
        }
        return command;
    }

    /// <summary>Moves past the held statements' results (they have none) to the last statement's.</summary>
    private static NpgsqlDataReader LastResult(NpgsqlDataReader reader)
    {
        try
        {
            while (reader.FieldCount == 0 && reader.NextResult())
            {
            }
            return reader;
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }
}
