namespace Baton.AspNetCore.Security;

/// <summary>
/// This node's copy of the stored API keys, so authenticating a known key reads nothing. A copy older than
/// <c>maxAge</c> is read again before use, which bounds how long an edit made by another node goes unseen here. A key the
/// copy does not know may mean one just created elsewhere, so it reads again at once, but at most once per
/// <c>unknownKeyInterval</c> (a flood of wrong keys must not become a store read each). Concurrent reads share one.
/// Edits made on this node replace the copy the moment they are stored (<see cref="Replace"/>).
/// </summary>
internal sealed class ApiKeyCache(Func<CancellationToken, Task<StoredApiKeys>> load, TimeProvider time, TimeSpan maxAge, TimeSpan unknownKeyInterval)
{
    private readonly Lock _gate = new();
    private Copy? _current;
    private Task<Copy>? _loading;
    private long _lastLoadStarted;
    private bool _loadedOnce;

    // Bumped by every Replace, so a read that started before an edit of this node never overwrites the edited copy.
    private long _generation;

    /// <summary>The keys, read again first when the copy is older than the maximum age.</summary>
    public async ValueTask<StoredApiKeys> CurrentAsync(CancellationToken cancellationToken)
    {
        var copy = Volatile.Read(ref _current);
        if (copy is not null && time.GetElapsedTime(copy.ReadFrom) < maxAge) return copy.Keys;
        var load = StartOrJoin(forUnknownKey: false);
        return (await load!.WaitAsync(cancellationToken).ConfigureAwait(false)).Keys;
    }

    /// <summary>
    /// The keys read again for a key the copy does not know, or null when the last read started less than the interval ago
    /// (a read still running is joined rather than refused).
    /// </summary>
    public async ValueTask<StoredApiKeys?> ReloadForUnknownKeyAsync(CancellationToken cancellationToken)
    {
        var load = StartOrJoin(forUnknownKey: true);
        return load is null ? null : (await load.WaitAsync(cancellationToken).ConfigureAwait(false)).Keys;
    }

    /// <summary>
    /// Replaces the copy with keys this node has just stored; <paramref name="readFrom"/> is a timestamp taken before the
    /// write, from when on they were known to be current. Callers serialise their edits, so copies replace in write order.
    /// </summary>
    public void Replace(StoredApiKeys keys, long readFrom)
    {
        lock (_gate)
        {
            _generation++;
            Volatile.Write(ref _current, new Copy(keys, readFrom));
        }
    }

    private Task<Copy>? StartOrJoin(bool forUnknownKey)
    {
        TaskCompletionSource<Copy> loading;
        long generation;
        long started;
        lock (_gate)
        {
            if (_loading is { } running) return running;
            var current = _current;
            if (forUnknownKey)
            {
                if (_loadedOnce && time.GetElapsedTime(_lastLoadStarted) < unknownKeyInterval) return null;
            }
            else if (current is not null && time.GetElapsedTime(current.ReadFrom) < maxAge)
            {
                return Task.FromResult(current);
            }
            loading = new TaskCompletionSource<Copy>(TaskCreationOptions.RunContinuationsAsynchronously);
            _loading = loading.Task;
            generation = _generation;
            started = time.GetTimestamp();
            _lastLoadStarted = started;
            _loadedOnce = true;
        }
        // Started outside the lock and detached from any caller's cancellation: the read serves every caller that joins it.
        _ = LoadAsync(loading, generation, started);
        return loading.Task;
    }

    private async Task LoadAsync(TaskCompletionSource<Copy> loading, long generation, long started)
    {
        Copy result;
        try
        {
            var keys = await load(CancellationToken.None).ConfigureAwait(false);
            lock (_gate)
            {
                _loading = null;
                if (_generation == generation) Volatile.Write(ref _current, new Copy(keys, started));
                result = _current!;
            }
        }
        catch (Exception exception)
        {
            // Not kept: the next request reads again, so a repaired document or a store back up is seen at once.
            lock (_gate) _loading = null;
            loading.SetException(exception);
            return;
        }
        loading.SetResult(result);
    }

    /// <summary>A copy of the keys and the timestamp from which it is known to be current.</summary>
    private sealed record Copy(StoredApiKeys Keys, long ReadFrom);
}
