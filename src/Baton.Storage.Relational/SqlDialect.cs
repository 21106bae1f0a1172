using System.Collections.Concurrent;
using System.Text;

namespace Baton.Storage.Relational;

/// <summary>
/// What differs between the engines in the shared SQL. Statements are written once, with <c>@name</c> parameters and
/// <c>INSERT ... ON CONFLICT</c> (both engines accept them), and with these markers for the rest:
/// <list type="bullet">
/// <item><c>{true}</c>, <c>{false}</c>: boolean literals. SQLite stores booleans as <c>1</c>/<c>0</c> and proves its partial
/// indexes (<c>WHERE open = 1</c>) only against the same literal, so it cannot take <c>TRUE</c> there.</item>
/// <item><c>{for update}</c>: locks the rows a write transaction read before changing them (PostgreSQL); nothing where one
/// writer holds the whole database (SQLite).</item>
/// <item><c>{for update skip locked}</c>: the same, skipping rows another transaction holds.</item>
/// <item><c>{indexed by ix_name}</c>: an index hint where the engine takes one (SQLite's <c>INDEXED BY</c>).</item>
/// </list>
/// A text is rendered once and then kept; statements without markers pass through unchanged.
/// </summary>
internal sealed class SqlDialect
{
    private readonly ConcurrentDictionary<string, string> _rendered = new(StringComparer.Ordinal);

    /// <param name="name">The engine's name, for messages.</param>
    /// <param name="trueLiteral">What <c>{true}</c> becomes.</param>
    /// <param name="falseLiteral">What <c>{false}</c> becomes.</param>
    /// <param name="locksRows">Whether <c>{for update}</c> and <c>{for update skip locked}</c> become row locks.</param>
    /// <param name="takesIndexHints">Whether <c>{indexed by ...}</c> becomes <c>INDEXED BY ...</c>.</param>
    /// <param name="prefersReturning">See <see cref="PrefersReturning"/>.</param>
    /// <param name="chainsWrites">See <see cref="ChainsWrites"/>.</param>
    public SqlDialect(
        string name, string trueLiteral, string falseLiteral, bool locksRows, bool takesIndexHints, bool prefersReturning, bool chainsWrites)
    {
        ChainsWrites = chainsWrites;
        PrefersReturning = prefersReturning;
        Name = name;
        True = trueLiteral;
        False = falseLiteral;
        LocksRows = locksRows;
        TakesIndexHints = takesIndexHints;
    }

    public string Name { get; }

    public string True { get; }

    public string False { get; }

    public bool LocksRows { get; }

    public bool TakesIndexHints { get; }

    /// <summary>
    /// Whether a write that needs values back should say <c>RETURNING</c> (PostgreSQL: it saves a round trip) rather than
    /// read them in a statement of its own (SQLite: its <c>RETURNING</c> runs the change through a trigger program and a
    /// temporary table, about 8 µs more than the change alone, while a read by key on the writer's own connection costs
    /// 3–7 µs for a few columns, measured on the DRT's writer). Where the writer holds the whole database, as SQLite's does, nothing can come between the two statements.
    /// </summary>
    public bool PrefersReturning { get; }

    /// <summary>
    /// Whether one statement may chain two writes, the second fed by the first's <c>RETURNING</c> through <c>WITH</c>
    /// (PostgreSQL's data-modifying common table expressions; SQLite has none). Such a pair is one statement whose result
    /// nobody reads, so a writer that holds those (<see cref="Sql.Send"/>) sends it with its next statement instead of waiting
    /// for the first write's answer.
    /// </summary>
    public bool ChainsWrites { get; }

    /// <summary>The text to run for <paramref name="sql"/>: markers replaced (once per distinct text).</summary>
    public string Render(string sql) =>
        sql.Contains('{', StringComparison.Ordinal) ? _rendered.GetOrAdd(sql, static (text, dialect) => dialect.Replace(text), this) : sql;

    private string Replace(string sql)
    {
        var result = new StringBuilder(sql.Length);
        var at = 0;
        while (true)
        {
            var open = sql.IndexOf('{', at);
            if (open < 0)
            {
                return result.Append(sql, at, sql.Length - at).ToString();
            }
            var close = sql.IndexOf('}', open);
            if (close < 0)
            {
                throw new InvalidOperationException($"Unclosed marker in SQL: {sql}");
            }
            result.Append(sql, at, open - at).Append(Marker(sql[(open + 1)..close], sql));
            at = close + 1;
        }
    }

    private string Marker(string marker, string sql)
    {
        const string IndexedBy = "indexed by ";
        return marker switch
        {
            "true" => True,
            "false" => False,
            "for update" => LocksRows ? "FOR UPDATE" : string.Empty,
            "for update skip locked" => LocksRows ? "FOR UPDATE SKIP LOCKED" : string.Empty,
            _ when marker.StartsWith(IndexedBy, StringComparison.Ordinal) =>
                TakesIndexHints ? "INDEXED BY " + marker[IndexedBy.Length..] : string.Empty,
            _ => throw new InvalidOperationException($"Unknown marker {{{marker}}} for {Name} in SQL: {sql}"),
        };
    }
}
