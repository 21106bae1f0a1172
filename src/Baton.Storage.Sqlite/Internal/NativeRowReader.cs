using System.Collections;
using System.Data.Common;
using System.Globalization;
using SQLitePCL;

namespace Baton.Storage.Sqlite.Internal;

/// <summary>
/// A forward-only reader over one prepared statement of <see cref="NativeSql"/>, converting values as Microsoft.Data.Sqlite
/// does. <see cref="Read"/> steps the statement (the first step waits out another connection's lock, see
/// <see cref="NativeStep"/>); one instance serves every query of its <see cref="NativeSql"/>, which attaches it to a
/// statement, and detaches and resets the statement after.
/// </summary>
internal sealed class NativeRowReader : DbDataReader
{
    private sqlite3? _db;
    private nint _statement;
    private bool _stepped;
    private bool _pending;
    private bool _onRow;
    private bool _done;
    private bool _anyRow;

    public void Attach(sqlite3 db, nint statement)
    {
        _db = db;
        _statement = statement;
        _stepped = _pending = _onRow = _done = _anyRow = false;
    }

    public void Detach()
    {
        _statement = 0;
        _db = null;
    }

    /// <summary>The statement's pointer (see <see cref="SqliteCalls"/>).</summary>
    private nint Statement => _statement != 0 ? _statement : throw new InvalidOperationException("The reader is closed.");

    /// <summary>The statement, positioned on a row.</summary>
    private nint Row => _onRow ? Statement : throw new InvalidOperationException("The reader is not on a row; call Read first.");

    public override bool Read()
    {
        _ = Statement;
        if (_pending)
        {
            _pending = false;
            return _onRow = true;
        }
        _onRow = !_done && Step();
        _done = !_onRow;
        return _onRow;
    }

    /// <summary>Whether the statement returns any row; before the first <see cref="Read"/> this takes the first step and keeps its row for it.</summary>
    public override bool HasRows
    {
        get
        {
            _ = Statement;
            if (!_stepped)
            {
                _pending = Step();
                _done = !_pending;
            }
            return _anyRow;
        }
    }

    private bool Step()
    {
        var row = _stepped ? NativeStep.Next(_db!, _statement) : NativeStep.First(_db!, _statement);
        _stepped = true;
        _anyRow |= row;
        return row;
    }

    /// <summary>A statement gives one result set.</summary>
    public override bool NextResult() => false;

    public override int FieldCount => SqliteCalls.sqlite3_column_count(Statement);

    public override int Depth => 0;

    public override bool IsClosed => _statement == 0;

    /// <summary>Unknown to a reader of one statement (<see cref="NativeSql.Exec"/> counts changes); -1 as ADO.NET specifies.</summary>
    public override int RecordsAffected => -1;

    public override object this[int ordinal] => GetValue(ordinal);

    public override object this[string name] => GetValue(GetOrdinal(name));

    public override bool IsDBNull(int ordinal) => Type(ordinal) == raw.SQLITE_NULL;

    public override long GetInt64(int ordinal) => SqliteCalls.sqlite3_column_int64(NotNull(ordinal), ordinal);

    public override int GetInt32(int ordinal) => checked((int)GetInt64(ordinal));

    public override short GetInt16(int ordinal) => checked((short)GetInt64(ordinal));

    public override byte GetByte(int ordinal) => checked((byte)GetInt64(ordinal));

    public override bool GetBoolean(int ordinal) => GetInt64(ordinal) != 0;

    public override double GetDouble(int ordinal) => SqliteCalls.sqlite3_column_double(NotNull(ordinal), ordinal);

    public override float GetFloat(int ordinal) => (float)GetDouble(ordinal);

    public override decimal GetDecimal(int ordinal) => Type(ordinal) switch
    {
        raw.SQLITE_INTEGER => GetInt64(ordinal),
        raw.SQLITE_FLOAT => (decimal)GetDouble(ordinal),
        _ => decimal.Parse(GetString(ordinal), NumberStyles.Number | NumberStyles.AllowExponent, CultureInfo.InvariantCulture),
    };

    public override string GetString(int ordinal) => SqliteCalls.Text(NotNull(ordinal), ordinal) ?? "";

    /// <summary>The first character of a text, or the character whose code an integer holds.</summary>
    public override char GetChar(int ordinal) => Type(ordinal) == raw.SQLITE_TEXT
        ? GetString(ordinal) is [var first, ..] ? first : throw new InvalidCastException($"The text of column {ordinal} is empty.")
        : checked((char)GetInt64(ordinal));

    /// <summary>A 16-byte blob, or a text in any format <see cref="Guid.Parse(string)"/> reads.</summary>
    public override Guid GetGuid(int ordinal) => Type(ordinal) == raw.SQLITE_BLOB
        ? new Guid(SqliteCalls.Blob(Row, ordinal))
        : Guid.Parse(GetString(ordinal));

    /// <summary>A number is a Julian day (SQLite's <c>julianday()</c>), a text an ISO 8601 time, as Microsoft.Data.Sqlite reads them.</summary>
    public override DateTime GetDateTime(int ordinal) => Type(ordinal) is raw.SQLITE_INTEGER or raw.SQLITE_FLOAT
        ? DateTime.UnixEpoch.AddDays(GetDouble(ordinal) - UnixEpochJulianDay)
        : DateTime.Parse(GetString(ordinal), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    private const double UnixEpochJulianDay = 2440587.5;

    public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length)
    {
        var blob = SqliteCalls.Blob(NotNull(ordinal), ordinal);
        return CopyFrom(blob, dataOffset, buffer, bufferOffset, length);
    }

    public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length) =>
        CopyFrom(GetString(ordinal).AsSpan(), dataOffset, buffer, bufferOffset, length);

    /// <summary>ADO.NET's chunked read: the whole length when <paramref name="buffer"/> is null, else what was copied.</summary>
    private static long CopyFrom<T>(ReadOnlySpan<T> source, long dataOffset, T[]? buffer, int bufferOffset, int length)
    {
        if (buffer is null)
        {
            return source.Length;
        }
        ArgumentOutOfRangeException.ThrowIfNegative(dataOffset);
        var count = (int)Math.Max(0, Math.Min(length, source.Length - dataOffset));
        if (count > 0)
        {
            source.Slice((int)dataOffset, count).CopyTo(buffer.AsSpan(bufferOffset, count));
        }
        return count;
    }

    public override object GetValue(int ordinal)
    {
        var statement = Row;
        return SqliteCalls.sqlite3_column_type(statement, ordinal) switch
        {
            raw.SQLITE_INTEGER => SqliteCalls.sqlite3_column_int64(statement, ordinal),
            raw.SQLITE_FLOAT => SqliteCalls.sqlite3_column_double(statement, ordinal),
            raw.SQLITE_TEXT => SqliteCalls.Text(statement, ordinal) ?? "",
            raw.SQLITE_BLOB => SqliteCalls.Blob(statement, ordinal).ToArray(),
            _ => DBNull.Value,
        };
    }

    public override int GetValues(object[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var count = Math.Min(values.Length, FieldCount);
        for (var i = 0; i < count; i++)
        {
            values[i] = GetValue(i);
        }
        return count;
    }

    public override string GetName(int ordinal) => SqliteCalls.ColumnName(Statement, ordinal) ?? "";

    public override int GetOrdinal(string name)
    {
        var count = FieldCount;
        for (var i = 0; i < count; i++)
        {
            if (string.Equals(GetName(i), name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        throw new IndexOutOfRangeException($"The result has no column '{name}'.");
    }

    /// <summary>The type of the value in the current row (SQLite types values, not columns).</summary>
    public override Type GetFieldType(int ordinal) => Type(ordinal) switch
    {
        raw.SQLITE_INTEGER => typeof(long),
        raw.SQLITE_FLOAT => typeof(double),
        raw.SQLITE_BLOB => typeof(byte[]),
        _ => typeof(string),
    };

    /// <summary>The declared type of the column, or an empty string for an expression.</summary>
    public override string GetDataTypeName(int ordinal) => SqliteCalls.DeclaredType(Statement, ordinal) ?? "";

    /// <summary>The rows after the current one.</summary>
    public override IEnumerator GetEnumerator() => new DbEnumerator(this, closeReader: false);

    private int Type(int ordinal) => SqliteCalls.sqlite3_column_type(Row, ordinal);

    /// <summary>The statement, after checking the column holds a value (as Microsoft.Data.Sqlite refuses a typed read of NULL).</summary>
    private nint NotNull(int ordinal) => Type(ordinal) != raw.SQLITE_NULL
        ? _statement
        : throw new InvalidOperationException($"The value of column {ordinal} is NULL.");
}
