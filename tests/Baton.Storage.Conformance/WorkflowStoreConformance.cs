using Baton.Engine.Storage;
using Xunit;

namespace Baton.Storage.Conformance;

/// <summary>Creating, reading and listing workflow instances and their histories.</summary>
public abstract class WorkflowStoreConformance : StoreConformanceBase
{
    [Fact]
    public async Task CreateWorkflow_New_CreatedAtVersion1WithStartedEvent()
    {
        var result = await Store.CreateWorkflowAsync(NewWorkflow("wf-1", tags: ["a", "b"]));

        Assert.Equal(CreateWorkflowStatus.Created, result.Status);
        Assert.Equal(WorkflowState.Running, result.Workflow.State);
        Assert.Equal(1, result.Workflow.Version);
        Assert.Equal(["a", "b"], result.Workflow.Tags);
        Assert.Equal("v", result.Workflow.Meta["k"]);
        var history = await Store.GetHistoryAsync("wf-1");
        var started = Assert.Single(history);
        Assert.Equal(1, started.Seq);
        Assert.Equal(HistoryEventKind.WorkflowStarted, started.Kind);
        Assert.Equal("Order", started.Name);
        Assert.Equal("{\"n\":1}", started.Payload);
    }

    [Fact]
    public async Task CreateWorkflow_ReturnedRecord_IsTheStoredRow()
    {
        string[] noTags = [];
        var noMeta = new Dictionary<string, string>();
        var tags = new List<string> { "b", "a", "b" };
        var meta = new Dictionary<string, string> { ["k"] = "v", ["ü"] = "✓" };
        var created = await Store.CreateWorkflowAsync(
            new NewWorkflow("wf-1", "Order", "{\"n\":1}", tags, meta, "parent-1", 7, T0.AddTicks(1234567)));
        var bare = await Store.CreateWorkflowAsync(new NewWorkflow("wf-2", "Order", null, [], new Dictionary<string, string>(), null, null, T0));
        tags.Add("later");
        meta["later"] = "x";

        foreach (var result in new[] { created, bare })
        {
            var stored = await Store.GetWorkflowAsync(result.Workflow.Id);
            Assert.NotNull(stored);
            // Record equality compares the collections by reference: the same empty ones on both sides, then their contents.
            Assert.Equal(stored with { Tags = noTags, Meta = noMeta }, result.Workflow with { Tags = noTags, Meta = noMeta });
            Assert.Equal(stored.Tags, result.Workflow.Tags);
            Assert.Equal(stored.Meta.OrderBy(kv => kv.Key, StringComparer.Ordinal), result.Workflow.Meta.OrderBy(kv => kv.Key, StringComparer.Ordinal));
        }
        Assert.Equal(["b", "a", "b"], created.Workflow.Tags);
        Assert.Equal(2, created.Workflow.Meta.Count);
        Assert.Equal(T0.AddMilliseconds(123), created.Workflow.CreatedAt);
        Assert.Empty(bare.Workflow.Tags);
        Assert.Empty(bare.Workflow.Meta);
    }

    [Fact]
    public async Task CreateWorkflow_ExistingId_ReturnsExistingUnchanged()
    {
        await StartAsync("wf-1", "Order");

        var again = await Store.CreateWorkflowAsync(NewWorkflow("wf-1", "Other", at: At(5)));

        Assert.Equal(CreateWorkflowStatus.AlreadyExists, again.Status);
        Assert.Equal("Order", again.Workflow.Name);
        Assert.Equal(T0, again.Workflow.CreatedAt);
        Assert.Single(await Store.GetHistoryAsync("wf-1"));
    }

    [Fact]
    public async Task GetWorkflow_Unknown_ReturnsNull() => Assert.Null(await Store.GetWorkflowAsync("nope"));

    [Fact]
    public async Task GetWorkflow_Times_RoundTripAtMillisecondPrecision()
    {
        var at = T0.AddTicks(1234567); // 123.4567 ms
        await StartAsync("wf-1", at: at);

        var workflow = await Store.GetWorkflowAsync("wf-1");

        Assert.Equal(T0.AddMilliseconds(123), workflow!.CreatedAt);
        Assert.Equal(TimeSpan.Zero, workflow.CreatedAt.Offset);
    }

    [Fact]
    public async Task GetHistory_AfterSeq_ReturnsLaterEventsInOrderWithoutGaps()
    {
        await StartAsync("wf-1");
        var claim = await ClaimAsync("wf-1");
        var step = Step(claim) with
        {
            Events =
            [
                new NewHistoryEvent(HistoryEventKind.TaskScheduled, At(1), 1, "Billing.Charge", "t-1", "[1]"),
                new NewHistoryEvent(HistoryEventKind.TimerStarted, At(1), 2, Payload: "\"2026-01-02T00:00:00+00:00\""),
            ],
        };
        Assert.Equal([StepCommitStatus.Committed], await Store.CommitStepsAsync([step]));

        var all = await Store.GetHistoryAsync("wf-1");
        var later = await Store.GetHistoryAsync("wf-1", afterSeq: 1);

        Assert.Equal([1L, 2L, 3L], all.Select(e => e.Seq));
        Assert.Equal([HistoryEventKind.TaskScheduled, HistoryEventKind.TimerStarted], later.Select(e => e.Kind));
        Assert.Equal("t-1", later[0].RefId);
        Assert.Equal(1, later[0].CommandId);
        Assert.Equal(At(1), later[0].At);
    }

    [Fact]
    public async Task ListWorkflows_Filters_ReturnOnlyMatchingNewestFirst()
    {
        await StartAsync("wf-1", "Order", At(1), "red");
        await StartAsync("wf-2", "Refund", At(2), "red");
        await StartAsync("wf-3", "Order", At(3), "blue");
        await CommitStepAsync("wf-3", state: WorkflowState.Completed, result: "1");

        Assert.Equal(["wf-3", "wf-2", "wf-1"], (await Store.ListWorkflowsAsync(new WorkflowListQuery())).Select(w => w.Id));
        Assert.Equal(["wf-3", "wf-1"], (await Store.ListWorkflowsAsync(new WorkflowListQuery { Name = "Order" })).Select(w => w.Id));
        Assert.Equal(["wf-2", "wf-1"], (await Store.ListWorkflowsAsync(new WorkflowListQuery { Tag = "red" })).Select(w => w.Id));
        Assert.Equal(["wf-3"], (await Store.ListWorkflowsAsync(new WorkflowListQuery { State = WorkflowState.Completed })).Select(w => w.Id));
        Assert.Equal(["wf-1"], (await Store.ListWorkflowsAsync(new WorkflowListQuery { State = WorkflowState.Running, Name = "Order", Tag = "red" })).Select(w => w.Id));
    }

    [Fact]
    public async Task ListWorkflows_KeysetPaging_WalksAllRowsOnce()
    {
        for (var i = 0; i < 7; i++)
        {
            await StartAsync($"wf-{i}", at: At(i / 2)); // pairs share a creation time
        }

        var seen = new List<string>();
        (DateTimeOffset, string)? after = null;
        while (true)
        {
            var page = await Store.ListWorkflowsAsync(new WorkflowListQuery { Limit = 3, After = after });
            if (page.Count == 0)
            {
                break;
            }
            seen.AddRange(page.Select(w => w.Id));
            after = (page[^1].CreatedAt, page[^1].Id);
        }

        Assert.Equal(["wf-6", "wf-5", "wf-4", "wf-3", "wf-2", "wf-1", "wf-0"], seen);
    }

    [Fact]
    public async Task ListWorkflows_ByTagKeysetPaging_WalksTaggedRowsOnceNewestFirst()
    {
        for (var i = 0; i < 9; i++)
        {
            // Pairs share a creation time; every third workflow is not tagged red.
            await StartAsync($"wf-{i}", i % 2 == 0 ? "Order" : "Refund", At(i / 2), i % 3 == 2 ? "blue" : "red");
        }

        foreach (var name in new[] { null, "Order" })
        {
            var seen = new List<string>();
            (DateTimeOffset, string)? after = null;
            while (true)
            {
                var page = await Store.ListWorkflowsAsync(new WorkflowListQuery { Tag = "red", Name = name, Limit = 2, After = after });
                if (page.Count == 0)
                {
                    break;
                }
                seen.AddRange(page.Select(w => w.Id));
                after = (page[^1].CreatedAt, page[^1].Id);
            }

            Assert.Equal(name is null ? ["wf-7", "wf-6", "wf-4", "wf-3", "wf-1", "wf-0"] : ["wf-6", "wf-4", "wf-0"], seen);
        }
    }
}
