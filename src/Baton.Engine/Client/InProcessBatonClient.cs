using System.Collections.ObjectModel;
using System.Text.Json;
using Baton.Engine.Execution;
using Baton.Engine.Registry;
using Baton.Engine.Serialization;
using Baton.Engine.Storage;
using Baton.Engine.Tasks;

namespace Baton.Engine;

/// <summary>
/// <see cref="IBatonClient"/> served by the engine in the same process. Every change is recorded in the audit trail
/// with the source this client was created with (by default actor <c>client</c>, via <c>client</c>).
/// </summary>
public sealed class InProcessBatonClient : IBatonClient
{
    private readonly IBatonStore _store;
    private readonly WorkflowRegistry _workflows;
    private readonly PayloadCodec _codec;
    private readonly PayloadValidator _validator;
    private readonly TaskOperations _tasks;
    private readonly TaskTokenService _tokens;
    private readonly CallbackUrls _callbacks;
    private readonly WorkflowWaiters _waiters;
    private readonly TimeProvider _time;
    private readonly WorkflowHandoffs? _handoffs;

    internal InProcessBatonClient(IBatonStore store, WorkflowRegistry workflows, PayloadCodec codec, PayloadValidator validator, TaskOperations tasks,
        TaskTokenService tokens, CallbackUrls callbacks, WorkflowWaiters waiters, TimeProvider time, AuditSource source, UserIdentity? user = null,
        WorkflowHandoffs? handoffs = null)
    {
        _handoffs = handoffs;
        User = user;
        _store = store;
        _workflows = workflows;
        _codec = codec;
        _validator = validator;
        _tasks = tasks;
        _tokens = tokens;
        _callbacks = callbacks;
        _waiters = waiters;
        _time = time;
        Source = source;
    }

    /// <summary>Who this client acts as in audit trails.</summary>
    public AuditSource Source { get; }

    /// <summary>
    /// The person this client acts for on user tasks, or null for trusted application code (which may complete any
    /// user task through <see cref="CompleteDelegatedTaskAsync(string, string, JsonElement, CancellationToken)"/>).
    /// </summary>
    public UserIdentity? User { get; }

    /// <summary>The same client acting as another principal (the REST API uses one per caller).</summary>
    /// <param name="source">Who acts, for audit trails.</param>
    /// <param name="user">When the caller is a person or an outside system rather than trusted code: the user-task rules apply to it.</param>
    public InProcessBatonClient As(AuditSource source, UserIdentity? user = null) =>
        new(_store, _workflows, _codec, _validator, _tasks, _tokens, _callbacks, _waiters, _time, source, user, _handoffs);

    /// <inheritdoc/>
    public async Task<WorkflowStartResult> StartWorkflowAsync(StartWorkflowRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.Workflow)) throw new BatonException(BatonErrorCodes.InvalidArgument, "A workflow type name is required.");
        var type = _workflows.Find(request.Workflow) ?? throw new UnknownWorkflowTypeException(request.Workflow, _workflows.Names);
        var id = request.Id ?? Guid.CreateVersion7(_time.GetUtcNow()).ToString();
        CheckId(id, "workflow id");
        var input = _codec.Accept(request.Input, "The workflow input");
        var errors = _validator.Validate(input, type.InputType);
        if (errors.Count > 0)
            throw new PayloadValidationException(BatonErrorCodes.InputInvalid, $"The input does not match {type.Name}'s input type {type.InputType.Name}.", errors);
        var tags = request.Tags ?? [];
        var meta = request.Meta ?? ReadOnlyDictionary<string, string>.Empty;
        foreach (var tag in tags) CheckId(tag, "tag");
        var now = _time.GetUtcNow();
        // Created on this node, it is stepped by this node's executor without a claim (when it runs and keeps up).
        var handoff = _handoffs?.Offer(now);
        // Marked before it exists, so that no finish notice can come before the mark (see WorkflowWaiters.Starting).
        var start = _waiters.Starting(id);
        CreateWorkflowResult created;
        try
        {
            created = await _store.CreateWorkflowAsync(
                new NewWorkflow(id, type.Name, input, tags, meta, null, null, now) { Handoff = handoff }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            start.Drop();
            throw;
        }
        if (created.Status == CreateWorkflowStatus.Created)
        {
            start.Confirm();
            if (handoff is not null) _handoffs!.Deliver(created.Workflow);
            return new WorkflowStartResult(id, false);
        }
        start.Drop();
        var existing = created.Workflow;
        if (!string.Equals(existing.Name, type.Name, StringComparison.Ordinal) || !_codec.SameJson(existing.Input, input))
            throw new WorkflowIdConflictException(id, existing.Name);
        return new WorkflowStartResult(id, true);
    }

    /// <inheritdoc/>
    public async Task<WorkflowInfo> GetWorkflowAsync(string workflowId, CancellationToken cancellationToken = default)
    {
        var record = await FindWorkflowAsync(workflowId, cancellationToken).ConfigureAwait(false);
        var open = record.State == WorkflowState.Running
            ? await _store.ListTasksAsync(new TaskListQuery { WorkflowId = workflowId, OpenOnly = true, Limit = 500 }, cancellationToken).ConfigureAwait(false)
            : [];
        return WorkflowViews.Info(record, _codec, open);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<WorkflowHistoryEvent>> GetWorkflowHistoryAsync(string workflowId, CancellationToken cancellationToken = default)
    {
        await FindWorkflowAsync(workflowId, cancellationToken).ConfigureAwait(false);
        var history = await _store.GetHistoryAsync(workflowId, 0, cancellationToken).ConfigureAwait(false);
        return [.. history.Select(WorkflowViews.Event)];
    }

    /// <inheritdoc/>
    public async Task<WorkflowInfo> WaitForWorkflowAsync(string workflowId, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (timeout < TimeSpan.Zero || timeout > TimeSpan.FromHours(1))
            throw new BatonException(BatonErrorCodes.InvalidArgument, "The wait timeout must be between 0 and one hour.");
        CheckId(workflowId, "workflow id");
        var deadline = TimeProvider.System.GetUtcNow() + timeout;
        for (var first = true; ; first = false)
        {
            using var finished = _waiters.Watch(workflowId);
            // Only the workflow row while it runs; the open-task list is read once, when the answer is "still running". A
            // workflow this node started and has seen no finish notice for runs still: the first look needs no read.
            if (!(first && finished.StartedHereAndRunning))
            {
                var record = await FindWorkflowAsync(workflowId, cancellationToken).ConfigureAwait(false);
                if (record.State != WorkflowState.Running) return WorkflowViews.Info(record, _codec, []);
            }
            var left = deadline - TimeProvider.System.GetUtcNow();
            if (left <= TimeSpan.Zero) return await GetWorkflowAsync(workflowId, cancellationToken).ConfigureAwait(false);
            // Wake on the finish notice; re-check now and then in case this node did not see the finish (another node stepped it).
            // A notice that carries the finished record answers without reading it back.
            await Task.WhenAny(finished.Task, Task.Delay(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1), TimeProvider.System, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (finished.Task.IsCompletedSuccessfully && finished.Task.Result is { } done) return WorkflowViews.Info(done, _codec, []);
        }
    }

    /// <inheritdoc/>
    public async Task<WorkflowPage> ListWorkflowsAsync(WorkflowQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var limit = PageCursor.CheckLimit(query.Limit);
        CallerText.CheckFilter(query.Workflow, "workflow");
        CallerText.CheckFilter(query.Tag, "tag");
        var rows = await _store.ListWorkflowsAsync(new WorkflowListQuery
        {
            State = query.State, Name = query.Workflow, Tag = query.Tag, Limit = limit + 1, After = PageCursor.Decode(query.Cursor),
        }, cancellationToken).ConfigureAwait(false);
        var page = rows.Take(limit).ToList();
        var next = rows.Count > limit ? PageCursor.Encode(page[^1].CreatedAt, page[^1].Id) : null;
        return new WorkflowPage([.. page.Select(w => WorkflowViews.Info(w, _codec, []))], next);
    }

    /// <inheritdoc/>
    public async Task<WorkflowInfo> CancelWorkflowAsync(string workflowId, string? reason = null, CancellationToken cancellationToken = default)
    {
        CheckId(workflowId, "workflow id");
        if (reason is { Length: > 1000 }) throw new PayloadTooLargeException("The cancel reason", reason.Length, 1000);
        var result = await _store.CancelWorkflowAsync(new WorkflowCancellation(workflowId, reason ?? $"canceled by {Source.Actor}", Source, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        return result.Status switch
        {
            CancelWorkflowStatus.NotFound => throw new WorkflowNotFoundException(workflowId),
            CancelWorkflowStatus.AlreadyFinished when result.Workflow!.State != WorkflowState.Canceled =>
                throw new WorkflowWrongStateException(workflowId, result.Workflow.State, "canceled"),
            _ => WorkflowViews.Info(result.Workflow!, _codec, []),
        };
    }

    /// <inheritdoc/>
    public Task<CompletionResult> CompleteDelegatedTaskAsync(string serviceName, string taskId, JsonElement result, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        return _tasks.CompleteAsync(serviceName, taskId, result, Source, User, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<CompletionResult> CompleteDelegatedTaskAsync(string token, JsonElement result, CancellationToken cancellationToken = default) =>
        _tasks.CompleteAsync(null, _tasks.TaskIdFromToken(token), result, Source with { Via = Source.Via + "+token" }, User ?? TaskOperations.TokenHolder, cancellationToken);

    /// <inheritdoc/>
    public Task<CompletionResult> FailDelegatedTaskAsync(string serviceName, string taskId, TaskError error, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        return _tasks.FailAsync(serviceName, taskId, error, Source, User, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<CompletionResult> FailDelegatedTaskAsync(string token, TaskError error, CancellationToken cancellationToken = default) =>
        _tasks.FailAsync(null, _tasks.TaskIdFromToken(token), error, Source with { Via = Source.Via + "+token" }, User ?? TaskOperations.TokenHolder, cancellationToken);

    /// <inheritdoc/>
    public Task<TaskInfo> ReportProgressAsync(string serviceName, string taskId, ProgressReport progress, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        return _tasks.ReportProgressAsync(serviceName, taskId, progress, Source, User, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<TaskInfo> ReportProgressAsync(string token, ProgressReport progress, CancellationToken cancellationToken = default) =>
        _tasks.ReportProgressAsync(null, _tasks.TaskIdFromToken(token), progress, Source with { Via = Source.Via + "+token" }, User ?? TaskOperations.TokenHolder, cancellationToken);

    /// <inheritdoc/>
    public Task<TaskInfo> RetryTaskAsync(string serviceName, string taskId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        return _tasks.RetryAsync(serviceName, taskId, Source, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<CompletionResult> TimeoutTaskAsync(string taskId, CancellationToken cancellationToken = default) =>
        _tasks.TimeoutAsync(taskId, Source, cancellationToken);

    /// <inheritdoc/>
    public Task<TimeoutBetweenResult> TimeoutTasksBetweenAsync(DateTimeOffset? from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
        _tasks.TimeoutBetweenAsync(from, to, Source, cancellationToken);

    /// <inheritdoc/>
    public async Task<TaskDetails> GetTaskAsync(string taskId, CancellationToken cancellationToken = default)
    {
        CheckId(taskId, "task id");
        var task = await _store.GetTaskAsync(taskId, cancellationToken).ConfigureAwait(false) ?? throw new TaskNotFoundException(null, taskId);
        var audit = await _store.GetTaskAuditAsync(taskId, cancellationToken).ConfigureAwait(false);
        // A user task is done by a person through the inbox: it has no callback token to leak.
        if (Tasks.TaskOperations.IsUserTask(task)) return TaskViews.Details(task, audit, _codec, null, null);
        return TaskViews.Details(task, audit, _codec, _tokens.Issue(taskId), _callbacks.For(taskId, _tokens));
    }

    /// <inheritdoc/>
    public async Task<TaskPage> ListTasksAsync(TaskQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var limit = PageCursor.CheckLimit(query.Limit);
        if (query.OlderThan is { } age && age < TimeSpan.Zero) throw new BatonException(BatonErrorCodes.InvalidArgument, "olderThan must not be negative.");
        CallerText.CheckFilter(query.ServiceName, "service");
        CallerText.CheckFilter(query.Tag, "tag");
        CallerText.CheckFilter(query.WorkflowId, "workflow");
        var rows = await _store.ListTasksAsync(new TaskListQuery
        {
            State = query.State, OpenOnly = query.OpenOnly, ServiceName = query.ServiceName, Tag = query.Tag, WorkflowId = query.WorkflowId,
            CreatedBefore = query.OlderThan is { } olderThan ? _time.GetUtcNow() - olderThan : null,
            Limit = limit + 1, After = PageCursor.Decode(query.Cursor), NewestFirst = query.Order == TaskOrder.NewestFirst,
        }, cancellationToken).ConfigureAwait(false);
        var page = rows.Take(limit).ToList();
        var next = rows.Count > limit ? PageCursor.Encode(page[^1].CreatedAt, page[^1].TaskId) : null;
        return new TaskPage([.. page.Select(TaskViews.Info)], next);
    }

    private async Task<WorkflowRecord> FindWorkflowAsync(string workflowId, CancellationToken cancellationToken)
    {
        CheckId(workflowId, "workflow id");
        return await _store.GetWorkflowAsync(workflowId, cancellationToken).ConfigureAwait(false) ?? throw new WorkflowNotFoundException(workflowId);
    }

    private static void CheckId(string value, string what)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new BatonException(BatonErrorCodes.InvalidArgument, $"A {what} cannot be empty.");
        if (value.Length > 200) throw new BatonException(BatonErrorCodes.InvalidArgument, $"A {what} is at most 200 characters.");
        if (value.Any(char.IsControl)) throw new BatonException(BatonErrorCodes.InvalidArgument, $"A {what} cannot contain control characters.");
    }
}
