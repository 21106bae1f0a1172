using Baton.Engine.Hosting;
using Baton.Engine.Storage;
using Microsoft.Extensions.Logging;

namespace Baton.Engine.Timers;

/// <summary>Fires durable timers when they are due on the engine clock: workflow timers, delegation deadlines, heartbeats.</summary>
internal sealed partial class TimerLoop(IBatonStore store, StoreSignals signals, BatonOptions options, TimeProvider time, ILogger logger)
{
    /// <summary>How soon the loop looks again at due timers that another transaction holds (another node firing them).</summary>
    internal static readonly TimeSpan HeldByAnotherNodeRetry = TimeSpan.FromMilliseconds(50);

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var now = time.GetUtcNow();
                // Firing is a transaction on the store's writer, queued behind its other work; most wake-ups are for timers
                // due later, which a read answers.
                var next = await store.GetNextTimerDueAsync(stoppingToken).ConfigureAwait(false);
                if (next is null || next > now)
                {
                    failures = 0;
                    await LoopWait.WaitAsync(signals.Timers, next, time, options.IdlePollInterval, stoppingToken).ConfigureAwait(false);
                    continue;
                }
                var result = await store.FireDueTimersAsync(now, options.TimerBatchSize, stoppingToken).ConfigureAwait(false);
                failures = 0;
                if (result.Fired > 0) LogFired(result.Fired);
                if (result.Fired >= options.TimerBatchSize) continue;
                if (result.Fired == 0 && result.NextDueAt <= now)
                {
                    // Due, yet none fired: another transaction holds them (PostgreSQL skips locked rows: another node's firing,
                    // or a change to the task under way). Look again shortly, in real time, rather than going round until it commits.
                    await LoopWait.WaitAsync(signals.Timers, null, time, HeldByAnotherNodeRetry, stoppingToken).ConfigureAwait(false);
                    continue;
                }
                await LoopWait.WaitAsync(signals.Timers, result.NextDueAt, time, options.IdlePollInterval, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failures++;
                LogLoopFailed(e, failures);
                await Task.Delay(Execution.WorkflowExecutor.Backoff(failures), TimeProvider.System, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(EventId = 1300, Level = LogLevel.Debug, Message = "Fired {Count} due timers")]
    private partial void LogFired(int count);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Error, Message = "Timer loop failed ({Failures} in a row); retrying with backoff")]
    private partial void LogLoopFailed(Exception exception, int failures);
}
