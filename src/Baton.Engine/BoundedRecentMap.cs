using System.Collections.Concurrent;

namespace Baton.Engine;

/// <summary>
/// A thread-safe map of the most recently added keys, at most <c>capacity</c> of them: adding one more drops the oldest.
/// For what a node remembers to save itself a read of the store, where a forgotten entry only costs that read again.
/// </summary>
internal sealed class BoundedRecentMap<TValue>(int capacity)
    where TValue : class
{
    private readonly ConcurrentDictionary<string, TValue> _entries = new(StringComparer.Ordinal);

    // Every key added, oldest first. A removed key stays until its turn comes, so that the queue, not the dictionary, bounds
    // both; a key added again after its removal may be dropped early, which is harmless.
    private readonly ConcurrentQueue<string> _order = new();
    private int _queued;

    /// <summary>Adds <paramref name="key"/> unless present; drops the oldest key beyond the capacity.</summary>
    public void Add(string key, TValue value)
    {
        if (!_entries.TryAdd(key, value)) return;
        _order.Enqueue(key);
        if (Interlocked.Increment(ref _queued) <= capacity) return;
        if (_order.TryDequeue(out var oldest))
        {
            Interlocked.Decrement(ref _queued);
            _entries.TryRemove(oldest, out _);
        }
    }

    /// <summary>The value of <paramref name="key"/>, or null when absent or dropped.</summary>
    public TValue? Find(string key) => _entries.TryGetValue(key, out var value) ? value : null;

    /// <summary>Removes <paramref name="key"/>.</summary>
    public void Remove(string key) => _entries.TryRemove(key, out _);

    /// <summary>Removes every entry.</summary>
    public void Clear() => _entries.Clear();

    /// <summary>Entries held now.</summary>
    public int Count => _entries.Count;

    /// <summary>Keys waiting in the eviction queue, removed ones included: never more than the capacity.</summary>
    public int Queued => Volatile.Read(ref _queued);
}
