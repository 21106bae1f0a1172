using Baton.Engine.Storage;
using Xunit;

namespace Baton.Storage.Conformance;

/// <summary>User tasks: creation, the inbox query, claims and reassignment, and decisions checked with the claim.</summary>
public abstract class UserTaskStoreConformance : StoreConformanceBase
{
    private static readonly UserTaskAccess Alice = new("alice", ["manager"], false);
    private static readonly UserTaskAccess Carol = new("carol", ["manager", "auditor"], false);
    private static readonly UserTaskAccess Bob = new("bob", ["clerk"], false);
    private static readonly UserTaskAccess Admin = new("root", [], true);

    private static NewTask NewUserTaskFor(string workflowId, string taskId, string? user = null, string[]? roles = null, int priority = 0,
        DateTimeOffset? due = null, string name = "Approve expense", DateTimeOffset? deadline = null, int commandId = 1) => new()
        {
            TaskId = taskId,
            WorkflowId = workflowId,
            CommandId = commandId,
            ServiceName = "UserTask",
            MethodName = "Approve",
            Arguments = "[{\"report\":1}]",
            IsDelegated = true,
            DeadlineAt = deadline,
            ResultSchemaId = "schema-1",
            CreatedAt = T0,
            UserTask = new NewUserTask
            {
                Name = name, Spec = "expense", Action = "Approve", User = user, Roles = roles ?? [], Priority = priority, DueAt = due,
                EnrichPath = "review", DataType = "Some.Type, Some.Assembly",
            },
        };

    private async Task<UserTaskRecord> CreateAsync(string taskId, string? user = null, string[]? roles = null, int priority = 0, DateTimeOffset? due = null,
        string name = "Approve expense", DateTimeOffset? deadline = null)
    {
        var workflowId = "wf-" + taskId;
        await StartAsync(workflowId);
        await CommitStepAsync(workflowId, [NewUserTaskFor(workflowId, taskId, user, roles, priority, due, name, deadline)]);
        var task = await Store.GetUserTaskAsync(taskId);
        Assert.NotNull(task);
        return task;
    }

    private Task<UserTaskChangeResult> ChangeAsync(string taskId, UserTaskChangeKind kind, UserTaskAccess access, string? user = null, string[]? roles = null) =>
        Store.ChangeUserTaskAsync(new UserTaskChange
        {
            TaskId = taskId, Kind = kind, Access = access, User = user, Roles = roles ?? [], Source = new AuditSource(access.UserId, "http"), At = At(5),
        });

    private async Task<IReadOnlyList<string>> InboxOfAsync(UserTaskAccess? access, InboxClaimFilter claimed = InboxClaimFilter.Actionable, InboxSort sort = InboxSort.Age) =>
        [.. (await Store.ListUserTasksAsync(new UserTaskListQuery { VisibleTo = access, ClaimantId = access?.UserId, Claimed = claimed, Sort = sort, Limit = 100 }))
            .Select(t => t.Task.TaskId)];

    [Fact]
    public async Task CommitSteps_UserTask_DelegatedAtOnceWithAssignmentAndAudit_NeverClaimedByWorkers()
    {
        var task = await CreateAsync("u-1", user: "bob", roles: ["manager"], priority: 3, due: At(100), deadline: At(3600));

        Assert.Equal(TaskState.Delegated, task.Task.State);
        Assert.Equal(T0, task.Task.DelegatedAt);
        Assert.Null(task.Task.ReadyAt);
        Assert.Equal(("Approve expense", "expense", "Approve", "bob", 3), (task.Name, task.Spec, task.Action, task.User, task.Priority));
        Assert.Equal(["manager"], task.Roles);
        Assert.Equal(At(100), task.DueAt);
        Assert.Equal(("review", "Some.Type, Some.Assembly"), (task.EnrichPath, task.DataType));
        Assert.Null(task.ClaimedBy);
        Assert.Equal(["Scheduled", "Assigned"], (await Store.GetTaskAuditAsync("u-1")).Select(a => a.Kind));
        Assert.Equal(At(3600), await Store.GetNextTimerDueAsync());
        Assert.Empty((await Store.ClaimTasksAsync(NodeA, ["UserTask"], 10, At(1), At(60))).Tasks);
        Assert.Null(await Store.GetUserTaskAsync("nope"));
    }

    [Fact]
    public async Task ListUserTasks_VisibleToUserOrRoles_OpenOnly()
    {
        await CreateAsync("u-1", roles: ["manager"]);
        await CreateAsync("u-2", user: "bob");
        await CreateAsync("u-3", roles: ["auditor", "director"]);
        await CreateAsync("u-4", roles: ["manager"]);
        await Store.ResolveTaskAsync(Resolution("u-4", result: "{}"));

        Assert.Equal(["u-1"], await InboxOfAsync(Alice));
        Assert.Equal(["u-1", "u-3"], await InboxOfAsync(Carol));
        Assert.Equal(["u-2"], await InboxOfAsync(Bob));
        Assert.Equal(["u-1", "u-2", "u-3"], await InboxOfAsync(null));
        Assert.Empty(await InboxOfAsync(new UserTaskAccess("zed", [], false)));
    }

    [Fact]
    public async Task ListUserTasks_FiltersSortsAndKeysetPages()
    {
        await CreateAsync("u-1", roles: ["manager"], priority: 1, due: At(300), name: "Approve Laptop");
        await CreateAsync("u-2", roles: ["manager"], priority: 5, name: "Approve travel 50%_off");
        await CreateAsync("u-3", roles: ["manager"], priority: 5, due: At(100), name: "Sign contract");

        Assert.Equal(["u-3", "u-1", "u-2"], await InboxOfAsync(Alice, sort: InboxSort.Due));
        Assert.Equal(["u-2", "u-3", "u-1"], await InboxOfAsync(Alice, sort: InboxSort.Priority));
        async Task<IReadOnlyList<string>> Query(UserTaskListQuery q) => [.. (await Store.ListUserTasksAsync(q with { VisibleTo = Alice, ClaimantId = "alice" })).Select(t => t.Task.TaskId)];
        Assert.Equal(["u-1"], await Query(new UserTaskListQuery { Text = "laptop" }));
        Assert.Equal(["u-2"], await Query(new UserTaskListQuery { Text = "50%_" }));
        Assert.Empty(await Query(new UserTaskListQuery { Text = "%" + "x" }));
        Assert.Equal(["u-3"], await Query(new UserTaskListQuery { DueBefore = At(200) }));
        Assert.Equal(["u-2", "u-3"], await Query(new UserTaskListQuery { MinPriority = 5, Sort = InboxSort.Priority }));
        Assert.Equal(3, (await Query(new UserTaskListQuery { Spec = "expense", Action = "Approve" })).Count);
        Assert.Empty(await Query(new UserTaskListQuery { Spec = "other" }));
        Assert.Equal(["u-3", "u-1"], await Query(new UserTaskListQuery { Sort = InboxSort.Priority, After = (5, "u-2") }));
        Assert.Equal(["u-2"], await Query(new UserTaskListQuery { Sort = InboxSort.Due, After = (Rows(300), "u-1") }));
        Assert.Equal(["u-3"], await Query(new UserTaskListQuery { Sort = InboxSort.Due, Limit = 1 }));

        static long Rows(double seconds) => At(seconds).ToUnixTimeMilliseconds();
    }

    [Fact]
    public async Task Claim_AssignedOnly_ExclusiveIdempotent_AndInboxFilters()
    {
        await CreateAsync("u-1", roles: ["manager"]);

        Assert.Equal(UserTaskChangeStatus.NotAssigned, (await ChangeAsync("u-1", UserTaskChangeKind.Claim, Bob)).Status);
        var claimed = await ChangeAsync("u-1", UserTaskChangeKind.Claim, Alice);
        Assert.Equal((UserTaskChangeStatus.Applied, "alice", At(5)), (claimed.Status, claimed.Task!.ClaimedBy, claimed.Task.ClaimedAt));
        Assert.Equal(UserTaskChangeStatus.Applied, (await ChangeAsync("u-1", UserTaskChangeKind.Claim, Alice)).Status);
        var taken = await ChangeAsync("u-1", UserTaskChangeKind.Claim, Carol);
        Assert.Equal((UserTaskChangeStatus.ClaimedByOther, "alice"), (taken.Status, taken.Task!.ClaimedBy));
        Assert.Equal(UserTaskChangeStatus.ClaimedByOther, (await ChangeAsync("u-1", UserTaskChangeKind.Claim, Admin)).Status);

        Assert.Empty(await InboxOfAsync(Carol));
        Assert.Equal(["u-1"], await InboxOfAsync(Carol, InboxClaimFilter.Any));
        Assert.Equal(["u-1"], await InboxOfAsync(Alice, InboxClaimFilter.Mine));
        Assert.Empty(await InboxOfAsync(Alice, InboxClaimFilter.Unclaimed));
        Assert.Single(await Store.GetTaskAuditAsync("u-1"), a => a.Kind == "Claimed");
    }

    [Fact]
    public async Task Unclaim_ClaimantOrOverride_OthersRefused()
    {
        await CreateAsync("u-1", roles: ["manager"]);
        await ChangeAsync("u-1", UserTaskChangeKind.Claim, Alice);

        Assert.Equal(UserTaskChangeStatus.ClaimedByOther, (await ChangeAsync("u-1", UserTaskChangeKind.Unclaim, Carol)).Status);
        Assert.Equal(UserTaskChangeStatus.NotAssigned, (await ChangeAsync("u-1", UserTaskChangeKind.Unclaim, Bob)).Status);
        var released = await ChangeAsync("u-1", UserTaskChangeKind.Unclaim, new UserTaskAccess("olga", [], true));
        Assert.Equal(UserTaskChangeStatus.Applied, released.Status);
        Assert.Null(released.Task!.ClaimedBy);
        Assert.Equal(UserTaskChangeStatus.Applied, (await ChangeAsync("u-1", UserTaskChangeKind.Unclaim, Alice)).Status);
        var audit = await Store.GetTaskAuditAsync("u-1");
        Assert.Contains("released alice's claim", Assert.Single(audit, a => a.Kind == "Unclaimed").Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reassign_ReplacesAssignmentReleasesClaim_InboxFollows()
    {
        await CreateAsync("u-1", roles: ["manager"]);
        await ChangeAsync("u-1", UserTaskChangeKind.Claim, Alice);

        var moved = await ChangeAsync("u-1", UserTaskChangeKind.Reassign, Admin, user: "bob", roles: ["director"]);
        Assert.Equal(UserTaskChangeStatus.Applied, moved.Status);
        Assert.Equal(("bob", (string?)null), (moved.Task!.User, moved.Task.ClaimedBy));
        Assert.Equal(["director"], moved.Task.Roles);
        Assert.Empty(await InboxOfAsync(Alice, InboxClaimFilter.Any));
        Assert.Equal(["u-1"], await InboxOfAsync(Bob));
        Assert.Equal(["u-1"], await InboxOfAsync(new UserTaskAccess("dora", ["director"], false)));
        Assert.Contains("user=bob; roles=director; released alice's claim", (await Store.GetTaskAuditAsync("u-1"))[^1].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Change_FinishedOrUnknownTask_WrongStateOrNotFound()
    {
        await CreateAsync("u-1", roles: ["manager"]);
        await Store.ResolveTaskAsync(Resolution("u-1", TaskResolutionKind.TimeOut, error: "{\"type\":\"TimedOut\",\"message\":\"late\"}"));

        Assert.Equal(UserTaskChangeStatus.WrongState, (await ChangeAsync("u-1", UserTaskChangeKind.Claim, Alice)).Status);
        Assert.Equal(UserTaskChangeStatus.WrongState, (await ChangeAsync("u-1", UserTaskChangeKind.Reassign, Admin, user: "x")).Status);
        Assert.Equal(UserTaskChangeStatus.NotFound, (await ChangeAsync("nope", UserTaskChangeKind.Claim, Alice)).Status);
        await ScheduleTaskAsync("wf-plain", "plain");
        Assert.Equal(UserTaskChangeStatus.NotFound, (await ChangeAsync("plain", UserTaskChangeKind.Claim, Alice)).Status);
    }

    [Fact]
    public async Task ResolveTask_WithUserAccess_CheckedWithTheDecision()
    {
        await CreateAsync("u-1", roles: ["manager"]);
        await ChangeAsync("u-1", UserTaskChangeKind.Claim, Alice);

        var notAssigned = await Store.ResolveTaskAsync(Resolution("u-1") with { UserAccess = Bob });
        Assert.Equal(TaskResolutionStatus.NotAssigned, notAssigned.Status);
        var claimed = await Store.ResolveTaskAsync(Resolution("u-1") with { UserAccess = Carol });
        Assert.Equal((TaskResolutionStatus.ClaimedByOther, "alice"), (claimed.Status, claimed.ClaimedBy));
        Assert.Equal(TaskState.Delegated, (await Store.GetTaskAsync("u-1"))!.State);

        var applied = await Store.ResolveTaskAsync(Resolution("u-1") with { UserAccess = Admin, AuditDetail = "admin override of alice's claim" });
        Assert.Equal(TaskResolutionStatus.Applied, applied.Status);
        var completed = (await Store.GetTaskAuditAsync("u-1"))[^1];
        Assert.Equal(("Completed", "admin override of alice's claim"), (completed.Kind, completed.Detail));
        Assert.Empty(await InboxOfAsync(Alice, InboxClaimFilter.Any));
    }

    [Fact]
    public async Task Claim_ManyConcurrentClaimants_ExactlyOneWins()
    {
        await CreateAsync("u-1", roles: ["manager"]);
        var claimants = Enumerable.Range(0, 20).Select(i => new UserTaskAccess($"m{i}", ["manager"], false)).ToList();

        var results = await Task.WhenAll(claimants.Select(c => ChangeAsync("u-1", UserTaskChangeKind.Claim, c)));

        var winner = Assert.Single(results, r => r.Status == UserTaskChangeStatus.Applied);
        Assert.All(results.Where(r => r != winner), r => Assert.Equal((UserTaskChangeStatus.ClaimedByOther, winner.Task!.ClaimedBy), (r.Status, r.Task!.ClaimedBy)));
        Assert.Single(await Store.GetTaskAuditAsync("u-1"), a => a.Kind == "Claimed");
    }

    [Fact]
    public async Task CancelWorkflow_OpenUserTask_LeavesEveryInbox()
    {
        await CreateAsync("u-1", roles: ["manager"]);

        await Store.CancelWorkflowAsync(new WorkflowCancellation("wf-u-1", "stop", new AuditSource("ops", "http"), At(3)));

        Assert.Equal(TaskState.Canceled, (await Store.GetUserTaskAsync("u-1"))!.Task.State);
        Assert.Empty(await InboxOfAsync(Alice, InboxClaimFilter.Any));
        Assert.Empty(await InboxOfAsync(null, InboxClaimFilter.Any));
    }
}
