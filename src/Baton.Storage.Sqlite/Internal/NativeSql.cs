using System.Buffers;
using System.Data.Common;
using System.Text;
using Baton.Storage.Relational;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Baton.Storage.Sqlite.Internal;

/// <summary>
/// Runs the store's SQL through SQLite's own statement API (SQLitePCLRaw, the library under Microsoft.Data.Sqlite) on one
/// connection the store keeps open: each SQL text is prepared once, its parameters are resolved to indexes once, and every
/// call binds by index and steps. The same statements through <see cref="SqliteCommand"/> cost about as much again in
/// managed code as in SQLite itself (parameter lookup by name, UTF-16 to UTF-8 copies, a reader object per call); the
/// writer runs on one thread, so that overhead was its throughput.
/// </summary>
/// <remarks>
/// Behaves as Microsoft.Data.Sqlite does for the store's statements: a text may hold several statements (run in order); the
/// count returned by <see cref="Exec"/> sums the rows changed by the statements that write; every parameter a statement
/// names must be given a value; a statement waits up to 30 s for a lock another connection holds; failures throw
/// <see cref="SqliteException"/> with SQLite's codes. Not thread-safe: one thread at a time uses an instance, as with the
/// connection under it.
/// </remarks>
internal sealed class NativeSql : Sql
{
    private const int PreparePersistent = 0x01;

    private readonly sqlite3 _db;
    private readonly nint _dbPointer;
    private readonly Dictionary<string, PreparedText> _prepared = new(StringComparer.Ordinal);
    private readonly NativeRowReader _reader = new();

    public NativeSql(SqliteConnection connection, SqlDialect dialect)
        : base(connection, dialect, cached: false)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The connection must be open.");
        SqliteCalls.CheckProvider();
        _dbPointer = _db.DangerousGetHandle();
    }

    /// <summary>Pages this connection wrote to the database (to the log, in WAL mode) since the previous call.</summary>
    public int TakePagesWritten()
    {
        _ = raw.sqlite3_db_status(_db, raw.SQLITE_DBSTATUS_CACHE_WRITE, out var written, out _, 1);
        return written;
    }

    public override int Exec(string sql, params ReadOnlySpan<(string Name, object? Value)> args)
    {
        var changes = 0;
        foreach (var statement in Prepare(sql, args))
        {
            try
            {
                var row = NativeStep.First(_db, statement.Pointer);
                while (row)
                {
                    row = NativeStep.Next(_db, statement.Pointer);
                }
                if (!statement.ReadOnly)
                {
                    changes += SqliteCalls.sqlite3_changes(_dbPointer);
                }
            }
            finally
            {
                SqliteCalls.sqlite3_reset(statement.Pointer);
            }
        }
        return changes;
    }

    public override object? Scalar(string sql, params ReadOnlySpan<(string Name, object? Value)> args)
    {
        var statement = PrepareSingle(sql, args);
        try
        {
            _reader.Attach(_db, statement);
            if (!_reader.Read() || _reader.FieldCount == 0)
            {
                return null;
            }
            var value = _reader.GetValue(0);
            return value is DBNull ? null : value;
        }
        finally
        {
            _reader.Detach();
            SqliteCalls.sqlite3_reset(statement);
        }
    }

    public override List<T> Query<T>(string sql, Func<DbDataReader, T> map, params ReadOnlySpan<(string Name, object? Value)> args)
    {
        var statement = PrepareSingle(sql, args);
        try
        {
            _reader.Attach(_db, statement);
            var list = new List<T>();
            while (_reader.Read())
            {
                list.Add(map(_reader));
            }
            return list;
        }
        finally
        {
            _reader.Detach();
            SqliteCalls.sqlite3_reset(statement);
        }
    }

    public override T? First<T>(string sql, Func<DbDataReader, T> map, params ReadOnlySpan<(string Name, object? Value)> args)
        where T : class
    {
        // A statement with RETURNING makes all of its changes in its first step, so stopping after one row is safe.
        var statement = PrepareSingle(sql, args);
        try
        {
            _reader.Attach(_db, statement);
            return _reader.Read() ? map(_reader) : null;
        }
        finally
        {
            _reader.Detach();
            SqliteCalls.sqlite3_reset(statement);
        }
    }

    private nint PrepareSingle(string sql, ReadOnlySpan<(string Name, object? Value)> args)
    {
        var statements = Prepare(sql, args);
        return statements.Length == 1
            ? statements[0].Pointer
            : throw new InvalidOperationException("A query must be a single statement: " + sql);
    }

    /// <summary>The prepared statements of <paramref name="sql"/>, with <paramref name="args"/> bound.</summary>
    private PreparedStatement[] Prepare(string sql, ReadOnlySpan<(string Name, object? Value)> args)
    {
        if (!_prepared.TryGetValue(sql, out var text))
        {
            text = new PreparedText(PrepareAll(Dialect.Render(sql)));
            _prepared[sql] = text;
        }
        foreach (var statement in text.Statements)
        {
            Bind(statement, args);
        }
        return text.Statements;
    }

    private PreparedStatement[] PrepareAll(string rendered)
    {
        var statements = new List<PreparedStatement>(1);
        try
        {
            var rest = rendered;
            while (!string.IsNullOrWhiteSpace(rest))
            {
                var rc = PrepareOne(rest, out var handle, out var tail);
                if (rc != raw.SQLITE_OK)
                {
                    handle?.Dispose();
                    throw NativeStep.Failure(_db, rc);
                }
                rest = tail;
                if (handle.IsInvalid)
                {
                    // Only a comment or whitespace was left.
                    handle.Dispose();
                    continue;
                }
                statements.Add(new PreparedStatement(handle, raw.sqlite3_stmt_readonly(handle) != 0));
            }
        }
        catch
        {
            foreach (var statement in statements)
            {
                statement.Handle.Dispose();
            }
            throw;
        }
        return [.. statements];
    }

    /// <summary>Prepares the first statement of <paramref name="sql"/>, waiting like <see cref="NativeStep.First"/> while the schema is locked.</summary>
    private int PrepareOne(string sql, out sqlite3_stmt handle, out string tail)
    {
        var rc = raw.sqlite3_prepare_v3(_db, sql, PreparePersistent, out handle, out tail);
        var wait = default(LockWait);
        while (NativeStep.IsLocked(rc) && wait.Again())
        {
            handle?.Dispose();
            rc = raw.sqlite3_prepare_v3(_db, sql, PreparePersistent, out handle, out tail);
        }
        return rc;
    }

    /// <summary>Binds each value to its parameter by index; the indexes are looked up the first time a set of names is seen.</summary>
    private static void Bind(PreparedStatement statement, ReadOnlySpan<(string Name, object? Value)> args)
    {
        var indexes = statement.IndexesFor(args);
        var handle = statement.Pointer;
        for (var i = 0; i < args.Length; i++)
        {
            if (indexes[i] > 0)
            {
                BindValue(handle, indexes[i], args[i].Value);
            }
        }
    }

    private static void BindValue(nint handle, int index, object? value)
    {
        var rc = value switch
        {
            null or DBNull => SqliteCalls.sqlite3_bind_null(handle, index),
            string text => BindText(handle, index, text),
            long number => SqliteCalls.sqlite3_bind_int64(handle, index, number),
            int number => SqliteCalls.sqlite3_bind_int64(handle, index, number),
            bool flag => SqliteCalls.sqlite3_bind_int64(handle, index, flag ? 1 : 0),
            double real => SqliteCalls.sqlite3_bind_double(handle, index, real),
            short number => SqliteCalls.sqlite3_bind_int64(handle, index, number),
            byte number => SqliteCalls.sqlite3_bind_int64(handle, index, number),
            float real => SqliteCalls.sqlite3_bind_double(handle, index, real),
            byte[] blob => SqliteCalls.BindBlob(handle, index, blob),
            _ => throw new NotSupportedException($"A SQL parameter of type {value.GetType()} is not supported by the SQLite store."),
        };
        if (rc != raw.SQLITE_OK)
        {
            throw new InvalidOperationException($"SQLite could not bind parameter {index} (code {rc}).");
        }
    }

    /// <summary>
    /// Binds <paramref name="text"/> as UTF-8, the database's encoding. Bound as UTF-16, SQLite would copy it as such and then
    /// convert it in an allocation of its own when storing or comparing it: about 3% of a busy node's CPU samples (<c>perf</c>,
    /// <c>sqlite3VdbeMemTranslate</c> and SQLite's <c>malloc</c>/<c>free</c>), about 1.3% with the encoding done here
    /// (<c>bench/RESULTS.md</c>, push 9).
    /// </summary>
    private static int BindText(nint handle, int index, string text)
    {
        const int StackBytes = 512;
        if (text.Length <= StackBytes / 3)
        {
            Span<byte> buffer = stackalloc byte[StackBytes];
            return SqliteCalls.BindText(handle, index, buffer[..Encoding.UTF8.GetBytes(text, buffer)]);
        }
        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            // SQLite copies the bytes before returning (SQLITE_TRANSIENT), so the buffer can go back at once.
            return SqliteCalls.BindText(handle, index, rented.AsSpan(0, Encoding.UTF8.GetBytes(text, rented)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var text in _prepared.Values)
            {
                foreach (var statement in text.Statements)
                {
                    statement.Handle.Dispose();
                }
            }
            _prepared.Clear();
        }
        base.Dispose(disposing);
    }

    private sealed class PreparedText(PreparedStatement[] statements)
    {
        public PreparedStatement[] Statements { get; } = statements;
    }

    /// <summary>One prepared statement and the parameter indexes of the argument names it was last called with.</summary>
    private sealed class PreparedStatement(sqlite3_stmt handle, bool readOnly)
    {
        private string[]? _names;
        private int[] _indexes = [];

        public sqlite3_stmt Handle { get; } = handle;

        /// <summary>The statement's pointer, for <see cref="SqliteCalls"/>; valid until <see cref="Handle"/> is disposed.</summary>
        public nint Pointer { get; } = SqliteCalls.Pointer(handle);

        public bool ReadOnly { get; } = readOnly;

        /// <summary>
        /// For each argument, its parameter's index in this statement (0: the statement does not use it). The store's call
        /// sites pass the same names in the same order every time, so after the first call this is a comparison of names. Every
        /// parameter must be named, so no value of an earlier call can stay bound.
        /// </summary>
        public int[] IndexesFor(ReadOnlySpan<(string Name, object? Value)> args)
        {
            if (SameNames(args))
            {
                return _indexes;
            }
            var names = new string[args.Length];
            var indexes = new int[args.Length];
            var bound = new bool[raw.sqlite3_bind_parameter_count(Handle) + 1];
            for (var i = 0; i < args.Length; i++)
            {
                names[i] = args[i].Name;
                indexes[i] = raw.sqlite3_bind_parameter_index(Handle, args[i].Name);
                bound[indexes[i]] = true;
            }
            for (var p = 1; p < bound.Length; p++)
            {
                if (!bound[p])
                {
                    var name = raw.sqlite3_bind_parameter_name(Handle, p).utf8_to_string();
                    throw new InvalidOperationException($"The SQL parameter {name} was given no value.");
                }
            }
            _names = names;
            _indexes = indexes;
            return indexes;
        }

        private bool SameNames(ReadOnlySpan<(string Name, object? Value)> args)
        {
            if (_names is null || args.Length != _names.Length)
            {
                return false;
            }
            for (var i = 0; i < args.Length; i++)
            {
                if (!ReferenceEquals(args[i].Name, _names[i]) && !string.Equals(args[i].Name, _names[i], StringComparison.Ordinal))
                {
                    return false;
                }
            }
            return true;
        }
    }
}
