using Baton.Engine.Storage;
using Xunit;

namespace Baton.Storage.Conformance;

/// <summary>Task listings (filters, keyset paging) and TimeoutBetween.</summary>
public abstract class TaskQueryConformance : StoreConformanceBase
{
    private static readonly AuditSource Ops = new("ops", "http");

    private async Task SeedAsync()
    {
        await StartAsync("wf-1");
        await StartAsync("wf-2");
        await CommitStepAsync("wf-1",
        [
            NewTask("wf-1", "t-1", 1, createdAt: At(1), tags: ["red"]),
            NewTask("wf-1", "t-2", 2, "Shipping", createdAt: At(2), tags: ["red", "blue"]),
            NewTask("wf-1", "t-3", 3, createdAt: At(2)),
        ]);
        await CommitStepAsync("wf-2", [NewTask("wf-2", "t-4", 1, createdAt: At(3), tags: ["blue"])]);
        await Store.ResolveTaskAsync(Resolution("t-3"));
    }

    [Fact]
    public async Task ListTasks_Filters_ReturnMatchingInCreationOrder()
    {
        await SeedAsync();

        async Task<IEnumerable<string>> Ids(TaskListQuery q) => (await Store.ListTasksAsync(q)).Select(t => t.TaskId);

        Assert.Equal(["t-1", "t-2", "t-3", "t-4"], await Ids(new TaskListQuery()));
        Assert.Equal(["t-4", "t-3", "t-2", "t-1"], await Ids(new TaskListQuery { NewestFirst = true }));
        Assert.Equal(["t-1", "t-2", "t-4"], await Ids(new TaskListQuery { OpenOnly = true }));
        Assert.Equal(["t-3"], await Ids(new TaskListQuery { State = TaskState.Completed, OpenOnly = true }));
        Assert.Equal(["t-2"], await Ids(new TaskListQuery { ServiceName = "Shipping" }));
        Assert.Equal(["t-2", "t-4"], await Ids(new TaskListQuery { Tag = "blue" }));
        Assert.Equal(["t-4"], await Ids(new TaskListQuery { WorkflowId = "wf-2" }));
        Assert.Equal(["t-1"], await Ids(new TaskListQuery { CreatedBefore = At(2) }));
        Assert.Equal(["t-1", "t-2"], await Ids(new TaskListQuery { Tag = "red", OpenOnly = true, Limit = 5 }));
    }

    [Fact]
    public async Task ListTasks_KeysetPaging_BothDirectionsWalkAllOnce()
    {
        await SeedAsync();

        foreach (var newestFirst in new[] { false, true })
        {
            var seen = new List<string>();
            (DateTimeOffset, string)? after = null;
            while (true)
            {
                var page = await Store.ListTasksAsync(new TaskListQuery { Limit = 2, After = after, NewestFirst = newestFirst });
                if (page.Count == 0)
                {
                    break;
                }
                seen.AddRange(page.Select(t => t.TaskId));
                after = (page[^1].CreatedAt, page[^1].TaskId);
            }
            Assert.Equal(newestFirst ? ["t-4", "t-3", "t-2", "t-1"] : ["t-1", "t-2", "t-3", "t-4"], seen);
        }
    }

    [Fact]
    public async Task TimeoutTasksBetween_Range_TimesOutOpenTasksWithDeadlineInRangeAndRemembersWatermark()
    {
        await StartAsync("wf-1");
        await CommitStepAsync("wf-1",
        [
            NewTask("wf-1", "t-early", 1, delegated: true, deadline: At(100)),
            NewTask("wf-1", "t-in", 2, delegated: true, deadline: At(200)),
            NewTask("wf-1", "t-edge", 3, delegated: true, deadline: At(300)),
            NewTask("wf-1", "t-none", 4, delegated: true),
        ]);

        var first = await Store.TimeoutTasksBetweenAsync(At(150), At(300), Ops, At(400));

        Assert.Equal((At(150), At(300)), (first.From, first.To));
        Assert.Equal(["t-in"], first.TaskIds);
        var task = await Store.GetTaskAsync("t-in");
        Assert.Equal((TaskState.TimedOut, "timeout-between"), (task!.State, ReadError(task.Error).Message));
        Assert.Equal(("TimedOut", "ops"), ((await Store.GetTaskAuditAsync("t-in"))[^1].Kind, (await Store.GetTaskAuditAsync("t-in"))[^1].Actor));
        Assert.Equal(InboxMessageKind.TaskTimedOut, Assert.Single(await InboxAsync("wf-1", At(401))).Kind);

        var second = await Store.TimeoutTasksBetweenAsync(null, At(301), Ops, At(500));

        Assert.Equal(At(300), second.From);
        Assert.Equal(["t-edge"], second.TaskIds);
        Assert.Equal(TaskState.Scheduled, (await Store.GetTaskAsync("t-early"))!.State);
    }

    [Fact]
    public async Task TimeoutTasksBetween_NoWatermark_StartsFromMinimum()
    {
        await StartAsync("wf-1");
        await CommitStepAsync("wf-1", [NewTask("wf-1", "t-1", 1, delegated: true, deadline: At(100))]);

        var outcome = await Store.TimeoutTasksBetweenAsync(null, At(101), Ops, At(400));

        Assert.Equal(DateTimeOffset.MinValue.ToUnixTimeMilliseconds(), outcome.From.ToUnixTimeMilliseconds());
        Assert.Equal(["t-1"], outcome.TaskIds);
    }
}
