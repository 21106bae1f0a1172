using Microsoft.Extensions.Caching.Memory;

namespace Baton.Engine.Execution;

/// <summary>
/// Recently stepped workflow instances, so that a step does not replay the whole history. Bounded twice: by count (none at
/// all with a capacity of 0) and by the instances' estimated memory (<see cref="WorkflowInstance.EstimatedBytes"/>), so that a
/// node whose workflows carry large payloads keeps fewer of them instead of running out of memory. An entry is used only when
/// its version equals the stored one, so correctness never depends on the cache.
/// </summary>
internal sealed class InstanceCache : IDisposable
{
    private readonly int _capacity;
    private readonly MemoryCache _cache;
    private readonly long _smallestEntry;

    /// <param name="capacity">Instances kept at most.</param>
    /// <param name="maxBytes">Estimated bytes kept at most.</param>
    public InstanceCache(int capacity, long maxBytes)
    {
        _capacity = capacity;
        // One size limit serves both bounds: an entry counts at least as a capacity-th of the budget, so no more than
        // capacity entries fit, and larger ones count as what they hold.
        _smallestEntry = Math.Max(1, maxBytes / Math.Max(1, capacity));
        _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = maxBytes, CompactionPercentage = 0.2 });
    }

    /// <summary>Instances held now (for tests).</summary>
    public int Count => _cache.Count;

    public WorkflowInstance? Take(string workflowId, long version)
    {
        if (_capacity == 0 || _cache.Get(workflowId) is not WorkflowInstance instance) return null;
        _cache.Remove(workflowId);
        return instance.Version == version ? instance : null;
    }

    /// <summary>Keeps <paramref name="instance"/>, unless it would not fit: one larger than the whole budget is never kept.</summary>
    public void Put(WorkflowInstance instance)
    {
        if (_capacity == 0) return;
        _cache.Set(instance.WorkflowId, instance, new MemoryCacheEntryOptions
        {
            Size = Math.Max(instance.EstimatedBytes, _smallestEntry), SlidingExpiration = TimeSpan.FromMinutes(30),
        });
    }

    public void Dispose() => _cache.Dispose();
}
