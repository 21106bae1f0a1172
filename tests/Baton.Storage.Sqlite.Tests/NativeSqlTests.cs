using Baton.Storage.Sqlite.Internal;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Baton.Storage.Sqlite.Tests;

/// <summary>
/// The store's own statement path: it must behave as Microsoft.Data.Sqlite did for the store's SQL — counts, values and
/// their types, NULLs, several statements in one text, errors with SQLite's codes — and refuse what it cannot bind.
/// </summary>
public sealed class NativeSqlTests : IDisposable
{
    private readonly TempDatabase _db = new();
    private readonly SqliteConnection _connection;
    private readonly NativeSql _sql;

    public NativeSqlTests()
    {
        _connection = new SqliteConnection($"Data Source={_db.FilePath}");
        _connection.Open();
        _sql = new NativeSql(_connection, SqliteDialect.Instance);
        _sql.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, score REAL, flag INTEGER, note TEXT)");
    }

    public void Dispose()
    {
        _sql.Dispose();
        _connection.Dispose();
        _db.Dispose();
    }

    [Fact]
    public void Exec_CountsChangedRows_NotThoseOfReadsOrTransactionControl()
    {
        Assert.Equal(0, _sql.Exec("BEGIN IMMEDIATE"));
        Assert.Equal(1, _sql.Exec("INSERT INTO t (name, score) VALUES (@name, @score)", ("@name", "a"), ("@score", 1.5)));
        Assert.Equal(1, _sql.Exec("INSERT INTO t (name, score) VALUES (@name, @score)", ("@name", "b"), ("@score", 2.5)));
        Assert.Equal(0, _sql.Exec("COMMIT"));
        Assert.Equal(2, _sql.Exec("UPDATE t SET flag = @flag", ("@flag", true)));
        Assert.Equal(0, _sql.Exec("UPDATE t SET flag = 0 WHERE name = @name", ("@name", "missing")));
        Assert.Equal(0, _sql.Exec("SELECT * FROM t"));
    }

    [Fact]
    public void Exec_SeveralStatements_RunsEachInOrderAndSumsTheirChanges()
    {
        var changed = _sql.Exec(
            "INSERT INTO t (name) VALUES (@a); INSERT INTO t (name) VALUES (@b); UPDATE t SET note = @note WHERE name = @a;",
            ("@a", "x"), ("@b", "y"), ("@note", "n"));

        Assert.Equal(3, changed);
        Assert.Equal("n", _sql.Scalar("SELECT note FROM t WHERE name = @a", ("@a", "x")));
    }

    [Fact]
    public void Reads_ValuesComeBackWithTheTypesMicrosoftDataSqliteGave()
    {
        _sql.Exec("INSERT INTO t (id, name, score, flag, note) VALUES (@id, @name, @score, @flag, @note)",
            ("@id", 7L), ("@name", "héllo ✓"), ("@score", 0.25), ("@flag", 1), ("@note", null));

        var row = Assert.Single(_sql.Query("SELECT id, name, score, flag, note FROM t WHERE id = @id",
            r => (Id: r.GetInt64(0), Name: r.GetString(1), Score: r.GetDouble(2), Flag: r.GetBoolean(3), NoteIsNull: r.IsDBNull(4),
                Values: new[] { r.GetValue(0), r.GetValue(1), r.GetValue(2), r.GetValue(4) }),
            ("@id", 7)));

        Assert.Equal((7L, "héllo ✓", 0.25, true, true), (row.Id, row.Name, row.Score, row.Flag, row.NoteIsNull));
        Assert.Equal(new object[] { 7L, "héllo ✓", 0.25, DBNull.Value }, row.Values);
        Assert.Equal(7L, _sql.Long("SELECT id FROM t WHERE name = @name", ("@name", "héllo ✓")));
        Assert.Null(_sql.Scalar("SELECT note FROM t WHERE id = 7"));
        Assert.Null(_sql.Scalar("SELECT note FROM t WHERE id = 8"));
        Assert.Null(_sql.First("SELECT name FROM t WHERE id = 8", r => r.GetString(0)));
        Assert.Throws<InvalidOperationException>(() => _sql.First("SELECT note FROM t WHERE id = 7", r => r.GetString(0)));
    }

    [Theory]
    [InlineData(0, "")]
    [InlineData(1, "a")]
    [InlineData(170, "é")] // the longest text encoded on the stack, in two-byte characters
    [InlineData(171, "✓")] // the shortest one encoded in a rented buffer, in three-byte characters
    [InlineData(100_000, "😀")] // surrogate pairs, four bytes each
    public void Text_EmptyShortLongAndNonAscii_StoredAsTextAndReadBackIntact(int repeat, string unit)
    {
        var text = string.Concat(Enumerable.Repeat(unit, repeat));

        _sql.Exec("INSERT INTO t (id, name) VALUES (1, @name)", ("@name", text));

        // Not NULL (an empty span must still bind an empty text), stored as UTF-8 of the expected length, and equal to itself.
        Assert.Equal("text", _sql.Scalar("SELECT typeof(name) FROM t WHERE id = 1"));
        Assert.Equal((long)System.Text.Encoding.UTF8.GetByteCount(text), _sql.Scalar("SELECT length(CAST(name AS BLOB)) FROM t WHERE id = 1"));
        Assert.Equal(text, _sql.First("SELECT name FROM t WHERE id = 1", r => r.GetString(0)));
        Assert.Equal(1L, _sql.Long("SELECT id FROM t WHERE name = @name", ("@name", text)));
    }

    [Fact]
    public void Blob_EmptyAndNot_StoredAsBlobsAndReadBackIntact()
    {
        _sql.Exec("CREATE TABLE b (id INTEGER, v BLOB)");
        _sql.Exec("INSERT INTO b VALUES (1, @v)", ("@v", Array.Empty<byte>()));
        _sql.Exec("INSERT INTO b VALUES (2, @v)", ("@v", new byte[] { 0, 1, 255 }));

        // An empty array is an empty blob, not NULL, as Microsoft.Data.Sqlite binds it.
        Assert.Equal("blob", _sql.Scalar("SELECT typeof(v) FROM b WHERE id = 1"));
        Assert.Equal(Array.Empty<byte>(), _sql.Scalar("SELECT v FROM b WHERE id = 1"));
        Assert.Equal(new byte[] { 0, 1, 255 }, _sql.Scalar("SELECT v FROM b WHERE id = 2"));
        Assert.Equal(2L, _sql.Long("SELECT id FROM b WHERE v = @v", ("@v", new byte[] { 0, 1, 255 })));
    }

    [Fact]
    public void Reader_TheRestOfDbDataReader_ConvertsAsMicrosoftDataSqliteDoes()
    {
        var guid = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
        _sql.Exec("CREATE TABLE v (b BLOB, g TEXT, d TEXT, j REAL, n TEXT, c INTEGER)");
        _sql.Exec("INSERT INTO v VALUES (@b, @g, @d, @j, @n, @c)",
            ("@b", guid.ToByteArray()), ("@g", guid.ToString()), ("@d", "2026-11-29T12:30:00Z"), ("@j", 2440588.0), ("@n", "12.5e1"), ("@c", 65));

        var row = Assert.Single(_sql.Query("SELECT b, g, d, j, n, c, 'héllo' AS t FROM v", r =>
        {
            var chunk = new char[3];
            var copied = r.GetChars(6, 1, chunk, 0, 3);
            return new
            {
                BlobGuid = r.GetGuid(0), TextGuid = r.GetGuid(1), Time = r.GetDateTime(2), Julian = r.GetDateTime(3),
                Number = r.GetDecimal(4), IntegerDecimal = r.GetDecimal(5), CodeChar = r.GetChar(5), TextChar = r.GetChar(6),
                BlobLength = r.GetBytes(0, 0, null, 0, 0), Chunk = new string(chunk, 0, (int)copied),
                Names = (r.GetName(6), r.GetOrdinal("J"), r["t"]), Types = (r.GetFieldType(0), r.GetFieldType(3), r.GetDataTypeName(0)),
            };
        }));

        Assert.Equal(guid, row.BlobGuid);
        Assert.Equal(guid, row.TextGuid);
        Assert.Equal(new DateTime(2026, 11, 29, 12, 30, 0, DateTimeKind.Utc), row.Time.ToUniversalTime());
        Assert.Equal(new DateTime(1970, 1, 1, 12, 0, 0), row.Julian);
        Assert.Equal(125m, row.Number);
        Assert.Equal(65m, row.IntegerDecimal);
        Assert.Equal(('A', 'h'), (row.CodeChar, row.TextChar));
        Assert.Equal(16, row.BlobLength);
        Assert.Equal("éll", row.Chunk);
        Assert.Equal(("t", 3, (object)"héllo"), row.Names);
        Assert.Equal((typeof(byte[]), typeof(double), "BLOB"), row.Types);
    }

    [Fact]
    public void Reader_ReadHasRowsAndEnumeration_StepTheStatement()
    {
        for (var i = 1; i <= 3; i++)
        {
            _sql.Exec("INSERT INTO t (id, name) VALUES (@id, @name)", ("@id", i), ("@name", "n" + i));
        }

        // A mapper handed the reader on the first row can read on through the rest, as with any DbDataReader.
        var all = _sql.First("SELECT id FROM t ORDER BY id", r =>
        {
            var first = r.GetInt64(0);
            var rest = r.Cast<System.Data.IDataRecord>().Select(x => x.GetInt64(0)).ToList();
            return new { Rows = new List<long> { first }.Concat(rest).ToList(), r.HasRows, MoreAfterEnd = r.Read() };
        });

        Assert.NotNull(all);
        Assert.Equal([1L, 2L, 3L], all.Rows);
        Assert.True(all.HasRows);
        Assert.False(all.MoreAfterEnd);
        Assert.Empty(_sql.Query("SELECT id FROM t WHERE id > 3", r => r.GetInt64(0)));
        Assert.Throws<InvalidOperationException>(() => _sql.Query("SELECT id FROM t", r => { r.Read(); r.Read(); r.Read(); return r.GetInt64(0); }));
    }

    [Fact]
    public void Query_ReturnsEveryRowInOrder_AndTheStatementRunsAgainWithNewValues()
    {
        for (var i = 0; i < 5; i++)
        {
            _sql.Exec("INSERT INTO t (id, name) VALUES (@id, @name)", ("@id", i), ("@name", "n" + i));
        }

        Assert.Equal(["n1", "n2", "n3"], _sql.Query("SELECT name FROM t WHERE id BETWEEN @lo AND @hi ORDER BY id", r => r.GetString(0), ("@lo", 1), ("@hi", 3)));
        Assert.Equal(["n4"], _sql.Query("SELECT name FROM t WHERE id BETWEEN @lo AND @hi ORDER BY id", r => r.GetString(0), ("@lo", 4), ("@hi", 9)));
        // The same text with its names in another order binds each value to its own parameter.
        Assert.Equal(["n0"], _sql.Query("SELECT name FROM t WHERE id BETWEEN @lo AND @hi ORDER BY id", r => r.GetString(0), ("@hi", 0), ("@lo", 0)));
    }

    [Fact]
    public void Returning_FirstRowMapped_AndTheChangeIsMade()
    {
        _sql.Exec("INSERT INTO t (id, name) VALUES (1, 'a')");

        var updated = _sql.First("UPDATE t SET score = @score WHERE id = @id RETURNING name", r => r.GetString(0), ("@score", 9.0), ("@id", 1));

        Assert.Equal("a", updated);
        Assert.Equal(9.0, _sql.Scalar("SELECT score FROM t WHERE id = 1"));
    }

    [Fact]
    public void ConstraintViolation_ThrowsSqliteExceptionWithItsCode_AndTheStatementStaysUsable()
    {
        _sql.Exec("INSERT INTO t (name) VALUES (@name)", ("@name", "dup"));

        var error = Assert.Throws<SqliteException>(() => _sql.Exec("INSERT INTO t (name) VALUES (@name)", ("@name", "dup")));

        Assert.Equal(19, error.SqliteErrorCode); // SQLITE_CONSTRAINT
        Assert.Contains("UNIQUE", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, _sql.Exec("INSERT INTO t (name) VALUES (@name)", ("@name", "other")));
    }

    [Fact]
    public void BadSql_ThrowsSqliteException()
    {
        Assert.Throws<SqliteException>(() => _sql.Exec("INSERT INTO nowhere VALUES (1)"));
    }

    [Fact]
    public void ParameterWithoutValue_Refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => _sql.Exec("INSERT INTO t (name, note) VALUES (@name, @note)", ("@name", "a")));

        Assert.Contains("@note", error.Message, StringComparison.Ordinal);
        Assert.Equal(0L, _sql.Long("SELECT COUNT(*) FROM t"));
    }

    [Fact]
    public void UnsupportedParameterType_Refused()
    {
        Assert.Throws<NotSupportedException>(() => _sql.Exec("INSERT INTO t (name) VALUES (@name)", ("@name", DateTime.UnixEpoch)));
        Assert.Equal(0L, _sql.Long("SELECT COUNT(*) FROM t"));
    }

    [Fact]
    public void QueryOfSeveralStatements_Refused()
    {
        Assert.Throws<InvalidOperationException>(() => _sql.Query("SELECT 1; SELECT 2", r => r.GetInt64(0)));
    }
}
