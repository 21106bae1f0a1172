using System.Collections;
using System.Data.Common;
using SQLitePCL;

namespace Baton.Storage.Sqlite.Internal;

/// <summary>
/// The current row of a statement that <see cref="NativeSql"/> is stepping, read through the <see cref="DbDataReader"/>
/// members the store's row mappers use (values by ordinal, as Microsoft.Data.Sqlite converts them). <see cref="NativeSql"/>
/// does the stepping, so <see cref="Read"/> is not for callers; one instance serves every query of its <see cref="NativeSql"/>.
/// </summary>
internal sealed class NativeRowReader : DbDataReader
{
    private sqlite3_stmt? _statement;

    public void Attach(sqlite3_stmt statement) => _statement = statement;

    public void Detach() => _statement = null;

    private sqlite3_stmt Statement => _statement ?? throw new InvalidOperationException("No statement is being read.");

    public override int FieldCount => raw.sqlite3_column_count(Statement);

    public override int Depth => 0;

    public override bool HasRows => throw new NotSupportedException("NativeSql steps the statement; ask it, not the reader.");

    public override bool IsClosed => _statement is null;

    public override int RecordsAffected => -1;

    public override object this[int ordinal] => GetValue(ordinal);

    public override object this[string name] => GetValue(GetOrdinal(name));

    public override bool IsDBNull(int ordinal) => raw.sqlite3_column_type(Statement, ordinal) == raw.SQLITE_NULL;

    public override long GetInt64(int ordinal) => raw.sqlite3_column_int64(NotNull(ordinal), ordinal);

    public override int GetInt32(int ordinal) => checked((int)GetInt64(ordinal));

    public override short GetInt16(int ordinal) => checked((short)GetInt64(ordinal));

    public override byte GetByte(int ordinal) => checked((byte)GetInt64(ordinal));

    public override bool GetBoolean(int ordinal) => GetInt64(ordinal) != 0;

    public override double GetDouble(int ordinal) => raw.sqlite3_column_double(NotNull(ordinal), ordinal);

    public override float GetFloat(int ordinal) => (float)GetDouble(ordinal);

    public override string GetString(int ordinal) => raw.sqlite3_column_text(NotNull(ordinal), ordinal).utf8_to_string();

    public override object GetValue(int ordinal)
    {
        var statement = Statement;
        return raw.sqlite3_column_type(statement, ordinal) switch
        {
            raw.SQLITE_INTEGER => raw.sqlite3_column_int64(statement, ordinal),
            raw.SQLITE_FLOAT => raw.sqlite3_column_double(statement, ordinal),
            raw.SQLITE_TEXT => raw.sqlite3_column_text(statement, ordinal).utf8_to_string(),
            raw.SQLITE_BLOB => raw.sqlite3_column_blob(statement, ordinal).ToArray(),
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

    public override string GetName(int ordinal) => raw.sqlite3_column_name(Statement, ordinal).utf8_to_string();

    public override int GetOrdinal(string name)
    {
        for (var i = 0; i < FieldCount; i++)
        {
            if (string.Equals(GetName(i), name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        throw new IndexOutOfRangeException($"The result has no column '{name}'.");
    }

    public override Type GetFieldType(int ordinal) => raw.sqlite3_column_type(Statement, ordinal) switch
    {
        raw.SQLITE_INTEGER => typeof(long),
        raw.SQLITE_FLOAT => typeof(double),
        raw.SQLITE_BLOB => typeof(byte[]),
        _ => typeof(string),
    };

    public override string GetDataTypeName(int ordinal) => raw.sqlite3_column_decltype(Statement, ordinal).utf8_to_string() ?? "";

    public override bool Read() => throw new NotSupportedException("NativeSql steps the statement; the reader only reads its current row.");

    public override bool NextResult() => false;

    public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length) =>
        throw new NotSupportedException();

    public override char GetChar(int ordinal) => throw new NotSupportedException();

    public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length) =>
        throw new NotSupportedException();

    public override DateTime GetDateTime(int ordinal) => throw new NotSupportedException("The store keeps times as unix milliseconds.");

    public override decimal GetDecimal(int ordinal) => throw new NotSupportedException();

    public override Guid GetGuid(int ordinal) => throw new NotSupportedException();

    public override IEnumerator GetEnumerator() => throw new NotSupportedException();

    /// <summary>The statement, after checking the column holds a value (as Microsoft.Data.Sqlite refuses a typed read of NULL).</summary>
    private sqlite3_stmt NotNull(int ordinal)
    {
        var statement = Statement;
        return raw.sqlite3_column_type(statement, ordinal) != raw.SQLITE_NULL
            ? statement
            : throw new InvalidOperationException($"The value of column {ordinal} is NULL.");
    }
}
