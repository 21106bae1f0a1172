using Baton.Storage.Relational;

namespace Baton.Storage.Sqlite.Internal;

/// <summary>
/// SQLite's side of the shared SQL: booleans are the integers <c>1</c>/<c>0</c> (the partial indexes are written with them), no row
/// locks (one writer holds the whole database), and the index hints the planner needs on the large tables.
/// </summary>
internal static class SqliteDialect
{
    public static readonly SqlDialect Instance = new("SQLite", trueLiteral: "1", falseLiteral: "0", locksRows: false, takesIndexHints: true, prefersReturning: false, chainsWrites: false);
}
