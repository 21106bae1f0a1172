using Baton.Storage.Relational;

namespace Baton.Storage.PostgreSql.Internal;

/// <summary>
/// PostgreSQL's side of the shared SQL: real booleans, and row locks (<c>FOR UPDATE</c>, <c>SKIP LOCKED</c>) because several
/// writers on several nodes change the same rows; no index hints (the planner takes none).
/// </summary>
internal static class PostgreSqlDialect
{
    public static readonly SqlDialect Instance = new("PostgreSQL", trueLiteral: "TRUE", falseLiteral: "FALSE", locksRows: true, takesIndexHints: false, prefersReturning: true, chainsWrites: true);
}
