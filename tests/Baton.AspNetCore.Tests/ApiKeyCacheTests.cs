using Baton.AspNetCore.Security;

namespace Baton.AspNetCore.Tests;

/// <summary>The in-memory copy of the stored API keys: when it reads the store, on a manual clock.</summary>
public sealed class ApiKeyCacheTests
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan UnknownKeyInterval = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Current_WithinMaxAge_ReadsOnce_ThenAgainWhenOlder()
    {
        var store = new Loader();
        var cache = store.Cache();

        for (var i = 0; i < 100; i++) await cache.CurrentAsync(default);
        Assert.Equal(1, store.Reads);
        store.Clock.Advance(MaxAge - TimeSpan.FromMilliseconds(1));
        await cache.CurrentAsync(default);
        Assert.Equal(1, store.Reads);
        store.Clock.Advance(TimeSpan.FromMilliseconds(1));
        await cache.CurrentAsync(default);
        Assert.Equal(2, store.Reads);
    }

    [Fact]
    public async Task UnknownKeys_Flood_ReadsAtMostOncePerInterval()
    {
        var store = new Loader();
        var cache = store.Cache();
        await cache.CurrentAsync(default);

        var refused = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => cache.ReloadForUnknownKeyAsync(default).AsTask()));
        Assert.All(refused, Assert.Null);
        Assert.Equal(1, store.Reads);

        store.Clock.Advance(UnknownKeyInterval);
        var flood = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => Task.Run(() => cache.ReloadForUnknownKeyAsync(default).AsTask())));
        Assert.Equal(2, store.Reads);
        Assert.Contains(flood, keys => keys is not null);
    }

    [Fact]
    public async Task ConcurrentReads_ShareOne()
    {
        var store = new Loader { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var cache = store.Cache();

        var waiting = Enumerable.Range(0, 50).Select(_ => cache.CurrentAsync(default).AsTask()).ToList();
        var unknownKey = cache.ReloadForUnknownKeyAsync(default).AsTask();
        store.Gate.SetResult();
        var results = await Task.WhenAll(waiting);

        Assert.Equal(1, store.Reads);
        Assert.All(results, keys => Assert.Same(results[0], keys));
        Assert.Same(results[0], await unknownKey);
    }

    [Fact]
    public async Task Replace_WhileAnOlderReadRuns_TheEditWins()
    {
        var store = new Loader { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var cache = store.Cache();
        var reading = cache.CurrentAsync(default).AsTask();

        var edited = StoredApiKeys.Of([new StoredApiKey("k1", "alice", ["viewer"], ApiKeyStore.HashOf("key-1"), DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch)]);
        cache.Replace(edited, store.Clock.GetTimestamp());
        store.Gate.SetResult();

        Assert.Same(edited, await reading);
        Assert.Same(edited, await cache.CurrentAsync(default));
        Assert.True(edited.TryFind(ApiKeyStore.HashOf("key-1"), out var principal));
        Assert.Null(principal);
    }

    [Fact]
    public async Task FailedRead_IsNotKept()
    {
        var store = new Loader { Text = "{not json" };
        var cache = store.Cache();

        var unreadable = await Assert.ThrowsAsync<InvalidOperationException>(() => cache.CurrentAsync(default).AsTask());
        Assert.Contains("('baton.api-keys') are unreadable", unreadable.Message, StringComparison.Ordinal);
        store.Text = null;

        Assert.Empty((await cache.CurrentAsync(default)).Keys);
        Assert.Equal(2, store.Reads);
    }

    [Fact]
    public async Task CallerCanceled_ReadStillServesTheOthers()
    {
        var store = new Loader { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var cache = store.Cache();
        using var canceled = new CancellationTokenSource();

        var abandoned = cache.CurrentAsync(canceled.Token).AsTask();
        var other = cache.CurrentAsync(default).AsTask();
        await canceled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        store.Gate.SetResult();

        Assert.Empty((await other).Keys);
        Assert.Equal(1, store.Reads);
    }

    private sealed class Loader
    {
        private int _reads;

        public ManualClock Clock { get; } = new();

        public TaskCompletionSource? Gate { get; init; }

        public string? Text { get; set; }

        public int Reads => Volatile.Read(ref _reads);

        public ApiKeyCache Cache() => new(LoadAsync, Clock, MaxAge, UnknownKeyInterval);

        private async Task<StoredApiKeys> LoadAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            if (Gate is { } gate) await gate.Task;
            else await Task.Yield();
            return StoredApiKeys.Parse(Text);
        }
    }

    /// <summary>Timestamps that move only when told to.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks = TimeSpan.TicksPerDay;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
