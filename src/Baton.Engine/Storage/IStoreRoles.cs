namespace Baton.Engine.Storage;

/// <summary>Workflow instances and their histories.</summary>
public interface IWorkflowStore
{
    /// <summary>
    /// Creates an instance with its <see cref="HistoryEventKind.WorkflowStarted"/> event (seq 1, name = type, payload = input),
    /// version 1, marked as needing a step. An existing id is returned unchanged with <see cref="CreateWorkflowStatus.AlreadyExists"/>.
    /// </summary>
    Task<CreateWorkflowResult> CreateWorkflowAsync(NewWorkflow workflow, CancellationToken cancellationToken = default);

    /// <summary>One instance, or null.</summary>
    Task<WorkflowRecord?> GetWorkflowAsync(string workflowId, CancellationToken cancellationToken = default);

    /// <summary>History events with <see cref="HistoryEvent.Seq"/> greater than <paramref name="afterSeq"/>, in order.</summary>
    Task<IReadOnlyList<HistoryEvent>> GetHistoryAsync(string workflowId, long afterSeq = 0, CancellationToken cancellationToken = default);

    /// <summary>Instances newest first, filtered.</summary>
    Task<IReadOnlyList<WorkflowRecord>> ListWorkflowsAsync(WorkflowListQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Cancels a running instance atomically: state Canceled, version incremented, <see cref="HistoryEventKind.WorkflowCanceled"/>
    /// appended, open tasks Canceled (audited with the source), its timers and inbox deleted, running children canceled the same way,
    /// and a running parent told with <see cref="InboxMessageKind.ChildFailed"/> (error type <c>Canceled</c>).
    /// </summary>
    Task<CancelWorkflowResult> CancelWorkflowAsync(WorkflowCancellation cancellation, CancellationToken cancellationToken = default);
}

/// <summary>Claiming instances that need a step, and committing steps.</summary>
public interface IWorkflowQueue
{
    /// <summary>
    /// Claims up to <paramref name="max"/> running instances that need a step (new, or with inbox messages) and are not claimed by
    /// another node with a lease still valid at <paramref name="now"/>; instances already claimed by <paramref name="owner"/> are skipped.
    /// Oldest need first. Each claim holds until <paramref name="leaseUntil"/>.
    /// </summary>
    Task<IReadOnlyList<WorkflowClaim>> ClaimWorkflowsAsync(string owner, int max, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default);

    /// <summary>
    /// Commits steps, each atomically and independently (one refused step does not affect the others), ideally in one transaction.
    /// A committed step releases its claim and leaves the instance needing a step again only if unconsumed messages remain.
    /// A step that finishes its workflow also cancels what the workflow no longer waits for: its open tasks and its running
    /// child workflows, with theirs (unless <see cref="WorkflowStep.MayHaveOpenTasks"/> or
    /// <see cref="WorkflowStep.MayHaveRunningChildren"/> says there are none).
    /// </summary>
    Task<IReadOnlyList<StepCommitStatus>> CommitStepsAsync(IReadOnlyList<WorkflowStep> steps, CancellationToken cancellationToken = default);

    /// <summary>Releases claims held by <paramref name="owner"/> without changing anything else (the instances stay in need of a step).</summary>
    Task ReleaseWorkflowClaimsAsync(string owner, IReadOnlyList<string> workflowIds, CancellationToken cancellationToken = default);

    /// <summary>
    /// Releases every workflow and task claim held by <paramref name="owner"/>: a node starting again under the same id (a
    /// configured <c>NodeId</c>) runs nothing yet, and its own claims would otherwise wait for it forever, since a claim loop
    /// skips its owner's expired claims. A released running task is claimable at once, its attempt counted.
    /// </summary>
    Task ReleaseOwnerClaimsAsync(string owner, CancellationToken cancellationToken = default);
}

/// <summary>Claiming tasks to run their handlers, and recording how runs ended.</summary>
public interface ITaskQueue
{
    /// <summary>
    /// Claims up to <paramref name="max"/> tasks of <paramref name="serviceNames"/>: Scheduled ones ready at <paramref name="now"/>
    /// (oldest ready first), and Running ones whose claim by another node has expired. Each becomes Running under
    /// <paramref name="owner"/> until <paramref name="leaseUntil"/>, its attempt incremented, audited as <c>Started</c>.
    /// </summary>
    Task<TaskClaimBatch> ClaimTasksAsync(string owner, IReadOnlyCollection<string> serviceNames, int max, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default);

    /// <summary>Applies handler outcomes, each independently; see <see cref="HandlerOutcomeKind"/>. Each is audited.</summary>
    Task<IReadOnlyList<HandlerOutcomeStatus>> RecordHandlerOutcomesAsync(IReadOnlyList<HandlerOutcome> outcomes, CancellationToken cancellationToken = default);

    /// <summary>Extends the claims <paramref name="owner"/> holds on these Running tasks.</summary>
    Task RenewTaskLeasesAsync(string owner, IReadOnlyList<string> taskIds, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default);
}

/// <summary>Operations on tasks from outside their handlers, and task queries.</summary>
public interface ITaskStore
{
    /// <summary>One task, or null.</summary>
    Task<TaskRecord?> GetTaskAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>Tasks matching the query, in its order.</summary>
    Task<IReadOnlyList<TaskRecord>> ListTasksAsync(TaskListQuery query, CancellationToken cancellationToken = default);

    /// <summary>A task's audit trail, oldest first.</summary>
    Task<IReadOnlyList<TaskAuditRecord>> GetTaskAuditAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies an outcome if the task is open: new state, result or error, completion time, claim cleared, its timers deleted,
    /// audited, and the workflow told with the matching inbox message if it is running. Otherwise nothing changes and the current
    /// task is returned with <see cref="TaskResolutionStatus.WrongState"/>.
    /// </summary>
    Task<TaskOperationResult> ResolveTaskAsync(TaskResolution resolution, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records progress on an open task: latest progress fields, heartbeat due time moved to <c>At + interval</c>, audited as
    /// <c>Progress</c>, <see cref="HistoryEventKind.TaskProgress"/> appended to the workflow's history.
    /// </summary>
    Task<TaskOperationResult> RecordProgressAsync(TaskProgressUpdate update, CancellationToken cancellationToken = default);

    /// <summary>A Delegated task goes back to Scheduled (ready now) so its handler runs again; audited as <c>RetryRequested</c>.</summary>
    Task<TaskOperationResult> RequestTaskRetryAsync(string taskId, string? serviceName, AuditSource source, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>
    /// Atomically: uses <paramref name="from"/> or else the remembered watermark (or the minimum time when none), times out every open
    /// task whose deadline lies in [from, to) as <see cref="ResolveTaskAsync"/> would with the reason <c>timeout-between</c>, and
    /// remembers <paramref name="to"/> as the new watermark.
    /// </summary>
    Task<TimeoutBetweenOutcome> TimeoutTasksBetweenAsync(DateTimeOffset? from, DateTimeOffset to, AuditSource source, DateTimeOffset at, CancellationToken cancellationToken = default);
}

/// <summary>User tasks: people's inboxes, claims and assignments (the tasks themselves live in <see cref="ITaskStore"/>).</summary>
public interface IUserTaskStore
{
    /// <summary>One user task, or null (also when the task exists but is not a user task).</summary>
    Task<UserTaskRecord?> GetUserTaskAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>Open user tasks matching the query, in its order.</summary>
    Task<IReadOnlyList<UserTaskRecord>> ListUserTasksAsync(UserTaskListQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims, releases or reassigns an open user task atomically (see <see cref="UserTaskChangeKind"/>), audited as
    /// <c>Claimed</c>, <c>Unclaimed</c> or <c>Reassigned</c>; a refused change changes nothing.
    /// </summary>
    Task<UserTaskChangeResult> ChangeUserTaskAsync(UserTaskChange change, CancellationToken cancellationToken = default);
}

/// <summary>Durable timers indexed by due time.</summary>
public interface ITimerStore
{
    /// <summary>Handles up to <paramref name="max"/> timers due at or before <paramref name="now"/>, oldest first; see <see cref="TimerKind"/>.</summary>
    Task<TimerFireResult> FireDueTimersAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default);

    /// <summary>Due time of the earliest timer, or null.</summary>
    Task<DateTimeOffset?> GetNextTimerDueAsync(CancellationToken cancellationToken = default);
}

/// <summary>Small durable settings: signing keys, the TimeoutBetween watermark.</summary>
public interface IKeyValueStore
{
    /// <summary>The value, or null.</summary>
    Task<string?> GetValueAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Stores <paramref name="value"/> unless a value exists; returns the value that is stored now (so concurrent nodes agree).</summary>
    Task<string> GetOrAddValueAsync(string key, string value, CancellationToken cancellationToken = default);

    /// <summary>Stores or replaces the value.</summary>
    Task SetValueAsync(string key, string value, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores <paramref name="value"/> only if the stored value is exactly <paramref name="expected"/> (ordinal), atomically
    /// with respect to every other write, including those of other nodes sharing the store; a null <paramref name="expected"/>
    /// stores it only if the key is absent. Returns whether it was stored: false means another writer changed the value since
    /// the caller read it, so read again and retry (a load-modify-compare-and-set loop never loses a concurrent edit).
    /// </summary>
    Task<bool> CompareAndSetValueAsync(string key, string? expected, string value, CancellationToken cancellationToken = default);
}

/// <summary>JSON schemas of task results, stored once and referenced by id from tasks.</summary>
public interface ISchemaStore
{
    /// <summary>Stores the schema unless that id exists.</summary>
    Task EnsureSchemaAsync(string schemaId, string schema, CancellationToken cancellationToken = default);

    /// <summary>The schema text, or null.</summary>
    Task<string?> GetSchemaAsync(string schemaId, CancellationToken cancellationToken = default);
}

/// <summary>
/// A complete store: every role over one database so that a step's writes across roles are atomic.
/// Every implementation must pass the conformance suite in <c>tests/Baton.Storage.Conformance</c>.
/// </summary>
public interface IBatonStore : IWorkflowStore, IWorkflowQueue, ITaskQueue, ITaskStore, IUserTaskStore, ITimerStore, IKeyValueStore, ISchemaStore, IAsyncDisposable
{
    /// <summary>Opens the database and applies pending migrations. Called once before any other member.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);
}
