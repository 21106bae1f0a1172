using System.Data.Common;

namespace Baton.Storage.Relational;

/// <summary>
/// An update of at most one row, found by its key (<c>@id</c>), whose caller needs columns of the row as the update left it.
/// It runs as one statement with <c>RETURNING</c> where the dialect prefers that (see <see cref="SqlDialect.PrefersReturning"/>),
/// else as the update alone followed, when it changed a row, by a read of that row by its key. The texts are built once.
/// </summary>
internal sealed class KeyedUpdate
{
    /// <param name="table">The table.</param>
    /// <param name="key">The key column, compared with <c>@id</c>.</param>
    /// <param name="set">What follows <c>SET</c>.</param>
    /// <param name="condition">More of the <c>WHERE</c> clause, starting with <c>AND</c>; empty for none.</param>
    /// <param name="columns">The columns (or expressions of them and of the parameters) to return.</param>
    public KeyedUpdate(string table, string key, string set, string condition, string columns)
    {
        Update = $"UPDATE {table} SET {set} WHERE {key} = @id{condition}";
        Returning = Update + " RETURNING " + columns;
        ReadBack = $"SELECT {columns} FROM {table} WHERE {key} = @id";
    }

    /// <summary>The update without <c>RETURNING</c>.</summary>
    public string Update { get; }

    /// <summary>The update with <c>RETURNING</c> the columns.</summary>
    public string Returning { get; }

    /// <summary>The read of the columns by key, after <see cref="Update"/>.</summary>
    public string ReadBack { get; }

    /// <summary>Runs the update; the columns of the changed row mapped by <paramref name="map"/>, or null when no row changed.</summary>
    public T? Run<T>(Sql sql, Func<DbDataReader, T> map, params ReadOnlySpan<(string Name, object? Value)> args)
        where T : class =>
        sql.Dialect.PrefersReturning
            ? sql.First(Returning, map, args)
            : sql.Exec(Update, args) == 0 ? null : sql.First(ReadBack, map, args);
}
