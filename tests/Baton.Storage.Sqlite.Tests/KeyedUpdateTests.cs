using Baton.Storage.Relational;
using Baton.Storage.Sqlite.Internal;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Baton.Storage.Sqlite.Tests;

/// <summary>
/// A keyed update gives the same answer whether it runs as one statement with <c>RETURNING</c> or as the update then a read
/// by key (SQLite takes the second): the row as the update left it, expressions of parameters included, or null when the
/// condition matched nothing — and then it changed nothing.
/// </summary>
public sealed class KeyedUpdateTests : IDisposable
{
    private static readonly SqlDialect WithReturning =
        new("SQLite with RETURNING", "1", "0", locksRows: false, takesIndexHints: true, prefersReturning: true, chainsWrites: false);

    private static readonly KeyedUpdate Bump = new("counters", "id", "value = value + @by, note = @note", " AND value < @limit", "value - @by, note");

    private readonly TempDatabase _db = new();
    private readonly SqliteConnection _connection;

    public KeyedUpdateTests()
    {
        _connection = new SqliteConnection($"Data Source={_db.FilePath}");
        _connection.Open();
        using var sql = new NativeSql(_connection, SqliteDialect.Instance);
        sql.Exec("CREATE TABLE counters (id TEXT NOT NULL PRIMARY KEY, value INTEGER NOT NULL, note TEXT)");
        sql.Exec("INSERT INTO counters (id, value) VALUES ('a', 10), ('b', 100)");
    }

    public void Dispose()
    {
        _connection.Dispose();
        _db.Dispose();
    }

    public static TheoryData<bool> BothWays => new() { true, false };

    [Fact]
    public void Texts_AreTheUpdateItsReturningTwinAndTheReadByKey()
    {
        Assert.Equal("UPDATE counters SET value = value + @by, note = @note WHERE id = @id AND value < @limit", Bump.Update);
        Assert.Equal(Bump.Update + " RETURNING value - @by, note", Bump.Returning);
        Assert.Equal("SELECT value - @by, note FROM counters WHERE id = @id", Bump.ReadBack);
        Assert.False(SqliteDialect.Instance.PrefersReturning);
    }

    [Theory]
    [MemberData(nameof(BothWays))]
    public void Run_RowMatches_ReturnsItsColumnsAsTheUpdateLeftThem(bool returning)
    {
        using var sql = Sql(returning);

        var row = Bump.Run(sql, r => new BumpRow(r.GetInt64(0), r.GetString(1)), ("@id", "a"), ("@by", 5L), ("@note", "bumped"), ("@limit", 50L));

        Assert.Equal(new BumpRow(10, "bumped"), row);
        Assert.Equal(15L, sql.Scalar("SELECT value FROM counters WHERE id = 'a'"));
        Assert.Equal(100L, sql.Scalar("SELECT value FROM counters WHERE id = 'b'"));
    }

    [Theory]
    [MemberData(nameof(BothWays))]
    public void Run_ConditionFails_ReturnsNullAndChangesNothing(bool returning)
    {
        using var sql = Sql(returning);

        Assert.Null(Bump.Run(sql, r => r.GetString(1), ("@id", "b"), ("@by", 5L), ("@note", "bumped"), ("@limit", 50L)));
        Assert.Null(Bump.Run(sql, r => r.GetString(1), ("@id", "missing"), ("@by", 5L), ("@note", "bumped"), ("@limit", 50L)));

        Assert.Equal(100L, sql.Scalar("SELECT value FROM counters WHERE id = 'b'"));
        Assert.Null(sql.Scalar("SELECT note FROM counters WHERE id = 'b'"));
    }

    private sealed record BumpRow(long Before, string Note);

    private NativeSql Sql(bool returning) => new(_connection, returning ? WithReturning : SqliteDialect.Instance);
}
