using Microsoft.Extensions.Caching.Memory;

namespace Baton.Engine.Execution;

/// <summary>
/// Recently stepped workflow instances, so that a step does not replay the whole history. Bounded by count (none at all with
/// a capacity of 0); an entry is used only when its version equals the stored one, so correctness never depends on the cache.
/// </summary>
internal sealed class InstanceCache(int capacity) : IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = Math.Max(1, capacity), CompactionPercentage = 0.2 });

    public WorkflowInstance? Take(string workflowId, long version)
    {
        if (capacity == 0 || _cache.Get(workflowId) is not WorkflowInstance instance) return null;
        _cache.Remove(workflowId);
        return instance.Version == version ? instance : null;
    }

    public void Put(WorkflowInstance instance)
    {
        if (capacity == 0) return;
        _cache.Set(instance.WorkflowId, instance, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromMinutes(30) });
    }

    public void Dispose() => _cache.Dispose();
}
