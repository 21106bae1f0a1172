using Baton.Engine.Storage;

namespace Baton.Storage.Relational;

/// <summary>
/// The claims, which each engine writes its own way (SQLite: one writer, plain reads then updates; PostgreSQL: several nodes,
/// <c>FOR UPDATE SKIP LOCKED</c> and one round trip per batch). <see cref="RelationalStore"/> validates the arguments and runs
/// them on the store's writer.
/// </summary>
internal interface IClaimQueries
{
    /// <inheritdoc cref="IWorkflowQueue.ClaimWorkflowsAsync"/>
    IReadOnlyList<WorkflowClaim> ClaimWorkflows(WriteContext ctx, string owner, int max, DateTimeOffset now, DateTimeOffset leaseUntil);

    /// <inheritdoc cref="ITaskQueue.ClaimTasksAsync"/>
    TaskClaimBatch ClaimTasks(WriteContext ctx, string owner, IReadOnlyList<string> serviceNames, int max, DateTimeOffset now, DateTimeOffset leaseUntil);
}
