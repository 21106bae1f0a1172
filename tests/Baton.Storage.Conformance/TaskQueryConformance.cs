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

    /// <summary>
    /// Every combination of the listing's filters, paged two rows at a time in both orders, against what the seeded tasks say:
    /// open and closed tasks interleave and share creation times (within and across services, workflows and tags), so a
    /// listing read as several arms or driven by the tag table must still come out in one order, with cursors that step
    /// across arms and ties.
    /// </summary>
    [Fact]
    public async Task ListTasks_EveryFilterCombinationPagedByTwo_WalksMatchingRowsInOrder()
    {
        var seeded = new (string Id, string Workflow, string Service, double At, bool Open, string[] Tags)[]
        {
            ("a-1", "wf-1", "Billing", 1, true, ["red"]),
            ("a-2", "wf-1", "Shipping", 1, false, []),
            ("a-3", "wf-1", "Billing", 2, false, ["red", "blue"]),
            ("a-4", "wf-1", "Billing", 2, true, ["red"]),
            ("a-5", "wf-1", "Shipping", 3, true, ["red"]),
            ("b-1", "wf-2", "Billing", 1, false, ["red"]),
            ("b-2", "wf-2", "Shipping", 2, true, []),
            ("b-3", "wf-2", "Billing", 4, false, ["red"]),
            ("b-4", "wf-2", "Billing", 4, true, ["blue"]),
            ("b-5", "wf-2", "Shipping", 5, false, ["red"]),
        };
        foreach (var workflow in new[] { "wf-1", "wf-2" })
        {
            await StartAsync(workflow);
            await CommitStepAsync(workflow, seeded.Where(s => s.Workflow == workflow)
                .Select((s, i) => NewTask(workflow, s.Id, i + 1, s.Service, createdAt: At(s.At), tags: s.Tags)).ToList());
        }
        foreach (var closed in seeded.Where(s => !s.Open))
        {
            await Store.ResolveTaskAsync(Resolution(closed.Id));
        }

        var states = new (TaskState? State, bool OpenOnly)[] { (null, false), (null, true), (TaskState.Scheduled, false), (TaskState.Completed, false) };
        foreach (var (state, openOnly) in states)
        foreach (var service in new[] { null, "Billing" })
        foreach (var tag in new[] { null, "red" })
        foreach (var workflowId in new[] { null, "wf-1" })
        foreach (var before in new DateTimeOffset?[] { null, At(4) })
        foreach (var newestFirst in new[] { false, true })
        {
            var query = new TaskListQuery
            {
                State = state, OpenOnly = openOnly, ServiceName = service, Tag = tag, WorkflowId = workflowId, CreatedBefore = before,
                NewestFirst = newestFirst, Limit = 2,
            };
            var matching = seeded.Where(s =>
                (state is null ? !openOnly || s.Open : s.Open == (state == TaskState.Scheduled)) && (service is null || s.Service == service) &&
                (tag is null || s.Tags.Contains(tag)) && (workflowId is null || s.Workflow == workflowId) && (before is null || At(s.At) < before));
            var ordered = newestFirst
                ? matching.OrderByDescending(s => s.At).ThenByDescending(s => s.Id, StringComparer.Ordinal)
                : matching.OrderBy(s => s.At).ThenBy(s => s.Id, StringComparer.Ordinal);

            var seen = new List<string>();
            while (true)
            {
                var page = await Store.ListTasksAsync(query);
                Assert.True(page.Count <= 2, $"{query}: a page of {page.Count}");
                if (page.Count == 0)
                {
                    break;
                }
                seen.AddRange(page.Select(t => t.TaskId));
                query = query with { After = (page[^1].CreatedAt, page[^1].TaskId) };
            }

            Assert.True(ordered.Select(s => s.Id).SequenceEqual(seen), $"{query with { After = null }}: got [{string.Join(", ", seen)}]");
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
