using System.Text.Json;
using Baton.Testing;

namespace Baton.Engine.Tests;

public sealed class UserTaskTests
{
    private static readonly ExpenseReport Report = new("exp-42", "dana", 1250m);

    private static Task<BatonTestHost> StartAsync() => TestHosts.StartAsync(more: b =>
        b.AddWorkflow<ExpenseWorkflow>().AddWorkflow<DeadlineUserTaskWorkflow>().AddWorkflow<UnassignedUserTaskWorkflow>());

    private static JsonElement Json(object value) => BatonJson.ToElement(value);

    [Fact]
    public async Task Complete_ByRoleHolder_WorkflowGetsDataAndEnrichedInput()
    {
        await using var host = await StartAsync();
        var started = await host.Client.StartWorkflowAsync<ExpenseWorkflow>(Report);
        var task = await host.WaitForUserTaskAsync(started.WorkflowId);
        Assert.Equal(["manager"], task.Roles);
        Assert.Equal("expense_approval", task.Spec);
        Assert.Equal(10, task.Priority);
        Assert.Equal(host.Clock.GetUtcNow().AddDays(2), task.TimeoutAt);
        Assert.NotNull(task.DataSchema);

        var alice = host.Inbox("alice", "manager");
        var inbox = await alice.GetInboxAsync(new InboxQuery());
        Assert.Equal(task.TaskId, Assert.Single(inbox.Items).TaskId);
        Assert.Equal("exp-42", inbox.Items[0].Input!.Value.GetProperty("report").GetProperty("id").GetString());

        var done = await alice.CompleteUserTaskAsync(task.TaskId, Json(new Decision(true, "fine")));
        Assert.Equal(TaskState.Completed, done.State);
        var outcome = await host.Client.GetResultAsync<ExpenseOutcome>(started.WorkflowId, TimeSpan.FromSeconds(10));
        Assert.Equal("alice", outcome.DecidedBy);
        Assert.True(outcome.Approved);
        Assert.False(outcome.Escalated);
        // ProceedTask's enrich: the stored input and the submitted data reach the workflow together.
        Assert.Equal("exp-42", outcome.EnrichedInput.GetProperty("report").GetProperty("id").GetString());
        Assert.Equal("fine", outcome.EnrichedInput.GetProperty("review").GetProperty("comment").GetString());

        // An identical repeat is acknowledged; a different decision is a conflict carrying the recorded one.
        Assert.True((await alice.CompleteUserTaskAsync(task.TaskId, Json(new Decision(true, "fine")))).AlreadyCompleted);
        var conflict = await Assert.ThrowsAsync<TaskOutcomeConflictException>(() => alice.CompleteUserTaskAsync(task.TaskId, Json(new Decision(false, "no"))));
        Assert.Equal(TaskState.Completed, conflict.Recorded.State);
        Assert.Empty((await alice.GetInboxAsync(new InboxQuery())).Items);
    }

    [Fact]
    public async Task RelativeTimeout_OnVirtualClock_EscalationBranchRunsAndDirectorDecides()
    {
        await using var host = await StartAsync();
        var started = await host.Client.StartWorkflowAsync<ExpenseWorkflow>(Report);
        var first = await host.WaitForUserTaskAsync(started.WorkflowId);

        await host.AdvanceAsync(TimeSpan.FromDays(2) + TimeSpan.FromSeconds(1));
        var escalation = await BatonTestHost.WaitUntilAsync(async () =>
        {
            var task = await host.WaitForUserTaskAsync(started.WorkflowId);
            return task.TaskId == first.TaskId ? null : task;
        }, what: "the escalation task");
        Assert.Equal(TaskState.TimedOut, (await host.Client.GetTaskAsync(first.TaskId)).State);
        Assert.Equal(["director"], escalation.Roles);
        Assert.Equal("Escalate", escalation.Action);
        Assert.Empty((await host.Inbox("alice", "manager").GetInboxAsync(new InboxQuery())).Items);

        var director = host.Inbox("dora", "director");
        await director.ClaimUserTaskAsync(escalation.TaskId);
        await director.CompleteUserTaskAsync(escalation.TaskId, Json(new Decision(false, "too much")));
        var outcome = await host.Client.GetResultAsync<ExpenseOutcome>(started.WorkflowId, TimeSpan.FromSeconds(10));
        Assert.True(outcome.Escalated);
        Assert.Equal("dora", outcome.DecidedBy);
        Assert.False(outcome.Approved);
        Assert.Contains("deadline", outcome.EnrichedInput.GetProperty("reason").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.False(outcome.EnrichedInput.GetProperty("escalation").GetProperty("decision").GetProperty("approved").GetBoolean());
    }

    [Fact]
    public async Task AbsoluteTimeout_EarlierThanRelative_WinsAndWorkflowSeesTimeout()
    {
        await using var host = await StartAsync();
        var timeoutOn = host.Clock.GetUtcNow().AddHours(3);
        var started = await host.Client.StartWorkflowAsync<DeadlineUserTaskWorkflow>(timeoutOn);
        var task = await host.WaitForUserTaskAsync(started.WorkflowId);
        Assert.Equal(timeoutOn, task.TimeoutAt);
        Assert.Equal("alice", task.User);

        await host.AdvanceAsync(TimeSpan.FromHours(3));
        var result = await host.Client.GetResultAsync<string>(started.WorkflowId, TimeSpan.FromSeconds(10));
        Assert.StartsWith("TIMEOUT: ", result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManualTimeout_WorkflowSeesTimeoutWithTheReason()
    {
        await using var host = await StartAsync();
        var started = await host.Client.StartWorkflowAsync<DeadlineUserTaskWorkflow>(host.Clock.GetUtcNow().AddDays(1));
        var task = await host.WaitForUserTaskAsync(started.WorkflowId);

        var timedOut = await host.Client.TimeoutTaskAsync(task.TaskId);
        Assert.Equal(TaskState.TimedOut, timedOut.State);
        var result = await host.Client.GetResultAsync<string>(started.WorkflowId, TimeSpan.FromSeconds(10));
        Assert.Equal("TIMEOUT: timed out manually by client", result);
        await Assert.ThrowsAsync<TaskWrongStateException>(() => host.Inbox("alice").CompleteUserTaskAsync(task.TaskId, Json(new Decision(true, "late"))));
    }

    [Fact]
    public async Task TimeoutBetween_RangeThenWatermark_TimesOutUserTasksLikeOtherDelegatedTasks()
    {
        await using var host = await StartAsync();
        var now = host.Clock.GetUtcNow();
        var early = await host.Client.StartWorkflowAsync<DeadlineUserTaskWorkflow>(now.AddHours(1));
        var middle = await host.Client.StartWorkflowAsync<DeadlineUserTaskWorkflow>(now.AddHours(5));
        var late = await host.Client.StartWorkflowAsync<DeadlineUserTaskWorkflow>(now.AddHours(9));
        var earlyTask = await host.WaitForUserTaskAsync(early.WorkflowId);
        var middleTask = await host.WaitForUserTaskAsync(middle.WorkflowId);
        var lateTask = await host.WaitForUserTaskAsync(late.WorkflowId);

        var first = await host.Client.TimeoutTasksBetweenAsync(now, now.AddHours(2));
        Assert.Equal([earlyTask.TaskId], first.TimedOutTaskIds);
        // No 'from': the previous call's 'to' is the watermark.
        var second = await host.Client.TimeoutTasksBetweenAsync(null, now.AddHours(6));
        Assert.Equal(now.AddHours(2), second.From);
        Assert.Equal([middleTask.TaskId], second.TimedOutTaskIds);

        Assert.StartsWith("TIMEOUT", await host.Client.GetResultAsync<string>(early.WorkflowId, TimeSpan.FromSeconds(10)), StringComparison.Ordinal);
        Assert.StartsWith("TIMEOUT", await host.Client.GetResultAsync<string>(middle.WorkflowId, TimeSpan.FromSeconds(10)), StringComparison.Ordinal);
        Assert.Equal(TaskState.Delegated, (await host.Client.GetTaskAsync(lateTask.TaskId)).State);
    }

    [Fact]
    public async Task BadData_WrongTypeMissingFieldsOversized_RefusedWithFieldErrorsAndTaskStaysOpen()
    {
        await using var host = await StartAsync();
        var started = await host.Client.StartWorkflowAsync<ExpenseWorkflow>(Report);
        var task = await host.WaitForUserTaskAsync(started.WorkflowId);
        var alice = host.Inbox("alice", "manager");

        var wrongType = await Assert.ThrowsAsync<PayloadValidationException>(() =>
            alice.CompleteUserTaskAsync(task.TaskId, JsonDocument.Parse("""{"approved":"yes","comment":5}""").RootElement));
        Assert.Equal(BatonErrorCodes.ResultInvalid, wrongType.ErrorCode);
        Assert.Contains(wrongType.Errors, e => e.Path == "$.approved");
        Assert.Contains(wrongType.Errors, e => e.Path == "$.comment");

        var missing = await Assert.ThrowsAsync<PayloadValidationException>(() => alice.CompleteUserTaskAsync(task.TaskId, JsonDocument.Parse("{}").RootElement));
        Assert.NotEmpty(missing.Errors);

        var badDate = await Assert.ThrowsAsync<PayloadValidationException>(() =>
            alice.CompleteUserTaskAsync(task.TaskId, JsonDocument.Parse("""{"approved":true,"comment":"x","decidedOn":"not a date"}""").RootElement));
        Assert.Contains(badDate.Errors, e => e.Path == "$.decidedOn");

        var huge = Json(new Decision(true, new string('x', 2 * 1024 * 1024)));
        await Assert.ThrowsAsync<PayloadTooLargeException>(() => alice.CompleteUserTaskAsync(task.TaskId, huge));

        var still = await alice.GetUserTaskAsync(task.TaskId);
        Assert.Equal(TaskState.Delegated, still.State);
        Assert.Equal(WorkflowState.Running, (await host.Client.GetWorkflowAsync(started.WorkflowId)).State);
    }

    [Fact]
    public async Task Assignment_OtherUserRefused_ClaimIsExclusive_AdminOverrideIsAudited()
    {
        await using var host = await StartAsync();
        var started = await host.Client.StartWorkflowAsync<ExpenseWorkflow>(Report);
        var task = await host.WaitForUserTaskAsync(started.WorkflowId);
        var alice = host.Inbox("alice", "manager");
        var carol = host.Inbox("carol", "MANAGER");
        var bob = host.Inbox("bob", "clerk");

        Assert.Empty((await bob.GetInboxAsync(new InboxQuery())).Items);
        await Assert.ThrowsAsync<UserTaskNotAssignedException>(() => bob.GetUserTaskAsync(task.TaskId));
        await Assert.ThrowsAsync<UserTaskNotAssignedException>(() => bob.ClaimUserTaskAsync(task.TaskId));
        await Assert.ThrowsAsync<UserTaskNotAssignedException>(() => bob.CompleteUserTaskAsync(task.TaskId, Json(new Decision(true, "me")))) ;
        await Assert.ThrowsAsync<BatonException>(() => bob.GetInboxAsync(new InboxQuery { All = true }));

        var claimed = await alice.ClaimUserTaskAsync(task.TaskId);
        Assert.Equal("alice", claimed.ClaimedBy);
        Assert.Equal("alice", (await alice.ClaimUserTaskAsync(task.TaskId)).ClaimedBy); // claiming one's own claim again is harmless
        var taken = await Assert.ThrowsAsync<UserTaskClaimedException>(() => carol.ClaimUserTaskAsync(task.TaskId));
        Assert.Equal("alice", taken.ClaimedBy);
        await Assert.ThrowsAsync<UserTaskClaimedException>(() => carol.CompleteUserTaskAsync(task.TaskId, Json(new Decision(true, "carol"))));
        await Assert.ThrowsAsync<UserTaskClaimedException>(() => carol.UnclaimUserTaskAsync(task.TaskId));
        Assert.Empty((await carol.GetInboxAsync(new InboxQuery())).Items);
        Assert.Single((await carol.GetInboxAsync(new InboxQuery { Claimed = InboxClaimFilter.Any })).Items);
        Assert.Single((await alice.GetInboxAsync(new InboxQuery { Claimed = InboxClaimFilter.Mine })).Items);

        var op = host.Engine.UserTasks(new UserIdentity("olga", [], UserTaskPrivilege.Operator));
        Assert.Single((await op.GetInboxAsync(new InboxQuery { All = true, Claimed = InboxClaimFilter.Any })).Items);
        await Assert.ThrowsAsync<UserTaskNotAssignedException>(() => op.CompleteUserTaskAsync(task.TaskId, Json(new Decision(true, "op"))));

        var admin = host.Engine.UserTasks(new UserIdentity("root", [], UserTaskPrivilege.Admin));
        await admin.CompleteUserTaskAsync(task.TaskId, Json(new Decision(true, "override")));
        var outcome = await host.Client.GetResultAsync<ExpenseOutcome>(started.WorkflowId, TimeSpan.FromSeconds(10));
        Assert.Equal("root", outcome.DecidedBy);

        var audit = (await host.Client.GetTaskAsync(task.TaskId)).Audit;
        Assert.Contains(audit, a => a.Kind == "Claimed" && a.Actor == "alice");
        var completed = Assert.Single(audit, a => a.Kind == "Completed");
        Assert.Equal("root", completed.Actor);
        Assert.Contains("override", completed.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unclaim_AndReassign_ChangeWhoMayAct_AndAreAudited()
    {
        await using var host = await StartAsync();
        var started = await host.Client.StartWorkflowAsync<ExpenseWorkflow>(Report);
        var task = await host.WaitForUserTaskAsync(started.WorkflowId);
        var alice = host.Inbox("alice", "manager");
        var carol = host.Inbox("carol", "manager");
        var erin = host.Inbox("erin", "auditor");

        await alice.ClaimUserTaskAsync(task.TaskId);
        Assert.Null((await alice.UnclaimUserTaskAsync(task.TaskId)).ClaimedBy);
        Assert.Equal("carol", (await carol.ClaimUserTaskAsync(task.TaskId)).ClaimedBy);

        await Assert.ThrowsAsync<BatonException>(() => alice.ReassignUserTaskAsync(task.TaskId, new UserTaskAssignment("erin", null)));
        var op = host.Engine.UserTasks(new UserIdentity("olga", [], UserTaskPrivilege.Operator));
        var reassigned = await op.ReassignUserTaskAsync(task.TaskId, new UserTaskAssignment("erin", ["Auditor"]));
        Assert.Equal("erin", reassigned.User);
        Assert.Equal(["auditor"], reassigned.Roles);
        Assert.Null(reassigned.ClaimedBy);
        await Assert.ThrowsAsync<UserTaskNotAssignedException>(() => carol.CompleteUserTaskAsync(task.TaskId, Json(new Decision(true, "carol"))));

        await erin.CompleteUserTaskAsync(task.TaskId, Json(new Decision(true, "erin")));
        Assert.Equal("erin", (await host.Client.GetResultAsync<ExpenseOutcome>(started.WorkflowId, TimeSpan.FromSeconds(10))).DecidedBy);
        var kinds = (await host.Client.GetTaskAsync(task.TaskId)).Audit.Select(a => a.Kind).ToList();
        Assert.Equal(["Scheduled", "Assigned", "Claimed", "Unclaimed", "Claimed", "Reassigned", "Completed"], kinds);
        await Assert.ThrowsAsync<TaskWrongStateException>(() => op.ReassignUserTaskAsync(task.TaskId, new UserTaskAssignment("x", null)));
    }

    [Fact]
    public async Task Inbox_FiltersSortsAndPages()
    {
        await using var host = await StartAsync();
        for (var i = 0; i < 5; i++)
        {
            // One at a time: a task's creation time is its workflow's step time, so each gets its own minute.
            var started = await host.Client.StartWorkflowAsync<ExpenseWorkflow>(new ExpenseReport($"exp-{i}", "dana", i % 2 == 0 ? 5000m : 10m));
            await host.WaitForUserTaskAsync(started.WorkflowId);
            host.Clock.Advance(TimeSpan.FromMinutes(1));
        }
        var alice = host.Inbox("alice", "manager");
        var all = await BatonTestHost.WaitUntilAsync(async () =>
        {
            var page = await alice.GetInboxAsync(new InboxQuery { Sort = InboxSort.Age });
            return page.Items.Count == 5 ? page : null;
        }, what: "five user tasks");
        Assert.Equal(["exp-0", "exp-1", "exp-2", "exp-3", "exp-4"], all.Items.Select(IdOf));

        var byPriority = await alice.GetInboxAsync(new InboxQuery { Sort = InboxSort.Priority });
        Assert.Equal([10, 10, 10, 1, 1], byPriority.Items.Select(t => t.Priority));
        Assert.Equal(3, (await alice.GetInboxAsync(new InboxQuery { MinPriority = 5 })).Items.Count);
        Assert.Equal(["exp-3"], (await alice.GetInboxAsync(new InboxQuery { Text = "EXP-3" })).Items.Select(IdOf));
        Assert.Empty((await alice.GetInboxAsync(new InboxQuery { Spec = "other" })).Items);
        Assert.Equal(5, (await alice.GetInboxAsync(new InboxQuery { Action = "Approve" })).Items.Count);
        var firstDue = all.Items.Min(t => t.DueAt)!.Value;
        Assert.Equal(["exp-0"], (await alice.GetInboxAsync(new InboxQuery { DueBefore = firstDue.AddSeconds(1) })).Items.Select(IdOf));

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await alice.GetInboxAsync(new InboxQuery { Sort = InboxSort.Priority, Limit = 2, Cursor = cursor });
            seen.AddRange(page.Items.Select(IdOf));
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        Assert.Equal(byPriority.Items.Select(IdOf), seen);
        await Assert.ThrowsAsync<BatonException>(() => alice.GetInboxAsync(new InboxQuery { Cursor = "garbage!" }));
        await Assert.ThrowsAsync<BatonException>(() => alice.GetInboxAsync(new InboxQuery { Limit = 0 }));

        static string IdOf(UserTaskInfo t) => t.Input!.Value.GetProperty("report").GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task UserTask_NoUserNorRole_WorkflowFailsWithClearError()
    {
        await using var host = await StartAsync();
        var started = await host.Client.StartWorkflowAsync<UnassignedUserTaskWorkflow>(1);
        var info = await host.WaitForFinishAsync(started.WorkflowId);
        Assert.Equal(WorkflowState.Failed, info.State);
        Assert.Contains("needs a User or at least one role", info.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenericOperations_UserTaskHasNoTokenCannotBeRetried_TrustedClientCompletesThroughEnvelope()
    {
        await using var host = await StartAsync();
        var started = await host.Client.StartWorkflowAsync<ExpenseWorkflow>(Report);
        var task = await host.WaitForUserTaskAsync(started.WorkflowId);

        var details = await host.Client.GetTaskAsync(task.TaskId);
        Assert.Null(details.Token);
        Assert.Null(details.CallbackUrl);
        Assert.Equal(UserTaskRequest.ServiceName, details.ServiceName);
        Assert.Equal("Approve", details.MethodName);
        await Assert.ThrowsAsync<TaskWrongStateException>(() => host.Client.RetryTaskAsync(UserTaskRequest.ServiceName, task.TaskId));

        // Application code using the engine's own client is trusted: the data is still validated and enriched.
        await Assert.ThrowsAsync<PayloadValidationException>(() =>
            host.Client.CompleteDelegatedTaskAsync(UserTaskRequest.ServiceName, task.TaskId, JsonDocument.Parse("{}").RootElement));
        await host.Client.CompleteDelegatedTaskAsync(UserTaskRequest.ServiceName, task.TaskId, Json(new Decision(true, "app")));
        var outcome = await host.Client.GetResultAsync<ExpenseOutcome>(started.WorkflowId, TimeSpan.FromSeconds(10));
        Assert.Equal("client", outcome.DecidedBy);
        Assert.Equal("app", outcome.EnrichedInput.GetProperty("review").GetProperty("comment").GetString());
    }
}
