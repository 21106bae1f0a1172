using Baton.Engine.Execution;

namespace Baton.Engine.Tests;

/// <summary>The cache of workflow instances keeps to both of its bounds: a count, and an estimate of the memory held.</summary>
public sealed class InstanceCacheTests
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public void EstimatedBytes_LargerInput_GrowsByTwoBytesPerCharacter()
    {
        var small = Instance("wf-small", inputChars: 10);
        var large = Instance("wf-large", inputChars: 100_000);

        // Two bytes per character of the input (its started event), above a base size for the instance itself.
        Assert.InRange(small.EstimatedBytes, 1_000, 4_000);
        Assert.InRange(large.EstimatedBytes - small.EstimatedBytes, 199_000, 201_000);
    }

    [Fact]
    public void Put_InstancesOfAbout400KB_NoMoreThanABudgetOf1MiBIsKept()
    {
        using var cache = new InstanceCache(capacity: 100, maxBytes: MiB);

        for (var i = 0; i < 6; i++)
        {
            cache.Put(Instance($"wf-{i}", inputChars: 200_000));
            Assert.InRange(cache.Count, 1, 2);
        }
    }

    [Fact]
    public void Put_AnInstanceLargerThanTheWholeBudget_IsNotKept()
    {
        using var cache = new InstanceCache(capacity: 100, maxBytes: MiB);
        var huge = Instance("wf-huge", inputChars: 600_000);

        cache.Put(huge);

        Assert.Null(cache.Take("wf-huge", huge.Version));
    }

    [Fact]
    public void Put_SmallInstances_TheCountBoundStillHolds()
    {
        using var cache = new InstanceCache(capacity: 3, maxBytes: 256 * MiB);

        for (var i = 0; i < 10; i++)
        {
            cache.Put(Instance($"wf-{i}", inputChars: 10));
            Assert.InRange(cache.Count, 1, 3);
        }

        // A full cache turns new instances away and makes room in the background (MemoryCache's compaction): a new
        // instance gets in soon after, it does not stay out for good.
        var newcomer = Instance("wf-new", inputChars: 10);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        WorkflowInstance? taken = null;
        while (taken is null && DateTime.UtcNow < deadline)
        {
            cache.Put(newcomer);
            taken = cache.Take("wf-new", newcomer.Version);
            if (taken is null) Thread.Sleep(10);
        }
        Assert.Same(newcomer, taken);
    }

    /// <summary>A started, never stepped instance whose input is a JSON string of about <paramref name="inputChars"/> characters.</summary>
    private static WorkflowInstance Instance(string id, int inputChars) =>
        TestInstances.Started<DocumentWorkflow>(id, "\"" + new string('x', inputChars) + "\"");
}
