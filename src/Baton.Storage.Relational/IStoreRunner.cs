using System.Data.Common;

namespace Baton.Storage.Relational;

/// <summary>
/// How a store runs the shared operations of <see cref="RelationalStore"/>: writes through its writer (batched, each in a
/// savepoint, answered after the commit) and reads on its read connections. Each store implements it over its own connection
/// machinery and reports a store that is not open (or disposed) through the returned task.
/// </summary>
internal interface IStoreRunner
{
    /// <summary>Queues a write; completes after the batch holding it commits.</summary>
    Task<T> WriteAsync<T>(Func<WriteContext, T> body, CancellationToken cancellationToken);

    /// <summary>The first row of a read, mapped; null when there is none.</summary>
    Task<T?> ReadFirstAsync<T>(string sql, Func<DbDataReader, T> map, (string Name, object? Value)[] args, CancellationToken cancellationToken)
        where T : class;

    /// <summary>Every row of a read, mapped.</summary>
    Task<IReadOnlyList<T>> ReadListAsync<T>(string sql, Func<DbDataReader, T> map, (string Name, object? Value)[] args, CancellationToken cancellationToken);

    /// <summary>The first column of the first row of a read; null for no row or SQL NULL.</summary>
    Task<object?> ReadScalarAsync(string sql, (string Name, object? Value)[] args, CancellationToken cancellationToken);
}
