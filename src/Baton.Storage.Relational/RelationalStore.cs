using System.Globalization;
using Baton.Engine.Storage;

namespace Baton.Storage.Relational;

/// <summary>
/// The <see cref="IBatonStore"/> operations of the relational stores, written once: each public store forwards to one of these,
/// built over its <see cref="IStoreRunner"/> (writer and read connections) and its <see cref="SqlDialect"/>. What only one engine
/// can do (the claim queries) stays in that store.
/// </summary>
/// <remarks>
/// One file per store role (<c>RelationalStore.Tasks.cs</c> for <see cref="ITaskStore"/>, ...). A new role adds its file here,
/// its shared writes to <see cref="Mutations"/> (<c>Mutations.&lt;Concept&gt;.cs</c>), its row mappers to <see cref="Rows"/>, and one
/// forwarding line per member to each store.
/// </remarks>
internal sealed partial class RelationalStore
{
    private readonly IStoreRunner _runner;

    public RelationalStore(IStoreRunner runner, SqlDialect dialect)
    {
        _runner = runner;
        Dialect = dialect;
    }

    public SqlDialect Dialect { get; }

    private Task<T> WriteAsync<T>(Func<WriteContext, T> body, CancellationToken cancellationToken) =>
        _runner.WriteAsync(body, cancellationToken);

    private Task WriteAsync(Action<WriteContext> body, CancellationToken cancellationToken) =>
        _runner.WriteAsync(ctx => { body(ctx); return true; }, cancellationToken);

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
