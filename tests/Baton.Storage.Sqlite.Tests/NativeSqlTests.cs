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
