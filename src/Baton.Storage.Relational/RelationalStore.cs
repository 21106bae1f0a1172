using System.Globalization;
using Baton.Engine.Storage;

namespace Baton.Storage.Relational;

/// <summary>
/// The <see cref="IBatonStore"/> operations of the relational stores, written once: <see cref="RelationalBatonStore"/>, the base of both public stores, forwards to these,
/// built over its <see cref="IStoreRunner"/> (writer and read connections), its <see cref="SqlDialect"/> and its
/// <see cref="IClaimQueries"/> (the one part each engine writes its own way).
/// </summary>
/// <remarks>
/// One file per store role (<c>RelationalStore.Tasks.cs</c> for <see cref="ITaskStore"/>, ...). A new role adds its file here,
/// its shared writes to <see cref="Mutations"/> (<c>Mutations.&lt;Concept&gt;.cs</c>), its row mappers to <see cref="Rows"/>, and one
/// forwarding member to <see cref="RelationalBatonStore"/>.
/// </remarks>
internal sealed partial class RelationalStore
{
    private readonly IStoreRunner _runner;
    private readonly IClaimQueries _claims;

    public RelationalStore(IStoreRunner runner, SqlDialect dialect, IClaimQueries claims)
    {
        _runner = runner;
        _claims = claims;
        Dialect = dialect;
    }

    public SqlDialect Dialect { get; }

    private Task<T> WriteAsync<T>(Func<WriteContext, T> body, CancellationToken cancellationToken) =>
        _runner.WriteAsync(body, cancellationToken);

    private Task WriteAsync(Action<WriteContext> body, CancellationToken cancellationToken) =>
        _runner.WriteAsync(ctx => { body(ctx); return true; }, cancellationToken);

    /// <summary>Applies each item in its own savepoint within one write, answering a status per item.</summary>
    private Task<IReadOnlyList<TStatus>> WriteEachAsync<TItem, TStatus>(IReadOnlyList<TItem> items, Func<WriteContext, TItem, TStatus> apply, CancellationToken cancellationToken) =>
        _runner.WriteAsync<IReadOnlyList<TStatus>>(
            ctx =>
            {
                var statuses = new List<TStatus>(items.Count);
                for (var i = 0; i < items.Count; i++)
                {
                    var item = items[i];
                    statuses.Add(ctx.Element(() => apply(ctx, item)));
                }
                return statuses;
            },
            cancellationToken);

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
