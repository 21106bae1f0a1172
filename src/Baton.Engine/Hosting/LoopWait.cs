using Baton.Engine.Storage;

namespace Baton.Engine.Hosting;

/// <summary>How an idle engine loop waits: for a store wake-up, a due time on the engine clock, or the real-time safety poll.</summary>
internal static class LoopWait
{
    public static async Task WaitAsync(WakeSignal signal, DateTimeOffset? dueAt, TimeProvider engineTime, TimeSpan poll, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var waits = new List<Task> { signal.WaitAsync(poll, TimeProvider.System, cts.Token) };
        if (dueAt is { } due)
        {
            var delay = due - engineTime.GetUtcNow();
            if (delay <= TimeSpan.Zero) return;
            waits.Add(Task.Delay(delay, engineTime, cts.Token));
        }
        await Task.WhenAny(waits).ConfigureAwait(false);
        await cts.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }
}
