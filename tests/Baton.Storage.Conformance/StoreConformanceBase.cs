using System.Text.Json;
using Baton.Engine.Storage;
using Xunit;

namespace Baton.Storage.Conformance;

/// <summary>
/// Base of every conformance class: one fresh, initialized store per test, helpers that drive it the way the engine does,
/// and a fixed base time (all times are passed explicitly).
/// </summary>
public abstract class StoreConformanceBase : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    protected const string NodeA = "node-a";
    protected const string NodeB = "node-b";
    protected const string Service = "Billing";

    private readonly List<IDisposable> _owned = [];
    private IBatonStore? _store;

    protected IBatonStore Store => _store ?? throw new InvalidOperationException("The store is not created yet.");

    /// <summary>Creates a new, empty store on which <see cref="IBatonStore.InitializeAsync"/> has been called.</summary>
    protected abstract Task<IBatonStore> CreateStoreAsync();

    public virtual async ValueTask InitializeAsync() => _store = await CreateStoreAsync();

    public virtual async ValueTask DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
        foreach (var resource in _owned)
        {
            resource.Dispose();
        }
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes <paramref name="resource"/> after the store (for example the temporary folder of its database).</summary>
    protected T Own<T>(T resource) where T : IDisposable
    {
        _owned.Add(resource);
        return resource;
    }

    protected static DateTimeOffset At(double seconds) => T0.AddSeconds(seconds);

    protected static NewWorkflow NewWorkflow(string id, string name = "Order", string? parentId = null, int? parentCommandId = null, DateTimeOffset? at = null, params string[] tags) =>
        new(id, name, "{\"n\":1}", tags, new Dictionary<string, string> { ["k"] = "v" }, parentId, parentCommandId, at ?? T0);

    protected async Task<WorkflowRecord> StartAsync(string id, string name = "Order", DateTimeOffset? at = null, params string[] tags)
    {
        var result = await Store.CreateWorkflowAsync(NewWorkflow(id, name, at: at, tags: tags));
        Assert.Equal(CreateWorkflowStatus.Created, result.Status);
        return result.Workflow;
    }

    /// <summary>Claims the given workflow for <paramref name="owner"/> (failing when it is not claimable).</summary>
    protected async Task<WorkflowClaim> ClaimAsync(string workflowId, string owner = NodeA, DateTimeOffset? now = null)
    {
        var at = now ?? T0;
        var claims = await Store.ClaimWorkflowsAsync(owner, 1000, at, at.AddMinutes(1));
        var others = claims.Where(c => c.Workflow.Id != workflowId).Select(c => c.Workflow.Id).ToList();
        if (others.Count > 0)
        {
            await Store.ReleaseWorkflowClaimsAsync(owner, others);
        }
        var claim = claims.SingleOrDefault(c => c.Workflow.Id == workflowId);
        Assert.NotNull(claim);
        return claim;
    }

    protected static NewTask NewTask(
        string workflowId, string taskId, int commandId = 1, string service = Service, bool delegated = false,
        DateTimeOffset? deadline = null, TimeSpan? heartbeat = null, DateTimeOffset? createdAt = null, params string[] tags) => new()
        {
            TaskId = taskId,
            WorkflowId = workflowId,
            CommandId = commandId,
            ServiceName = service,
            MethodName = "Charge",
            Arguments = "[1]",
            IsDelegated = delegated,
            DeadlineAt = deadline,
            HeartbeatInterval = heartbeat,
            Tags = tags,
            Meta = new Dictionary<string, string> { ["m"] = "1" },
            CreatedAt = createdAt ?? T0,
        };

    /// <summary>Claims the workflow and commits one step that leaves it running with these tasks and timers.</summary>
    protected async Task CommitStepAsync(
        string workflowId, IReadOnlyList<NewTask>? tasks = null, IReadOnlyList<NewTimer>? timers = null,
        WorkflowState state = WorkflowState.Running, DateTimeOffset? at = null, IReadOnlyList<NewWorkflow>? children = null,
        IReadOnlyList<NewInboxMessage>? messages = null, string? result = null)
    {
        var claim = await ClaimAsync(workflowId, now: at);
        var status = await Store.CommitStepsAsync([Step(claim, tasks, timers, state, at, children, messages, result)]);
        Assert.Equal([StepCommitStatus.Committed], status);
    }

    protected static WorkflowStep Step(
        WorkflowClaim claim, IReadOnlyList<NewTask>? tasks = null, IReadOnlyList<NewTimer>? timers = null,
        WorkflowState state = WorkflowState.Running, DateTimeOffset? at = null, IReadOnlyList<NewWorkflow>? children = null,
        IReadOnlyList<NewInboxMessage>? messages = null, string? result = null, string owner = NodeA) => new()
        {
            WorkflowId = claim.Workflow.Id,
            ExpectedVersion = claim.Workflow.Version,
            Owner = owner,
            ConsumedMessageIds = claim.Messages.Select(m => m.Id).ToList(),
            Events = [new NewHistoryEvent(HistoryEventKind.TaskScheduled, at ?? T0, 1, "Billing.Charge", "t", "[1]")],
            State = state,
            Result = result,
            Tasks = tasks ?? [],
            Timers = timers ?? [],
            Children = children ?? [],
            Messages = messages ?? [],
            At = at ?? T0,
        };

    /// <summary>Starts a workflow and dispatches one task in its first step.</summary>
    protected async Task<TaskRecord> ScheduleTaskAsync(
        string workflowId, string taskId, bool delegated = false, DateTimeOffset? deadline = null, TimeSpan? heartbeat = null, string service = Service)
    {
        if (await Store.GetWorkflowAsync(workflowId) is null)
        {
            await StartAsync(workflowId);
        }
        await CommitStepAsync(workflowId, [NewTask(workflowId, taskId, service: service, delegated: delegated, deadline: deadline, heartbeat: heartbeat)]);
        var task = await Store.GetTaskAsync(taskId);
        Assert.NotNull(task);
        return task;
    }

    /// <summary>Claims the task for <paramref name="owner"/> and returns it running.</summary>
    protected async Task<TaskRecord> RunTaskAsync(string taskId, string owner = NodeA, DateTimeOffset? now = null, string service = Service)
    {
        var at = now ?? T0;
        var batch = await Store.ClaimTasksAsync(owner, [service], 100, at, at.AddMinutes(5));
        var task = batch.Tasks.SingleOrDefault(t => t.TaskId == taskId);
        Assert.NotNull(task);
        return task;
    }

    /// <summary>Runs a delegated task's handler to the Delegated state.</summary>
    protected async Task<TaskRecord> DelegateAsync(string workflowId, string taskId, TimeSpan? heartbeat = null, DateTimeOffset? deadline = null, DateTimeOffset? at = null)
    {
        await ScheduleTaskAsync(workflowId, taskId, delegated: true, heartbeat: heartbeat, deadline: deadline);
        var running = await RunTaskAsync(taskId);
        var status = await Store.RecordHandlerOutcomesAsync([new HandlerOutcome(taskId, running.Attempt, NodeA, HandlerOutcomeKind.Delegated, at ?? T0)]);
        Assert.Equal([HandlerOutcomeStatus.Applied], status);
        return (await Store.GetTaskAsync(taskId))!;
    }

    /// <summary>The workflow's waiting messages (empty when it does not need a step); leaves it unclaimed.</summary>
    protected async Task<IReadOnlyList<InboxMessage>> InboxAsync(string workflowId, DateTimeOffset? now = null)
    {
        var at = now ?? T0;
        var claim = (await Store.ClaimWorkflowsAsync(NodeB, 1000, at, at.AddMinutes(1))).SingleOrDefault(c => c.Workflow.Id == workflowId);
        await Store.ReleaseWorkflowClaimsAsync(NodeB, [workflowId]);
        return claim?.Messages ?? [];
    }

    protected static TaskError ReadError(string? json)
    {
        Assert.NotNull(json);
        var error = JsonSerializer.Deserialize<TaskError>(json, BatonJson.Options);
        Assert.NotNull(error);
        return error;
    }

    protected static TaskResolution Resolution(string taskId, TaskResolutionKind kind = TaskResolutionKind.Complete, string? result = "42", string? error = null, bool requireDelegated = false, string? service = null, DateTimeOffset? at = null) => new()
    {
        TaskId = taskId,
        ServiceName = service,
        Kind = kind,
        Result = kind == TaskResolutionKind.Complete ? result : null,
        Error = error,
        RequireDelegated = requireDelegated,
        Source = new AuditSource("alice", "http"),
        At = at ?? At(10),
    };
}
