using Baton.Engine.Storage;

namespace Baton.Storage.Relational;

/// <summary>
/// Base of Baton's relational stores (SQLite, PostgreSQL): every <see cref="IBatonStore"/> operation, written once over
/// the store's connections (<see cref="IStoreRunner"/>), its SQL dialect and its claim queries. A store adds only how it
/// opens, runs and closes its database.
/// </summary>
public abstract class RelationalBatonStore : IBatonStore
{
    private readonly RelationalStore _core;

    // Internal: only Baton's own stores derive from it (the parameters are internal types).
    internal RelationalBatonStore(SqlDialect dialect, IClaimQueries claims)
    {
        if (this is not IStoreRunner runner) throw new InvalidOperationException($"{GetType().Name} must implement IStoreRunner.");
        _core = new RelationalStore(runner, dialect, claims);
    }

    /// <inheritdoc />
    public abstract Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <inheritdoc />
    public abstract ValueTask DisposeAsync();

    /// <inheritdoc />
    public Task<CreateWorkflowResult> CreateWorkflowAsync(NewWorkflow workflow, CancellationToken cancellationToken = default) =>
        _core.CreateWorkflowAsync(workflow, cancellationToken);

    /// <inheritdoc />
    public Task<WorkflowRecord?> GetWorkflowAsync(string workflowId, CancellationToken cancellationToken = default) =>
        _core.GetWorkflowAsync(workflowId, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<HistoryEvent>> GetHistoryAsync(string workflowId, long afterSeq = 0, CancellationToken cancellationToken = default) =>
        _core.GetHistoryAsync(workflowId, afterSeq, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<WorkflowRecord>> ListWorkflowsAsync(WorkflowListQuery query, CancellationToken cancellationToken = default) =>
        _core.ListWorkflowsAsync(query, cancellationToken);

    /// <inheritdoc />
    public Task<CancelWorkflowResult> CancelWorkflowAsync(WorkflowCancellation cancellation, CancellationToken cancellationToken = default) =>
        _core.CancelWorkflowAsync(cancellation, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<WorkflowClaim>> ClaimWorkflowsAsync(string owner, int max, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default) =>
        _core.ClaimWorkflowsAsync(owner, max, now, leaseUntil, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<StepCommitStatus>> CommitStepsAsync(IReadOnlyList<WorkflowStep> steps, CancellationToken cancellationToken = default) =>
        _core.CommitStepsAsync(steps, cancellationToken);

    /// <inheritdoc />
    public Task ReleaseWorkflowClaimsAsync(string owner, IReadOnlyList<string> workflowIds, CancellationToken cancellationToken = default) =>
        _core.ReleaseWorkflowClaimsAsync(owner, workflowIds, cancellationToken);

    /// <inheritdoc />
    public Task ReleaseOwnerClaimsAsync(string owner, CancellationToken cancellationToken = default) =>
        _core.ReleaseOwnerClaimsAsync(owner, cancellationToken);

    /// <inheritdoc />
    public Task<TaskClaimBatch> ClaimTasksAsync(string owner, IReadOnlyCollection<string> serviceNames, int max, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default) =>
        _core.ClaimTasksAsync(owner, serviceNames, max, now, leaseUntil, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<HandlerOutcomeStatus>> RecordHandlerOutcomesAsync(IReadOnlyList<HandlerOutcome> outcomes, CancellationToken cancellationToken = default) =>
        _core.RecordHandlerOutcomesAsync(outcomes, cancellationToken);

    /// <inheritdoc />
    public Task RenewTaskLeasesAsync(string owner, IReadOnlyList<string> taskIds, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default) =>
        _core.RenewTaskLeasesAsync(owner, taskIds, leaseUntil, cancellationToken);

    /// <inheritdoc />
    public Task<TaskRecord?> GetTaskAsync(string taskId, CancellationToken cancellationToken = default) =>
        _core.GetTaskAsync(taskId, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<TaskRecord>> ListTasksAsync(TaskListQuery query, CancellationToken cancellationToken = default) =>
        _core.ListTasksAsync(query, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<TaskAuditRecord>> GetTaskAuditAsync(string taskId, CancellationToken cancellationToken = default) =>
        _core.GetTaskAuditAsync(taskId, cancellationToken);

    /// <inheritdoc />
    public Task<TaskOperationResult> ResolveTaskAsync(TaskResolution resolution, CancellationToken cancellationToken = default) =>
        _core.ResolveTaskAsync(resolution, cancellationToken);

    /// <inheritdoc />
    public Task<TaskOperationResult> RecordProgressAsync(TaskProgressUpdate update, CancellationToken cancellationToken = default) =>
        _core.RecordProgressAsync(update, cancellationToken);

    /// <inheritdoc />
    public Task<TaskOperationResult> RequestTaskRetryAsync(string taskId, string? serviceName, AuditSource source, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        _core.RequestTaskRetryAsync(taskId, serviceName, source, at, cancellationToken);

    /// <inheritdoc />
    public Task<TimeoutBetweenOutcome> TimeoutTasksBetweenAsync(DateTimeOffset? from, DateTimeOffset to, AuditSource source, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        _core.TimeoutTasksBetweenAsync(from, to, source, at, cancellationToken);

    /// <inheritdoc />
    public Task<UserTaskRecord?> GetUserTaskAsync(string taskId, CancellationToken cancellationToken = default) =>
        _core.GetUserTaskAsync(taskId, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<UserTaskRecord>> ListUserTasksAsync(UserTaskListQuery query, CancellationToken cancellationToken = default) =>
        _core.ListUserTasksAsync(query, cancellationToken);

    /// <inheritdoc />
    public Task<UserTaskChangeResult> ChangeUserTaskAsync(UserTaskChange change, CancellationToken cancellationToken = default) =>
        _core.ChangeUserTaskAsync(change, cancellationToken);

    /// <inheritdoc />
    public Task<TimerFireResult> FireDueTimersAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default) =>
        _core.FireDueTimersAsync(now, max, cancellationToken);

    /// <inheritdoc />
    public Task<DateTimeOffset?> GetNextTimerDueAsync(CancellationToken cancellationToken = default) =>
        _core.GetNextTimerDueAsync(cancellationToken);

    /// <inheritdoc />
    public Task<string?> GetValueAsync(string key, CancellationToken cancellationToken = default) =>
        _core.GetValueAsync(key, cancellationToken);

    /// <inheritdoc />
    public Task<string> GetOrAddValueAsync(string key, string value, CancellationToken cancellationToken = default) =>
        _core.GetOrAddValueAsync(key, value, cancellationToken);

    /// <inheritdoc />
    public Task SetValueAsync(string key, string value, CancellationToken cancellationToken = default) =>
        _core.SetValueAsync(key, value, cancellationToken);

    /// <inheritdoc />
    public Task<bool> CompareAndSetValueAsync(string key, string? expected, string value, CancellationToken cancellationToken = default) =>
        _core.CompareAndSetValueAsync(key, expected, value, cancellationToken);

    /// <inheritdoc />
    public Task EnsureSchemaAsync(string schemaId, string schema, CancellationToken cancellationToken = default) =>
        _core.EnsureSchemaAsync(schemaId, schema, cancellationToken);

    /// <inheritdoc />
    public Task<string?> GetSchemaAsync(string schemaId, CancellationToken cancellationToken = default) =>
        _core.GetSchemaAsync(schemaId, cancellationToken);
}
