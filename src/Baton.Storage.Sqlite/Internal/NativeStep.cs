using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Baton.Storage.Sqlite.Internal;

/// <summary>
/// Stepping a prepared statement as Microsoft.Data.Sqlite does: a run's first step waits while another connection holds a
/// lock the statement needs (SQLite's busy timeout covers file locks, but not the table locks of a shared-cache in-memory
/// database), and a failure becomes a <see cref="SqliteException"/> with SQLite's codes. Statements are passed as their
/// pointers (<see cref="SqliteCalls"/>).
/// </summary>
internal static class NativeStep
{
    /// <summary>How long a call waits for a lock another connection holds (Microsoft.Data.Sqlite's default command timeout).</summary>
    public const int LockWaitSeconds = 30;

    /// <summary>
    /// The first step of a run: true on a row, false when done. A step refused by a lock has changed nothing, so it is
    /// reset and taken again; later steps of the same run are not retried (a reset would start the rows over).
    /// </summary>
    public static bool First(sqlite3 db, nint statement)
    {
        var rc = SqliteCalls.sqlite3_step(statement);
        var wait = default(LockWait);
        while (IsLocked(rc) && wait.Again())
        {
            SqliteCalls.sqlite3_reset(statement);
            rc = SqliteCalls.sqlite3_step(statement);
        }
        return RowOrDone(db, rc);
    }

    /// <summary>A later step of the run: true on a row, false when done.</summary>
    public static bool Next(sqlite3 db, nint statement) => RowOrDone(db, SqliteCalls.sqlite3_step(statement));

    /// <summary>SQLITE_BUSY or SQLITE_LOCKED, with or without an extended code.</summary>
    public static bool IsLocked(int rc) => (rc & 0xFF) is raw.SQLITE_BUSY or raw.SQLITE_LOCKED;

    /// <summary>The exception for a failed call, with the connection's message and extended code.</summary>
    public static SqliteException Failure(sqlite3 db, int rc)
    {
        var message = raw.sqlite3_errmsg(db).utf8_to_string();
        return new SqliteException(
            string.Format(CultureInfo.InvariantCulture, "SQLite Error {0}: '{1}'.", rc, message), rc, raw.sqlite3_extended_errcode(db));
    }

    private static bool RowOrDone(sqlite3 db, int rc) => rc switch
    {
        raw.SQLITE_ROW => true,
        raw.SQLITE_DONE => false,
        _ => throw Failure(db, rc),
    };
}

/// <summary>Paces the retries of a call refused by another connection's lock: spinning first, then 1 ms sleeps, until a deadline.</summary>
internal struct LockWait
{
    private SpinWait _spin;
    private long _deadline;

    /// <summary>Waits a little and returns true, or returns false once <see cref="NativeStep.LockWaitSeconds"/> have passed.</summary>
    public bool Again()
    {
        var now = Stopwatch.GetTimestamp();
        if (_deadline == 0)
        {
            _deadline = now + (Stopwatch.Frequency * NativeStep.LockWaitSeconds);
        }
        if (now >= _deadline)
        {
            return false;
        }
        _spin.SpinOnce(sleep1Threshold: 10);
        return true;
    }
}
